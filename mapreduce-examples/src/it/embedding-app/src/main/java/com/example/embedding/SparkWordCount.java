package com.example.embedding;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.KryoSerializable;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.Output;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.serializer.KryoRegistrator;
import scala.Tuple2;

/**
 * The application's own Spark job, in this JVM beside the library: word count on {@code local[2]}
 * with Spark's Kryo serializer, whose shuffle ({@code reduceByKey}) and collected results carry a
 * user class, {@link Count}, through Kryo. Checked against the oracle, and that Kryo did write
 * {@code Count}s: Spark's Kryo is the one it gets.
 */
final class SparkWordCount {
  private SparkWordCount() {}

  /** A word's count, written by Kryo as a {@link KryoSerializable}, which counts its writes. */
  public static final class Count implements KryoSerializable {
    static final AtomicLong KRYO_WRITES = new AtomicLong();
    long n;

    public Count() {}

    Count(long n) {
      this.n = n;
    }

    Count plus(Count other) {
      return new Count(n + other.n);
    }

    @Override
    public void write(Kryo kryo, Output output) {
      KRYO_WRITES.incrementAndGet();
      output.writeLong(n);
    }

    @Override
    public void read(Kryo kryo, Input input) {
      n = input.readLong();
    }
  }

  /** Registers {@link Count} with each Kryo instance Spark makes, counting them. */
  public static final class Registrator implements KryoRegistrator {
    static final AtomicInteger CALLS = new AtomicInteger();

    @Override
    public void registerClasses(Kryo kryo) {
      CALLS.incrementAndGet();
      kryo.register(Count.class);
    }
  }

  static void runAndCheck(Corpus corpus, Path work) throws Exception {
    SparkConf conf = new SparkConf()
        .setAppName("embedding-app")
        .setMaster("local[2]")
        .set("spark.serializer", "org.apache.spark.serializer.KryoSerializer")
        .set("spark.kryo.registrator", Registrator.class.getName())
        .set("spark.ui.enabled", "false")
        .set("spark.driver.host", "127.0.0.1")
        .set("spark.driver.bindAddress", "127.0.0.1")
        .set("spark.local.dir", work.resolve("spark-local").toString());
    List<Tuple2<String, Count>> counted;
    try (JavaSparkContext sc = new JavaSparkContext(conf)) {
      sc.setLogLevel("WARN");
      counted = sc.textFile(corpus.dir.toUri().toString(), Corpus.FILES)
          .flatMap(line -> {
            List<String> words = new ArrayList<>();
            Corpus.forEachWord(line, words::add);
            return words.iterator();
          })
          .mapToPair(word -> new Tuple2<>(word, new Count(1)))
          .reduceByKey(Count::plus, 2)
          .collect();
    }
    Map<String, Long> actual = new TreeMap<>();
    for (Tuple2<String, Count> t : counted) {
      if (actual.put(t._1(), t._2().n) != null) {
        throw new AssertionError("Spark's word count: '" + t._1() + "' in two results");
      }
    }
    Corpus.assertSame("Spark's word count", corpus.wordCounts, actual);
    if (Registrator.CALLS.get() == 0 || Count.KRYO_WRITES.get() == 0) {
      throw new AssertionError("Spark's word count did not go through Kryo: registrator called "
          + Registrator.CALLS.get() + " times, Count written " + Count.KRYO_WRITES.get() + " times");
    }
    System.out.println("  Spark: " + actual.size() + " words; Kryo: registrator called " + Registrator.CALLS.get()
        + " times, " + Count.KRYO_WRITES.get() + " Counts written");
  }
}

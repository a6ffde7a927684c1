package io.mapreduce.benchmarks.spark;

import io.mapreduce.examples.Words;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;
import scala.Tuple2;

/**
 * Word count on Spark in local mode, a contender of {@code benchmarks/wordcount-all.sh}: Spark's
 * Java API as its guide writes word count ({@code textFile}, {@code flatMap} to words,
 * {@code mapToPair} to {@code (word, 1)}, {@code reduceByKey}, which combines map-side), with the
 * examples' tokenization ({@link Words#forEach}, maximal runs of letters by code point). Output
 * {@code word<TAB>count} lines in {@code OUT/part-*}.
 *
 * <pre>
 * java -jar benchmarks/target/benchmarks-spark.jar --input DIR --output OUT --work DIR
 *     [--master local[2]] [--partitions 2] [--split-size-mib 64]
 * </pre>
 *
 * <p>Run it with {@code java -jar}: the jar's manifest opens the JDK packages Spark needs on Java
 * 17 ({@code Add-Opens}, which the JVM honours only for the jar it was started with). Spark's
 * scratch files go under {@code --work}; the driver binds to 127.0.0.1 and has no web UI.
 * {@code --partitions} is the reduce side's; splits are at least {@code --split-size-mib} (default
 * 64, as the embedded engine's and HadoopWordCount's), so the map side runs as many tasks as theirs.
 */
public final class SparkWordCount {
  private static final String USAGE = "usage: SparkWordCount --input DIR --output OUT --work DIR"
      + " [--master local[2]] [--partitions 2] [--split-size-mib 64]";

  private SparkWordCount() {}

  public static void main(String[] args) throws Exception {
    String input = null;
    String output = null;
    String work = null;
    String master = "local[2]";
    int partitions = 2;
    long splitMib = 64;
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      if (i + 1 >= args.length) {
        fail("missing value of " + a);
      }
      String v = args[++i];
      switch (a) {
        case "--input" -> input = v;
        case "--output" -> output = v;
        case "--work" -> work = v;
        case "--master" -> master = v;
        case "--partitions" -> partitions = parsePositive(a, v);
        case "--split-size-mib" -> splitMib = parsePositive(a, v);
        default -> fail("unknown argument " + a);
      }
    }
    if (input == null || output == null || work == null) {
      fail("--input, --output and --work are required");
    }
    Path workDir = Paths.get(work).toAbsolutePath();
    Files.createDirectories(workDir);
    // Spark's JavaModuleOptions sets this too: Netty's direct buffers without reflection warnings.
    System.setProperty("io.netty.tryReflectionSetAccessible", "true");

    SparkConf conf = new SparkConf()
        .setAppName("wordcount")
        .setMaster(master)
        .set("spark.ui.enabled", "false")
        .set("spark.driver.host", "127.0.0.1")
        .set("spark.driver.bindAddress", "127.0.0.1")
        .set("spark.local.dir", workDir.resolve("local").toString());
    try (JavaSparkContext sc = new JavaSparkContext(conf)) {
      sc.setLogLevel("WARN");
      sc.hadoopConfiguration().setLong("mapreduce.input.fileinputformat.split.minsize", splitMib << 20);
      sc.textFile(Paths.get(input).toAbsolutePath().toUri().toString())
          .flatMap(line -> {
            List<String> words = new ArrayList<>();
            Words.forEach(line, words::add);
            return words.iterator();
          })
          .mapToPair(word -> new Tuple2<>(word, 1L))
          .reduceByKey(Long::sum, partitions)
          .map(pair -> pair._1() + "\t" + pair._2())
          .saveAsTextFile(Paths.get(output).toAbsolutePath().toUri().toString());
    }
  }

  private static int parsePositive(String option, String value) {
    try {
      int n = Integer.parseInt(value);
      if (n > 0) {
        return n;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    fail(option + " must be a positive whole number, not '" + value + "'");
    return 0;
  }

  private static void fail(String message) {
    System.err.println("SparkWordCount: " + message);
    System.err.println(USAGE);
    System.exit(2);
  }
}

package io.mapreduce.examples.classpath;

import io.mapreduce.Cluster;
import io.mapreduce.Emitter;
import io.mapreduce.JobResult;
import io.mapreduce.MapReduce;
import io.mapreduce.MapReduceSpecification;
import io.mapreduce.Mapper;
import io.mapreduce.lib.LongSumReducer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * The child JVM of {@link ConflictingLibrariesIT}: an application whose class path holds the
 * library's jars and, before or after them, Kryo 4 ({@code kryo-shaded}, Spark's) and Guava 27. It
 * runs a small job with a record key and checks its output against an oracle, then checks that
 * the application's own Kryo and Guava are the ones it gets: Kryo 4's
 * {@code FieldSerializer.setIgnoreSyntheticFields}, which Spark calls and Kryo 5 lacks, and Guava
 * 27's {@code Futures.makeChecked}, which Guava 28 removed. These are called by reflection: the
 * library's own tests compile against neither. Exit code 0 when all hold; else each failure is
 * printed with its stack trace and the exit code is 1.
 *
 * <pre>java -cp ... ConflictingLibrariesApp WORK_DIR</pre>
 */
public final class ConflictingLibrariesApp {
  private ConflictingLibrariesApp() {}

  /** A word's first letter and length. */
  public record Shape(String initial, int length) {}

  public static final class ShapeMapper extends Mapper<Shape, Long> {
    @Override
    public void map(long offset, String line, Emitter<Shape, Long> out) {
      for (String w : line.split(" ")) {
        if (!w.isEmpty()) {
          out.emit(new Shape(w.substring(0, 1), w.length()), 1L);
        }
      }
    }
  }

  public static void main(String[] args) throws Exception {
    Path work = Path.of(args[0]);
    List<String> failed = new ArrayList<>();
    check(failed, "the library's job", () -> runJob(work, null));
    check(failed, "the application's Kryo 4", ConflictingLibrariesApp::useKryo4);
    check(failed, "the application's Guava 27", ConflictingLibrariesApp::useGuava27);
    if (!failed.isEmpty()) {
      System.err.println("FAILED: " + failed);
      System.exit(1);
    }
    System.out.println("PASSED");
    System.exit(0);
  }

  interface Check {
    void run() throws Exception;
  }

  private static void check(List<String> failed, String name, Check check) {
    try {
      check.run();
      System.out.println("PASS " + name);
    } catch (Throwable t) {
      failed.add(name);
      System.err.println("FAIL " + name + ": " + t);
      t.printStackTrace();
    }
  }

  /** The job, embedded or on {@code cluster}, checked against an oracle; throws if they differ. */
  static void runJob(Path work, Cluster cluster) throws Exception {
    Path input = Files.createDirectories(work.resolve("input"));
    StringBuilder text = new StringBuilder();
    Map<String, Long> oracle = new TreeMap<>();
    for (int i = 0; i < 2_000; i++) {
      String word = Integer.toString(i * 7919 % 1000, 36);
      text.append(word).append(i % 10 == 9 ? '\n' : ' ');
      oracle.merge(new Shape(word.substring(0, 1), word.length()).toString(), 1L, Long::sum);
    }
    Files.writeString(input.resolve("words.txt"), text);
    var spec = MapReduceSpecification.builder().mapper(new ShapeMapper())
        .reducer(new LongSumReducer<>()).combiner(new LongSumReducer<>())
        .input(input).output(work.resolve("output")).reduceTasks(2);
    if (cluster != null) {
      spec.cluster(cluster);
    }
    JobResult result = MapReduce.exec(spec.build()).get(2, TimeUnit.MINUTES);
    Map<String, Long> actual = new TreeMap<>();
    for (var file : result.outputFiles()) {
      for (String line : Files.readAllLines(Path.of(file))) {
        int tab = line.lastIndexOf('\t');
        actual.put(line.substring(0, tab), Long.parseLong(line.substring(tab + 1)));
      }
    }
    if (!actual.equals(oracle)) {
      throw new AssertionError("the job's output " + actual + " is not the oracle's " + oracle);
    }
  }

  /** A class of the application's that its Kryo writes. */
  public static final class Payload {
    int count;
    String word;
  }

  /**
   * What Spark's KryoSerializer does with a new Kryo (a FieldSerializer that keeps synthetic
   * fields), then a round trip of a {@link Payload} through it.
   */
  private static void useKryo4() throws Exception {
    Class<?> kryoClass = Class.forName("com.esotericsoftware.kryo.Kryo");
    Object kryo = kryoClass.getConstructor().newInstance();
    Class<?> fieldSerializer = Class.forName("com.esotericsoftware.kryo.serializers.FieldSerializer");
    Object serializer = fieldSerializer.getConstructor(kryoClass, Class.class).newInstance(kryo, Payload.class);
    fieldSerializer.getMethod("setIgnoreSyntheticFields", boolean.class).invoke(serializer, false);
    Class<?> serializerClass = Class.forName("com.esotericsoftware.kryo.Serializer");
    kryoClass.getMethod("register", Class.class, serializerClass).invoke(kryo, Payload.class, serializer);

    Payload payload = new Payload();
    payload.count = 18;
    payload.word = "spark";
    Class<?> outputClass = Class.forName("com.esotericsoftware.kryo.io.Output");
    Object output = outputClass.getConstructor(int.class).newInstance(64);
    kryoClass.getMethod("writeObject", outputClass, Object.class).invoke(kryo, output, payload);
    byte[] bytes = (byte[]) outputClass.getMethod("toBytes").invoke(output);
    Class<?> inputClass = Class.forName("com.esotericsoftware.kryo.io.Input");
    Object input = inputClass.getConstructor(byte[].class).newInstance((Object) bytes);
    Payload back = (Payload) kryoClass.getMethod("readObject", inputClass, Class.class).invoke(kryo, input, Payload.class);
    if (back.count != 18 || !"spark".equals(back.word)) {
      throw new AssertionError("Kryo gave back " + back.count + ", " + back.word);
    }
    System.out.println("  Kryo from " + kryoClass.getProtectionDomain().getCodeSource().getLocation());
  }

  /** Futures.makeChecked(future, mapper).checkedGet(), public in Guava 27 and gone in 28. */
  private static void useGuava27() throws Exception {
    Class<?> futures = Class.forName("com.google.common.util.concurrent.Futures");
    Class<?> listenable = Class.forName("com.google.common.util.concurrent.ListenableFuture");
    Class<?> function = Class.forName("com.google.common.base.Function");
    Object done = futures.getMethod("immediateFuture", Object.class).invoke(null, "value");
    Object identity = Class.forName("com.google.common.base.Functions").getMethod("identity").invoke(null);
    Object checked = futures.getMethod("makeChecked", listenable, function).invoke(null, done, identity);
    Object value = Class.forName("com.google.common.util.concurrent.CheckedFuture").getMethod("checkedGet")
        .invoke(checked);
    if (!"value".equals(value)) {
      throw new AssertionError("checkedGet gave " + value);
    }
    System.out.println("  Guava from " + futures.getProtectionDomain().getCodeSource().getLocation());
  }
}

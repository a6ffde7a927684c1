package io.mapreduce.s3;

import io.mapreduce.Emitter;
import io.mapreduce.EngineContract.Sum;
import io.mapreduce.EngineContract.TokenMapper;
import io.mapreduce.MapReduce;
import io.mapreduce.MapReduceSpecification;
import io.mapreduce.Mapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The word count the S3 tests run, in this JVM or, through {@link #main}, in a child JVM: a JVM's
 * {@code s3://} storage is set up once, from system properties, so a job against other S3
 * settings (another secret, another endpoint) runs in a JVM of its own.
 */
final class WordCount {
  private static final long CHILD_TIMEOUT_SECONDS = 180;

  private WordCount() {}

  /** The engine tests' word splitting, counting the lines it maps. */
  static final class Words extends Mapper<String, Long> {
    /** Lines mapped in this JVM: none means no map task ran. */
    static final AtomicLong LINES = new AtomicLong();
    private final TokenMapper tokens = new TokenMapper();

    @Override
    public void map(long offset, String line, Emitter<String, Long> emitter) throws Exception {
      LINES.incrementAndGet();
      tokens.map(offset, line, emitter);
    }
  }

  /** With a combiner, 3 reduce tasks and 64 KiB splits, so that a few inputs make several tasks. */
  static MapReduceSpecification<String, Long> spec(String input, String output, Path workDirectory) {
    return MapReduceSpecification.builder().mapper(new Words()).reducer(new Sum()).combiner(new Sum())
        .input(input).output(output).reduceTasks(3).splitSize(64 << 10).workDirectory(workDirectory).build();
  }

  /**
   * Arguments: a work directory, then the input and output of each job to run. Prints one line a
   * job: "OUTPUT: written" or "OUTPUT: failed: MESSAGE", after how many lines its maps read.
   */
  public static void main(String... args) throws Exception {
    Path work = Path.of(args[0]);
    for (int i = 1; i + 1 < args.length; i += 2) {
      String output = args[i + 1];
      long before = Words.LINES.get();
      String outcome;
      try {
        MapReduce.exec(spec(args[i], output, work)).get(CHILD_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        outcome = "written";
      } catch (ExecutionException e) {
        outcome = "failed: " + e.getCause().getMessage();
      }
      System.out.println(output + ": " + (Words.LINES.get() - before) + " lines mapped, " + outcome);
    }
  }

  /**
   * Runs {@link #main} in a child JVM with these system properties, its output and log in
   * {@code dir}; returns what it printed, once it exited 0.
   */
  static List<String> runInChildJvm(Path dir, Map<String, String> properties, String... args)
      throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx256m"));
    command.addAll(S3ProxyServer.jvmOptions(properties));
    command.addAll(List.of("-cp", System.getProperty("java.class.path"), WordCount.class.getName()));
    command.addAll(List.of(args));
    Path out = Files.createTempFile(dir, "child-", ".out");
    Path log = Path.of(out.toString().replaceFirst("\\.out$", ".log"));
    Process p = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(log.toFile()).start();
    if (!p.waitFor(CHILD_TIMEOUT_SECONDS + 30, TimeUnit.SECONDS)) {
      p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      throw new AssertionError("the child JVM did not finish; its log:\n" + Files.readString(log));
    }
    if (p.exitValue() != 0) {
      throw new AssertionError("the child JVM exited with " + p.exitValue() + "; its log:\n" + Files.readString(log));
    }
    return Files.readAllLines(out);
  }
}

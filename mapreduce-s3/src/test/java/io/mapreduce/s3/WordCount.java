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
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;

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
  static MapReduceSpecification.Builder<String, Long> spec(String input, String output, Path workDirectory) {
    return MapReduceSpecification.builder().mapper(new Words()).reducer(new Sum()).combiner(new Sum())
        .input(input).output(output).reduceTasks(3).splitSize(64 << 10).workDirectory(workDirectory);
  }

  /**
   * The same three files in S3 under {@code prefix} and in {@code local}: a short one, one of
   * {@code words} words (a split of 64 KiB holds about 11,000), and one with no newline at its end.
   */
  static void writeInputs(S3Client s3, String bucket, String prefix, Path local, int words) throws IOException {
    StringBuilder big = new StringBuilder();
    for (int i = 0; i < words; i++) {
      big.append("w").append(i % 997).append(i % 7 == 6 ? "\n" : " ");
    }
    List<String> texts = List.of("the cat sat\non the mat\n", big.toString(), "no newline at the end");
    Files.createDirectories(local);
    for (int i = 0; i < texts.size(); i++) {
      String name = "part-" + i + ".txt";
      s3.putObject(PutObjectRequest.builder().bucket(bucket).key(prefix + name).build(),
          RequestBody.fromString(texts.get(i)));
      Files.writeString(local.resolve(name), texts.get(i));
    }
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
        // One attempt a task: a failed S3 request fails the job, not hidden by a task's re-run.
        MapReduce.exec(spec(args[i], output, work).maxTaskAttempts(1).build())
            .get(CHILD_TIMEOUT_SECONDS, TimeUnit.SECONDS);
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

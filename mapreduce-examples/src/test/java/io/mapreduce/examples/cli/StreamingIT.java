package io.mapreduce.examples.cli;

import static io.mapreduce.lib.streaming.StreamingScripts.sortedLines;
import static org.assertj.core.api.Assertions.assertThat;

import io.mapreduce.lib.streaming.StreamingScripts;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code mapreduce streaming} with python3 scripts, embedded and on worker JVMs: the output equals
 * the shell pipeline {@code cat input | mapper | LC_ALL=C sort | reducer} on the same input. One
 * local cluster of two workers serves the cluster cases (plus one run with {@code --local-workers 2}),
 * so the whole class takes well under a minute.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class StreamingIT {
  private static final String MAPPER = """
      #!/usr/bin/env python3
      import sys
      for line in sys.stdin.buffer:
          for w in line.split():
              sys.stdout.buffer.write(w.lower() + b"\\t1\\n")
      """;
  private static final String REDUCER = StreamingScripts.SUM_REDUCER;
  private static final String FAIL = """
      #!/usr/bin/env python3
      import sys
      sys.stdin.buffer.read()
      print("bad record in the mapper", file=sys.stderr)
      sys.exit(3)
      """;

  @TempDir static Path tmp;
  private Path sample;
  private Path scripts;
  private LocalCluster cluster;
  private List<String> wordCount;
  private List<String> mapOnly;
  private int outputs;

  @BeforeAll
  void setUp() throws Exception {
    sample = Path.of("sample").toAbsolutePath();
    assertThat(sample).isDirectory();
    scripts = Files.createDirectories(tmp.resolve("scripts"));
    script("mapper.py", MAPPER);
    script("reducer.py", REDUCER);
    script("fail.py", FAIL);
    script("tag.sh", "#!/bin/sh\nwhile IFS= read -r line; do printf '%s\\t1\\n' \"$TAG\"; done\ncat data.txt\n");
    Files.writeString(scripts.resolve("data.txt"), "from-data-file\t7\n");
    wordCount = pipeline("cat " + sample + "/* | ./mapper.py | LC_ALL=C sort | ./reducer.py");
    mapOnly = pipeline("cat " + sample + "/* | ./mapper.py");
    cluster = LocalCluster.start(2);
  }

  @AfterAll
  void stopCluster() throws Exception {
    if (cluster != null) {
      cluster.close();
    }
  }

  private void script(String name, String text) throws IOException {
    Path p = scripts.resolve(name);
    Files.writeString(p, text);
    Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
  }

  private List<String> pipeline(String command) throws Exception {
    return StreamingScripts.pipeline(scripts, command);
  }

  private static List<String> outputLines(Path out) throws IOException {
    assertThat(out.resolve("_SUCCESS")).exists();
    ByteArrayOutputStream all = new ByteArrayOutputStream();
    try (Stream<Path> files = Files.list(out)) {
      for (Path f : files.filter(f -> f.getFileName().toString().startsWith("mr-out-")).toList()) {
        all.write(Files.readAllBytes(f));
      }
    }
    return sortedLines(all.toByteArray());
  }

  private record Run(int code, String err) {}

  private Run run(Path out, String... args) {
    List<String> all = new ArrayList<>(List.of("streaming"));
    all.addAll(List.of(args));
    all.addAll(List.of("--output", out.toString(), "--work-dir", tmp.resolve("work").toString()));
    StringWriter err = new StringWriter();
    int code = Main.run(new PrintWriter(new StringWriter(), true), new PrintWriter(err, true), all.toArray(String[]::new));
    return new Run(code, err.toString());
  }

  private String file(String name) {
    return scripts.resolve(name).toString();
  }

  private List<String> wordCountArgs(int reduceTasks, String... where) {
    List<String> args = new ArrayList<>(List.of("--input", sample.toString(), "--mapper", "./mapper.py",
        "--file", file("mapper.py"), "--file", file("reducer.py"), "--split-size", "512k",
        "--reduce-tasks", Integer.toString(reduceTasks)));
    if (reduceTasks > 0) {
      args.addAll(List.of("--reducer", "./reducer.py"));
    }
    args.addAll(List.of(where));
    return args;
  }

  @ParameterizedTest(name = "R = {0}")
  @ValueSource(ints = {0, 1, 3})
  void streaming_embedded_equalsShellPipeline(int reduceTasks) throws Exception {
    Path out = tmp.resolve("embedded-" + reduceTasks);
    Run r = run(out, wordCountArgs(reduceTasks).toArray(String[]::new));
    assertThat(r.code()).as("stderr: %s", r.err()).isZero();
    assertThat(outputLines(out)).isEqualTo(reduceTasks == 0 ? mapOnly : wordCount);
  }

  @ParameterizedTest(name = "R = {0}")
  @ValueSource(ints = {0, 1, 3})
  void streaming_onTwoWorkerJvms_equalsShellPipeline(int reduceTasks) throws Exception {
    Path out = tmp.resolve("cluster-" + reduceTasks);
    Run r = run(out, wordCountArgs(reduceTasks, "--cluster", cluster.address()).toArray(String[]::new));
    assertThat(r.code()).as("stderr: %s", r.err()).isZero();
    assertThat(outputLines(out)).isEqualTo(reduceTasks == 0 ? mapOnly : wordCount);
  }

  @Test
  void streaming_localWorkersWithCombiner_equalsShellPipeline() throws Exception {
    Path out = tmp.resolve("local-workers-combiner");
    Run r = run(out, wordCountArgs(3, "--combiner", "./reducer.py", "--local-workers", "2").toArray(String[]::new));
    assertThat(r.code()).as("stderr: %s", r.err()).isZero();
    assertThat(outputLines(out)).isEqualTo(wordCount);
  }

  @Test
  void streaming_hadoopSpellings_cmdenvAndFileSeenByTheProgram() throws Exception {
    Path out = tmp.resolve("hadoop-flags");
    Run r = run(out, "-input", sample.toString(), "-mapper", "./tag.sh", "-reducer", "./reducer.py",
        "-combiner", "./reducer.py", "-numReduceTasks", "2", "-cmdenv", "TAG=hello", "-file", file("tag.sh"),
        "-file", file("reducer.py"), "-file", file("data.txt"));
    assertThat(r.code()).as("stderr: %s", r.err()).isZero();
    List<String> lines = outputLines(out);
    long inputLines = pipeline("cat " + sample + "/* | wc -l").stream().mapToLong(l -> Long.parseLong(l.trim())).sum();
    long maps = Files.list(sample).count();
    assertThat(lines).containsExactly("from-data-file\t" + 7 * maps, "hello\t" + inputLines);
  }

  @Test
  void streaming_mapperExits3_failsWithStatusAndStderrAndLeavesNoOutput() {
    Path out = tmp.resolve("fails");
    Run r = run(out, "--input", sample.toString(), "--mapper", "./fail.py", "--file", file("fail.py"),
        "--cluster", cluster.address());
    assertThat(r.code()).isEqualTo(1);
    assertThat(r.err()).contains("job failed").contains("exited with status 3").contains("bad record in the mapper");
    assertThat(r.err().strip().lines().count()).as("one line: %s", r.err()).isEqualTo(1);
    assertThat(out).doesNotExist();
  }

  /**
   * Issue 16's task timeout on worker JVMs: the first map attempt to start hangs without reading
   * its input; with {@code --task-timeout 2} its worker kills it (and its program) and the master
   * runs the task again, so the job finishes with every line, where it used to hang for ever.
   */
  @Test
  void streaming_hungAttemptOnAWorker_killedByTheTaskTimeoutAndRetried() throws Exception {
    Path out = tmp.resolve("hung");
    Path attempts = tmp.resolve("hung-attempts.log");
    script("hung.sh", StreamingScripts.hungFirstAttempt(tmp.resolve("hung-marker"), attempts));
    Run r = run(out, "--input", sample.toString(), "--mapper", "./hung.sh", "--file", file("hung.sh"),
        "--reduce-tasks", "0", "--task-timeout", "2", "--cluster", cluster.address());
    assertThat(r.code()).as("stderr: %s", r.err()).isZero();
    assertThat(outputLines(out)).isEqualTo(pipeline("cat " + sample + "/*"));
    List<String> started = Files.readAllLines(attempts);
    long maps = started.stream().map(a -> a.substring(0, a.lastIndexOf('_'))).distinct().count();
    // Every map task once, and the hung one a second time: one failed attempt.
    assertThat(started).hasSize((int) maps + 1);
    List<String> retried = started.stream().filter(a -> a.endsWith("_2")).toList();
    assertThat(retried).hasSize(1);
    assertThat(started).contains(retried.get(0).replace("_2", "_1"));
    StreamingScripts.assertHungProgramEnded(tmp.resolve("hung-marker"));
  }

  @Test
  void streaming_negativeTaskTimeout_isABadArgument() {
    Run r = run(tmp.resolve("bad-timeout"), "--input", sample.toString(), "--mapper", "cat", "--task-timeout", "-1");
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).contains("--task-timeout");
  }

  @Test
  void streaming_missingProgram_failsSayingSo() {
    Path out = tmp.resolve("missing");
    Run r = run(out, "--input", sample.toString(), "--mapper", "./no-such-mapper.py");
    assertThat(r.code()).isEqualTo(1);
    assertThat(r.err()).contains("exited with status 127").contains("no-such-mapper.py").contains("not found");
    assertThat(out).doesNotExist();
  }

  @Test
  void streaming_reducerNoneWithReduceTasks_isABadArgument() {
    Run r = run(tmp.resolve("bad"), "--input", sample.toString(), "--mapper", "cat", "--reducer", "NONE",
        "--reduce-tasks", "2");
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).contains("--reducer NONE");
  }
}

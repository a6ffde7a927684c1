package io.mapreduce.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bin/mapreduce} as a user runs it: a child process on the shaded jar that {@code package}
 * built, started from another directory, with relative paths resolved against that directory.
 */
class BinMapreduceIT {
  private static final long TIMEOUT_SECONDS = 60;

  private static Path script;

  @TempDir
  Path cwd;

  @BeforeAll
  static void findScript() throws URISyntaxException, IOException {
    // Walk up from the test classes (target/test-classes), not from the current directory, which
    // depends on how the build was started.
    Path dir = Path.of(BinMapreduceIT.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    while (dir != null && !Files.isRegularFile(dir.resolve("bin/mapreduce"))) {
      dir = dir.getParent();
    }
    assertThat(dir).as("a parent of the test classes holding bin/mapreduce").isNotNull();
    script = dir.resolve("bin/mapreduce");
    try (Stream<Path> jars = Files.list(dir.resolve("mapreduce-examples/target"))) {
      assertThat(jars.map(p -> p.getFileName().toString()))
          .as("the runnable jar, built by package before integration tests")
          .anyMatch(n -> n.startsWith("mapreduce-examples-") && n.endsWith("-all.jar"));
    }
  }

  @BeforeEach
  void writeInput() throws IOException {
    Path corpus = Files.createDirectories(cwd.resolve("corpus"));
    Files.write(corpus.resolve("a.txt"), "one two two\r\nthree three three\n".getBytes(StandardCharsets.UTF_8));
    Files.write(corpus.resolve("b.txt"), "𝒳𝒴 café one\rtwo".getBytes(StandardCharsets.UTF_8));
  }

  record Result(int exitCode, String out, String err) {
    List<String> errLines() {
      return err.lines().toList();
    }
  }

  /** Runs the script (or a link to it) in {@link #cwd} and waits for it. */
  private Result run(Path command, String... args) throws IOException, InterruptedException {
    List<String> argv = new ArrayList<>();
    argv.add(command.toString());
    argv.addAll(List.of(args));
    Path out = cwd.resolve("stdout.txt");
    Path err = cwd.resolve("stderr.txt");
    ProcessBuilder pb = new ProcessBuilder(argv).directory(cwd.toFile())
        .redirectOutput(out.toFile()).redirectError(err.toFile());
    // The JDK that runs the tests, whatever java comes first on the PATH; no inherited JVM options.
    pb.environment().put("PATH", Path.of(System.getProperty("java.home"), "bin") + File.pathSeparator
        + pb.environment().getOrDefault("PATH", "/usr/bin:/bin"));
    pb.environment().remove("JAVA_OPTS");
    Process p = pb.start();
    if (!p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
      p.destroyForcibly().waitFor();
      throw new AssertionError(command + " " + String.join(" ", args) + " did not end within " + TIMEOUT_SECONDS
          + " s; stderr: " + Files.readString(err));
    }
    Result r = new Result(p.exitValue(), Files.readString(out), Files.readString(err));
    Files.delete(out);
    Files.delete(err);
    return r;
  }

  @Test
  void wordcount_relativePathsFromAnotherDirectory_exitsZeroWithTheCounts() throws Exception {
    Result r = run(script, "wordcount", "--input", "corpus", "--output", "counts", "--reduce-tasks", "2",
        "--split-size", "8", "--parallelism", "2", "--work-dir", "work");

    assertThat(r.exitCode()).as("exit code; stderr: %s", r.err()).isZero();
    assertThat(r.out()).contains("succeeded: 2 output files in counts");
    Path counts = cwd.resolve("counts");
    try (Stream<Path> files = Files.list(counts)) {
      assertThat(files.map(p -> p.getFileName().toString()))
          .containsExactlyInAnyOrder("_SUCCESS", "mr-out-00000", "mr-out-00001");
    }
    assertThat(counts.resolve("_SUCCESS")).isEmptyFile();
    List<String> lines = new ArrayList<>(Files.readAllLines(counts.resolve("mr-out-00000")));
    lines.addAll(Files.readAllLines(counts.resolve("mr-out-00001")));
    assertThat(lines).containsExactlyInAnyOrder("one\t2", "two\t3", "three\t3", "café\t1", "𝒳𝒴\t1");
  }

  @Test
  void badArgument_exitsTwoWithTheErrorAndAUsageHint() throws Exception {
    Result r = run(script, "wordcount", "--input", "corpus", "--output", "counts", "--split-size", "banana");

    assertThat(r.exitCode()).isEqualTo(2);
    // Exit 2 is also the script's own "jar not built": the message shows the command line ran.
    assertThat(r.errLines()).containsExactly(
        "mapreduce wordcount: Invalid value for option '--split-size': 'banana' is not a size"
            + " (examples: 1048576, 512k, 64m, 1g)",
        "Try 'mapreduce wordcount --help' for more information.");
    assertThat(r.out()).isEmpty();
    assertThat(cwd.resolve("counts")).doesNotExist();
  }

  @Test
  void outputExists_throughALinkToTheScript_exitsOneWithOneLineAndLeavesItUntouched() throws Exception {
    Path counts = Files.createDirectories(cwd.resolve("counts"));
    Files.writeString(counts.resolve("keep.txt"), "precious");
    // The script finds the jar through its real path, so a link elsewhere works too.
    Path link = Files.createSymbolicLink(cwd.resolve("mr"), script);

    Result r = run(link, "wordcount", "--input", "corpus", "--output", "counts");

    assertThat(r.exitCode()).as("exit code; stderr: %s", r.err()).isEqualTo(1);
    assertThat(r.errLines()).containsExactly("mapreduce: job failed: output directory already exists: counts"
        + " (remove it or choose another; it was not touched)");
    try (Stream<Path> files = Files.list(counts)) {
      assertThat(files).containsExactly(counts.resolve("keep.txt"));
    }
    assertThat(counts.resolve("keep.txt")).hasContent("precious");
    Files.delete(link); // JUnit warns about links to outside its temporary directory
  }
}

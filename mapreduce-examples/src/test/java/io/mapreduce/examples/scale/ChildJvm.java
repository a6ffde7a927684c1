package io.mapreduce.examples.scale;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Runs a child process to its end within a time limit, sampling its peak RSS from /proc. */
final class ChildJvm {
  private static final Pattern HWM = Pattern.compile("VmHWM:\\s+(\\d+) kB");

  record Result(int exitCode, String output, long peakRssKb) {}

  private ChildJvm() {}

  static Result run(List<String> command, Path log, long timeoutSeconds) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    Path status = Path.of("/proc", Long.toString(p.pid()), "status");
    long peak = 0;
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSeconds);
    while (!p.waitFor(100, TimeUnit.MILLISECONDS)) {
      peak = Math.max(peak, peakRss(status));
      if (System.nanoTime() > deadline) {
        p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        throw new AssertionError(command + " did not finish in " + timeoutSeconds + " s; output:\n" + Files.readString(log));
      }
    }
    return new Result(p.exitValue(), Files.readString(log), peak);
  }

  /** The process's peak resident set (VmHWM, which only grows), or 0 once it is gone. */
  private static long peakRss(Path status) {
    try {
      Matcher m = HWM.matcher(Files.readString(status));
      return m.find() ? Long.parseLong(m.group(1)) : 0;
    } catch (IOException gone) {
      return 0;
    }
  }

  static String java() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }

  static void assertSucceeded(Result r) {
    assertThat(r.exitCode()).as("exit code; output:%n%s", r.output()).isZero();
  }
}

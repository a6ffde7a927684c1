package io.mapreduce.lib.streaming;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Python programs, and the sequential oracle (a shell pipeline), shared by the streaming tests of
 * the core and of the command line.
 */
public final class StreamingScripts {
  private StreamingScripts() {}

  /** The output lines of a shell pipeline run in {@code dir}, sorted as bytes; it must exit 0. */
  public static List<String> pipeline(Path dir, String command) throws Exception {
    Process p = new ProcessBuilder("/bin/sh", "-c", command).directory(dir.toFile())
        .redirectError(ProcessBuilder.Redirect.INHERIT).start();
    p.getOutputStream().close();
    byte[] out = p.getInputStream().readAllBytes();
    assertThat(p.waitFor()).as("exit status of %s", command).isZero();
    return sortedLines(out);
  }

  /** Lines of bytes (a last empty one dropped), sorted as bytes. */
  public static List<String> sortedLines(byte[] bytes) {
    // ISO-8859-1 keeps every byte as one char, so sorting the strings sorts the bytes.
    String s = new String(bytes, StandardCharsets.ISO_8859_1);
    List<String> lines = new ArrayList<>(List.of(s.split("\n", -1)));
    if (!lines.isEmpty() && lines.get(lines.size() - 1).isEmpty()) {
      lines.remove(lines.size() - 1);
    }
    lines.sort(null);
    return lines;
  }

  /** Sums adjacent lines of a key, as Hadoop Streaming reducers do; a line without a tab counts 1. */
  public static final String SUM_REDUCER = """
      #!/usr/bin/env python3
      import sys
      out = sys.stdout.buffer
      key, total = None, 0
      for line in sys.stdin.buffer:
          k, _, v = line.rstrip(b"\\n").partition(b"\\t")
          if k != key:
              if key is not None:
                  out.write(key + b"\\t" + str(total).encode() + b"\\n")
              key, total = k, 0
          total += int(v) if v else 1
      if key is not None:
          out.write(key + b"\\t" + str(total).encode() + b"\\n")
      """;

  /**
   * A streaming mapper that logs each attempt's id to {@code attempts}; the first attempt of the
   * job to start (it makes the directory {@code marker}, which only one can) hangs for ever without
   * reading its input, its process id in {@code marker/pid}; every other attempt copies its
   * input. For the task timeout's tests.
   */
  public static String hungFirstAttempt(Path marker, Path attempts) {
    return "#!/bin/sh\n"
        + "echo \"$mapreduce_task_attempt_id\" >> '" + attempts + "'\n"
        + "if mkdir '" + marker + "' 2>/dev/null; then echo $$ > '" + marker + "/pid'; exec sleep 600; fi\n"
        + "exec cat\n";
  }

  /** Asserts that the hung program {@link #hungFirstAttempt} started no longer runs (waiting up to 10 s). */
  public static void assertHungProgramEnded(Path marker) throws Exception {
    long pid = Long.parseLong(java.nio.file.Files.readString(marker.resolve("pid")).trim());
    long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(10);
    while (ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false) && System.nanoTime() < deadline) {
      Thread.sleep(50);
    }
    boolean alive = ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
    if (alive) {
      ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
    }
    assertThat(alive).as("the hung program (pid %s) still runs", pid).isFalse();
  }
}

package io.mapreduce.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ConnectException;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@code mapreduce master}'s status page options: where the page listens, and what it refuses to start with. */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class StatusPageOptionsIT {
  private static final Pattern LISTENING =
      Pattern.compile("master listening on [^:]+:(\\d+) .*status page on http://127\\.0\\.0\\.1:(\\d+)/");

  @TempDir Path tmp;
  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  private Path privateFile(String name, String contents, String mode) throws IOException {
    Path f = Files.writeString(tmp.resolve(name), contents);
    Files.setPosixFilePermissions(f, PosixFilePermissions.fromString(mode));
    return f;
  }

  /**
   * {@code --bind 0.0.0.0} opens the job port to every address (127.0.0.2 reaches it) but not the
   * page, which stays on 127.0.0.1 (127.0.0.2, another loopback address, does not reach it).
   */
  @Test
  void bindAllAddresses_statusPageStaysOn127001() throws Exception {
    Path secret = privateFile("secret", "cli-status-page-secret-0123456789\n", "rw-------");
    Path log = tmp.resolve("master.log");
    Process master = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m",
        "-cp", System.getProperty("java.class.path"), Main.class.getName(), "master", "--bind", "0.0.0.0",
        "--port", "0", "--http-port", "0", "--secret-file", secret.toString(), "--work-dir", tmp.resolve("w").toString())
        .redirectErrorStream(true).redirectOutput(log.toFile()).start();
    try {
      Matcher m = awaitLine(log, master);
      int port = Integer.parseInt(m.group(1));
      int httpPort = Integer.parseInt(m.group(2));

      new Socket("127.0.0.2", port).close();
      new Socket("127.0.0.1", httpPort).close();
      assertThatThrownBy(() -> new Socket("127.0.0.2", httpPort).close()).isInstanceOf(ConnectException.class);
    } finally {
      master.destroy();
      if (!master.waitFor(15, TimeUnit.SECONDS)) {
        master.destroyForcibly();
      }
    }
  }

  private static Matcher awaitLine(Path log, Process p) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (System.nanoTime() < deadline) {
      String text = Files.exists(log) ? Files.readString(log) : "";
      Matcher m = LISTENING.matcher(text);
      if (m.find()) {
        return m;
      }
      assertThat(p.isAlive()).as("master running; its log: %s", text).isTrue();
      Thread.sleep(50);
    }
    throw new AssertionError("no 'master listening' line within 60 s: " + Files.readString(log));
  }

  @Test
  void httpBindOffLoopback_withoutAuthFile_isRefused() {
    int code = Main.run(new PrintWriter(out, true), new PrintWriter(err, true),
        "master", "--port", "0", "--http-port", "0", "--http-bind", "0.0.0.0", "--work-dir", tmp.resolve("w").toString());

    assertThat(code).as("exit code; stderr: %s", err).isEqualTo(1);
    assertThat(err.toString().lines().toList()).singleElement().asString()
        .contains("refusing to serve the status page on 0.0.0.0 without a token", "--http-auth-file");
  }

  @Test
  void authFileReadableByOthers_orShort_isABadArgument() throws Exception {
    for (Path token : List.of(privateFile("open", "0123456789abcdef0123\n", "rw-r--r--"),
        privateFile("short", "tooshort\n", "rw-------"))) {
      StringWriter e = new StringWriter();
      int code = Main.run(new PrintWriter(out, true), new PrintWriter(e, true), "master", "--port", "0",
          "--http-port", "0", "--http-auth-file", token.toString(), "--work-dir", tmp.resolve("w").toString());

      assertThat(code).as("exit code; stderr: %s", e).isEqualTo(2);
      assertThat(e.toString().lines().findFirst().orElseThrow()).startsWith("mapreduce master: ")
          .containsAnyOf("chmod 600 " + token, "at least 16");
    }
  }
}

package io.mapreduce.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --health-port} on real daemon processes: the worker is ready once registered with the
 * master, and not ready once the master is gone, while still alive.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class HealthPortIT {
  private static final Pattern MASTER = Pattern.compile("master listening on [^:]+:(\\d+) .*health on port (\\d+)");
  private static final Pattern WORKER = Pattern.compile("worker with .* health on port (\\d+)");

  @TempDir Path tmp;
  private final List<Process> processes = new ArrayList<>();
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  @AfterEach
  void stop() throws InterruptedException {
    for (Process p : processes) {
      p.destroy();
      if (!p.waitFor(15, TimeUnit.SECONDS)) {
        p.destroyForcibly();
      }
    }
  }

  private Process start(String name, String... args) throws IOException {
    List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx256m", "-cp", System.getProperty("java.class.path"), Main.class.getName()));
    command.addAll(List.of(args));
    Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(tmp.resolve(name + ".log").toFile())
        .start();
    processes.add(p);
    return p;
  }

  @Test
  void workerReadyWhileRegistered_masterReadyWhileListening() throws Exception {
    Path secret = Files.writeString(tmp.resolve("secret"), "health-port-it-secret-0123456789\n");
    Files.setPosixFilePermissions(secret, PosixFilePermissions.fromString("rw-------"));
    Process master = start("master", "master", "--port", "0", "--http-port", "-1", "--health-port", "0",
        "--secret-file", secret.toString(), "--work-dir", tmp.resolve("m").toString());
    Matcher m = awaitLine(tmp.resolve("master.log"), master, MASTER);
    int masterPort = Integer.parseInt(m.group(1));
    int masterHealth = Integer.parseInt(m.group(2));
    assertThat(status(masterHealth, "/readyz")).isEqualTo(200);
    assertThat(status(masterHealth, "/healthz")).isEqualTo(200);

    Process worker = start("worker", "worker", "--master", "127.0.0.1:" + masterPort, "--slots", "1", "--health-port",
        "0", "--secret-file", secret.toString(), "--work-dir", tmp.resolve("w").toString());
    int workerHealth = Integer.parseInt(awaitLine(tmp.resolve("worker.log"), worker, WORKER).group(1));
    awaitStatus(workerHealth, "/readyz", 200);

    master.destroy();
    assertThat(master.waitFor(15, TimeUnit.SECONDS)).isTrue();
    awaitStatus(workerHealth, "/readyz", 503);
    assertThat(status(workerHealth, "/healthz")).isEqualTo(200);
  }

  @Test
  void healthPortOutOfRange_isABadArgument() {
    StringWriter err = new StringWriter();
    int code = Main.run(new PrintWriter(new StringWriter(), true), new PrintWriter(err, true), "master", "--port", "0",
        "--http-port", "-1", "--health-port", "70000");

    assertThat(code).as("exit code; stderr: %s", err).isEqualTo(2);
    assertThat(err.toString().lines().findFirst().orElseThrow()).contains("--health-port must be in 0..65535");
  }

  private int status(int port, String path) throws IOException, InterruptedException {
    HttpRequest r = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
        .timeout(Duration.ofSeconds(5)).GET().build();
    return http.send(r, HttpResponse.BodyHandlers.discarding()).statusCode();
  }

  private void awaitStatus(int port, String path, int expected) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    int last;
    do {
      last = status(port, path);
      if (last == expected) {
        return;
      }
      Thread.sleep(100);
    } while (System.nanoTime() < deadline);
    assertThat(last).as("%s within 30 s", path).isEqualTo(expected);
  }

  private static Matcher awaitLine(Path log, Process p, Pattern line) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (System.nanoTime() < deadline) {
      String text = Files.exists(log) ? Files.readString(log) : "";
      Matcher m = line.matcher(text);
      if (m.find()) {
        return m;
      }
      assertThat(p.isAlive()).as("process running; its log: %s", text).isTrue();
      Thread.sleep(50);
    }
    throw new AssertionError("no line matching " + line + " within 60 s: " + Files.readString(log));
  }
}

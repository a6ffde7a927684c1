package io.mapreduce.netty.master;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mapreduce.netty.worker.Worker;
import java.io.IOException;
import java.io.InputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The health endpoint on real sockets on 127.0.0.1, in front of a real master and worker: what it
 * answers, when they are ready, and the bounds on what a client can make it hold.
 */
class HealthServerTest {
  private static final Duration WAIT = Duration.ofSeconds(15);

  @TempDir
  Path dir;

  private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private final List<AutoCloseable> closeLast = new ArrayList<>();

  @AfterEach
  void closeAll() throws Exception {
    for (int i = closeLast.size() - 1; i >= 0; i--) {
      closeLast.get(i).close();
    }
  }

  private <T extends AutoCloseable> T closeLater(T c) {
    closeLast.add(c);
    return c;
  }

  private HealthServer health(BooleanSupplier ready) throws InterruptedException {
    return closeLater(HealthServer.start("127.0.0.1", 0, ready));
  }

  private HttpResponse<String> get(HealthServer h, String path) throws IOException, InterruptedException {
    return send(h, "GET", path);
  }

  private HttpResponse<String> send(HealthServer h, String method, String path) throws IOException, InterruptedException {
    HttpRequest r = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + h.port() + path))
        .timeout(Duration.ofSeconds(10)).method(method, HttpRequest.BodyPublishers.noBody()).build();
    return client.send(r, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
  }

  /** Polls {@code /readyz} until it answers {@code status}, for at most {@link #WAIT}. */
  private void awaitReadiness(HealthServer h, int status) throws Exception {
    long deadline = System.nanoTime() + WAIT.toNanos();
    int last;
    do {
      last = get(h, "/readyz").statusCode();
      if (last == status) {
        return;
      }
      Thread.sleep(50);
    } while (System.nanoTime() < deadline);
    assertThat(last).as("/readyz within %s", WAIT).isEqualTo(status);
  }

  @Test
  void master_isAliveAtOnce_readyWhileListening_notReadyOnceClosing() throws Exception {
    AtomicReference<Master> master = new AtomicReference<>();
    HealthServer h = health(() -> master.get() != null && master.get().listening());

    assertThat(get(h, "/healthz").statusCode()).isEqualTo(200);
    assertThat(get(h, "/healthz").body()).isEqualTo("ok\n");
    HttpResponse<String> notYet = get(h, "/readyz");
    assertThat(notYet.statusCode()).isEqualTo(503);
    assertThat(notYet.body()).isEqualTo("not ready\n");

    Master m = Master.start(Master.Config.local());
    master.set(m);
    HttpResponse<String> ready = get(h, "/readyz");
    assertThat(ready.statusCode()).isEqualTo(200);
    assertThat(ready.body()).isEqualTo("ok\n");

    m.close();
    assertThat(get(h, "/readyz").statusCode()).isEqualTo(503);
    assertThat(get(h, "/healthz").statusCode()).isEqualTo(200);
  }

  @Test
  void worker_readyOnlyWhileRegisteredWithItsMaster() throws Exception {
    int masterPort;
    try (ServerSocket free = new ServerSocket(0)) {
      masterPort = free.getLocalPort();
    }
    Worker worker = closeLater(Worker.start(Worker.Config.local(masterPort, 1, dir.resolve("worker"))));
    HealthServer h = health(worker::registered);

    // No master yet: alive, not ready.
    assertThat(get(h, "/healthz").statusCode()).isEqualTo(200);
    assertThat(get(h, "/readyz").statusCode()).isEqualTo(503);

    Master master = Master.start(Master.Config.local().withPort(masterPort));
    try {
      awaitReadiness(h, 200);
      assertThat(worker.id()).isNotNull();
    } finally {
      master.close();
    }
    // The master is gone: not ready while disconnected, though alive.
    awaitReadiness(h, 503);
    assertThat(get(h, "/healthz").statusCode()).isEqualTo(200);
  }

  @Test
  void readinessThatThrows_isNotReady() throws Exception {
    HealthServer h = health(() -> {
      throw new IllegalStateException("secret detail");
    });
    HttpResponse<String> r = get(h, "/readyz");
    assertThat(r.statusCode()).isEqualTo(503);
    assertThat(r.body()).isEqualTo("not ready\n");
  }

  @Test
  void otherPathsAreNotFound_otherMethodsNotAllowed() throws Exception {
    HealthServer h = health(() -> true);
    for (String path : List.of("/", "/api/status", "/healthz/x", "/readyz.json", "/metrics")) {
      HttpResponse<String> r = get(h, path);
      assertThat(r.statusCode()).as(path).isEqualTo(404);
      assertThat(r.body()).as(path).isEqualTo("not found: this is /healthz and /readyz only\n");
    }
    for (String method : List.of("POST", "PUT", "DELETE")) {
      HttpResponse<String> r = send(h, method, "/healthz");
      assertThat(r.statusCode()).as(method).isEqualTo(405);
      assertThat(r.headers().firstValue("Allow")).hasValue("GET");
    }
    // A query changes nothing (a prober may add one).
    assertThat(get(h, "/readyz?verbose").statusCode()).isEqualTo(200);
  }

  @Test
  void requestLineOrHeadersOverTheLimit_isRefusedAndClosed() throws Exception {
    HealthServer h = health(() -> true);
    String longLine = "GET /healthz?" + "a".repeat(2000) + " HTTP/1.1\r\nHost: x\r\n\r\n";
    assertThat(raw(h, longLine)).startsWith("HTTP/1.").contains(" 400 Bad Request\r\n");
    String longHeaders = "GET /healthz HTTP/1.1\r\nHost: x\r\nX-Pad: " + "b".repeat(3000) + "\r\n\r\n";
    assertThat(raw(h, longHeaders)).startsWith("HTTP/1.").contains(" 400 Bad Request\r\n");
  }

  @Test
  void connectionsOverTheCap_areRefusedWith503() throws Exception {
    HealthServer h = health(() -> true);
    List<Socket> held = new ArrayList<>();
    try {
      for (int i = 0; i < HealthServer.MAX_CONNECTIONS; i++) {
        held.add(new Socket("127.0.0.1", h.port()));
      }
      // Each held connection counts once the server accepted it: the next is the one over the cap.
      long deadline = System.nanoTime() + WAIT.toNanos();
      String answer;
      do {
        // Nothing sent: the refusal is written without reading, and unread bytes could reset it.
        answer = raw(h, "");
      } while (!answer.startsWith("HTTP/1.1 503") && System.nanoTime() < deadline);
      assertThat(answer).startsWith("HTTP/1.1 503 ").endsWith("the health endpoint has too many connections open; try again\n");
    } finally {
      for (Socket s : held) {
        s.close();
      }
    }
    awaitReadiness(h, 200);
  }

  @Test
  void clientThatNeverFinishesItsRequest_isClosedAtTheDeadline() throws Exception {
    ConnectionDeadlines.Limits quick = new ConnectionDeadlines.Limits(4, Duration.ofMillis(300), Duration.ofMillis(300),
        Duration.ofMillis(300));
    HealthServer h = closeLater(HealthServer.start("127.0.0.1", 0, quick, () -> true));
    try (Socket s = new Socket("127.0.0.1", h.port())) {
      s.setSoTimeout((int) WAIT.toMillis());
      long start = System.nanoTime();
      s.getOutputStream().write("GET /hea".getBytes(StandardCharsets.US_ASCII));
      s.getOutputStream().flush();
      assertThat(s.getInputStream().read()).as("closed without an answer").isEqualTo(-1);
      assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
    }
  }

  @Test
  void portOutOfRange_isRefused() {
    assertThatThrownBy(() -> HealthServer.start("127.0.0.1", 65536, () -> true))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("0..65535");
  }

  /** Sends {@code request} as is and reads until the server closes (or for {@link #WAIT}). */
  private static String raw(HealthServer h, String request) throws IOException {
    try (Socket s = new Socket("127.0.0.1", h.port())) {
      s.setSoTimeout((int) WAIT.toMillis());
      if (!request.isEmpty()) {
        s.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
        s.getOutputStream().flush();
      }
      s.shutdownOutput();
      InputStream in = s.getInputStream();
      return new String(in.readAllBytes(), StandardCharsets.US_ASCII);
    } catch (java.net.SocketException reset) {
      // A refused connection may be reset before we read its answer: report it as no answer.
      return "";
    }
  }
}

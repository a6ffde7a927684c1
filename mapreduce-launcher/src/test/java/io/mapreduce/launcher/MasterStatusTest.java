package io.mapreduce.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@link MasterStatus} against a real HTTP server on 127.0.0.1: the status page as the master
 * writes it, and answers that are not one (an endless body, a page count past any int), which
 * must fail in one line with bounded memory.
 */
@Timeout(30)
class MasterStatusTest {
  private HttpServer server;

  private int serve(String contentType, BodyWriter body) throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/api/status", exchange -> {
      if (!"Bearer secret-token".equals(exchange.getRequestHeaders().getFirst("Authorization"))) {
        exchange.sendResponseHeaders(401, -1);
        exchange.close();
        return;
      }
      exchange.getResponseHeaders().set("Content-Type", contentType);
      exchange.sendResponseHeaders(200, 0);
      try (OutputStream out = exchange.getResponseBody()) {
        body.write(out, exchange.getRequestURI().getQuery());
      } catch (IOException clientWentAway) {
        // The reader stopped reading: what the endless body is for.
      }
    });
    server.start();
    return server.getAddress().getPort();
  }

  interface BodyWriter {
    void write(OutputStream out, String query) throws IOException;
  }

  @AfterEach
  void stop() {
    if (server != null) {
      server.stop(0);
    }
  }

  @Test
  void workers_pagesAsTheMasterWritesThem_allWorkersOfAllPages() throws Exception {
    int port = serve("application/json", (out, query) -> {
      String page = query.substring(query.indexOf('=') + 1);
      String json = "{\"workers\":[{\"id\":\"w" + page + "\",\"shuffleAddress\":\"10.0.0." + page
          + ":7070\",\"location\":\"rack \\\"" + page + "\\\"\"}],\"workersPage\":{\"page\":" + page + ",\"pages\":2}}";
      out.write(json.getBytes(StandardCharsets.UTF_8));
    });
    var workers = new MasterStatus("127.0.0.1", port, "secret-token").workers();
    assertThat(workers).containsExactly(new MasterStatus.Registered("10.0.0.0", "rack \"0\""),
        new MasterStatus.Registered("10.0.0.1", "rack \"1\""));
  }

  @Test
  void workers_endlessBody_failsNamingTheBoundAfterReadingNoMoreThanIt() throws Exception {
    AtomicLong sent = new AtomicLong();
    int port = serve("application/json", (out, query) -> {
      byte[] chunk = new byte[64 << 10];
      java.util.Arrays.fill(chunk, (byte) ' ');
      // A gigabyte, unless the reader stops first.
      for (int i = 0; i < (1 << 30) / chunk.length; i++) {
        out.write(chunk);
        sent.addAndGet(chunk.length);
      }
    });
    assertThatThrownBy(() -> new MasterStatus("127.0.0.1", port, "secret-token").workers())
        .isInstanceOf(IOException.class)
        .hasMessageContaining("larger than 4 MiB: not a status page");
    // The server may have buffered ahead of the reader, but not the whole gigabyte.
    assertThat(sent.get()).isLessThan(256L << 20);
  }

  @Test
  void workers_pageCountPastAnyInt_failsAfterOnePage() throws Exception {
    AtomicLong requests = new AtomicLong();
    int port = serve("application/json", (out, query) -> {
      requests.incrementAndGet();
      out.write("{\"workersPage\":{\"page\":0,\"pages\":99999999999999999999}}".getBytes(StandardCharsets.UTF_8));
    });
    assertThatThrownBy(() -> new MasterStatus("127.0.0.1", port, "secret-token").workers())
        .isInstanceOf(IOException.class)
        .hasMessageContaining("says it has 99999999999999999999 pages of workers, more than 1000");
    assertThat(requests.get()).isEqualTo(1);
  }

  @Test
  void workers_wrongToken_failsWithTheStatus() throws Exception {
    int port = serve("application/json", (out, query) -> out.write("{}".getBytes(StandardCharsets.UTF_8)));
    assertThatThrownBy(() -> new MasterStatus("127.0.0.1", port, "other").workers())
        .isInstanceOf(IOException.class).hasMessageContaining("answered HTTP 401");
  }
}

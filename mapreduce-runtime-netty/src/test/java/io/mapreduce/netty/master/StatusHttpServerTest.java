package io.mapreduce.netty.master;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.BindException;
import java.net.ConnectException;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The status page on a real socket on 127.0.0.1, read with the JDK's HTTP client. */
class StatusHttpServerTest {
  private static final String NASTY = "<script>\"x\"&'";

  private static final MasterState.Status STATUS = new MasterState.Status("card-dealing",
      List.of(
          new MasterState.Status.WorkerStatus("worker-1", "10.0.0.1:7001", 4, 3, 0.75, 1500),
          new MasterState.Status.WorkerStatus("worker-2", "10.0.0.2:7001", 2, 0, -1, 250)),
      List.of(
          new MasterState.Status.JobStatus("job-1", "count " + NASTY, "map", 10, 3, 4, 0, 1,
              Map.of("map.input.records", 1200L), 5300),
          new MasterState.Status.JobStatus("job-2", NASTY, "reduce", 8, 8, 2, 1, 0,
              Map.of("tab\there", 7L, "back\\slash", 9L), 61000)));

  private EventLoopGroup group;
  private StatusHttpServer server;
  private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  @BeforeEach
  void group() {
    group = new NioEventLoopGroup(1, new DefaultThreadFactory("status-http-test", true));
  }

  @AfterEach
  void stop() {
    if (server != null) {
      server.close();
    }
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly();
  }

  private void start(Supplier<MasterState.Status> status) throws InterruptedException {
    server = StatusHttpServer.start(group, "127.0.0.1", 0, status);
  }

  private HttpResponse<String> request(String method, String path) throws IOException, InterruptedException {
    HttpRequest r = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
        .timeout(Duration.ofSeconds(10))
        .method(method, HttpRequest.BodyPublishers.noBody())
        .build();
    return client.send(r, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
  }

  @Test
  void start_portZero_listensOnAnEphemeralPort() throws Exception {
    start(() -> STATUS);

    assertThat(server.port()).isPositive();
  }

  @Test
  void get_root_returnsHtmlWithWorkersAndJobs() throws Exception {
    start(() -> STATUS);

    HttpResponse<String> r = request("GET", "/");

    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("content-type")).hasValue("text/html; charset=utf-8");
    assertThat(r.headers().firstValueAsLong("content-length"))
        .hasValue(r.body().getBytes(StandardCharsets.UTF_8).length);
    assertThat(r.body())
        .startsWith("<!DOCTYPE html>")
        .contains("<meta http-equiv=\"refresh\" content=\"2\">")
        .contains("Scheduler: card-dealing")
        .contains("<td>worker-1</td><td>10.0.0.1:7001</td><td class=\"n\">4</td><td class=\"n\">3</td>"
            + "<td class=\"n\">0.75</td><td class=\"n\">1.5 s</td>")
        .contains("<td>worker-2</td><td>10.0.0.2:7001</td><td class=\"n\">2</td><td class=\"n\">0</td>"
            + "<td class=\"n\">unknown</td><td class=\"n\">0.3 s</td>")
        .contains("<td>job-1</td>")
        .contains("<td class=\"n\">3/10 (30%)</td><td class=\"n\">0/4 (0%)</td><td class=\"n\">1</td>"
            + "<td class=\"n\">5.3 s</td><td>map.input.records: 1200</td>")
        .contains("<td class=\"n\">8/8 (100%)</td><td class=\"n\">1/2 (50%)</td>")
        .contains("back\\slash: 9<br>tab\there: 7");
  }

  @Test
  void get_root_escapesEveryStringInHtml() throws Exception {
    start(() -> STATUS);

    String body = request("GET", "/").body();

    assertThat(body)
        .contains("<td>count &lt;script&gt;&quot;x&quot;&amp;&#39;</td>")
        .contains("<td>&lt;script&gt;&quot;x&quot;&amp;&#39;</td>")
        .doesNotContain(NASTY)
        .doesNotContain("<script");
  }

  @Test
  void get_root_withQueryString_isStillTheStatusPage() throws Exception {
    start(() -> STATUS);

    HttpResponse<String> r = request("GET", "/?refresh=1");

    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).contains("Scheduler: card-dealing");
  }

  @Test
  void get_apiStatus_returnsWorkersAndJobsAsJson() throws Exception {
    start(() -> STATUS);

    HttpResponse<String> r = request("GET", "/api/status");

    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("content-type")).hasValue("application/json; charset=utf-8");
    assertThat(r.headers().firstValueAsLong("content-length"))
        .hasValue(r.body().getBytes(StandardCharsets.UTF_8).length);
    Map<String, Object> worker1 = new LinkedHashMap<>();
    worker1.put("id", "worker-1");
    worker1.put("shuffleAddress", "10.0.0.1:7001");
    worker1.put("slots", 4L);
    worker1.put("running", 3L);
    worker1.put("cpuLoad", 0.75);
    worker1.put("millisSinceHeartbeat", 1500L);
    Map<String, Object> job2 = new LinkedHashMap<>();
    job2.put("id", "job-2");
    job2.put("name", NASTY);
    job2.put("phase", "reduce");
    job2.put("maps", Map.of("total", 8L, "done", 8L));
    job2.put("reduces", Map.of("total", 2L, "done", 1L));
    job2.put("failedAttempts", 0L);
    job2.put("elapsedMillis", 61000L);
    job2.put("counters", Map.of("tab\there", 7L, "back\\slash", 9L));

    Object parsed = Json.parse(r.body());

    assertThat(parsed).isInstanceOf(Map.class);
    Map<?, ?> root = (Map<?, ?>) parsed;
    assertThat(new ArrayList<Object>(root.keySet())).containsExactly("scheduler", "workers", "jobs");
    assertThat(root.get("scheduler")).isEqualTo("card-dealing");
    List<?> workers = (List<?>) root.get("workers");
    assertThat(workers).hasSize(2);
    assertThat(workers.get(0)).isEqualTo(worker1);
    assertThat(((Map<?, ?>) workers.get(1)).get("cpuLoad")).isEqualTo(-1.0);
    List<?> jobs = (List<?>) root.get("jobs");
    assertThat(jobs).hasSize(2);
    assertThat(((Map<?, ?>) jobs.get(0)).get("name")).isEqualTo("count " + NASTY);
    assertThat(jobs.get(1)).isEqualTo(job2);
  }

  @Test
  void get_apiStatus_escapesQuotesBackslashesAndControlCharacters() throws Exception {
    start(() -> STATUS);

    String body = request("GET", "/api/status").body();

    assertThat(body)
        .contains("\"name\":\"<script>\\\"x\\\"&'\"")
        .contains("\"back\\\\slash\":9")
        .contains("\"tab\\u0009here\":7")
        .doesNotContain("\t");
  }

  @Test
  void json_nonFiniteCpuLoadAndNullStrings_stayValidJson() {
    MasterState.Status odd = new MasterState.Status(null,
        List.of(new MasterState.Status.WorkerStatus("w\u0000\u001f", null, 1, 0, Double.NaN, 0)),
        List.of(new MasterState.Status.JobStatus("j", null, "map", 0, 0, 0, 0, 0, null, 0)));

    String json = StatusHttpServer.json(odd);

    assertThat(json).contains("\"id\":\"w\\u0000\\u001f\"").contains("\"cpuLoad\":null");
    Map<?, ?> root = (Map<?, ?>) Json.parse(json);
    assertThat(root.get("scheduler")).isNull();
    Map<?, ?> job = (Map<?, ?>) ((List<?>) root.get("jobs")).get(0);
    assertThat(job.get("name")).isNull();
    assertThat(job.get("counters")).isEqualTo(Map.of());
    assertThat(StatusHttpServer.html(odd)).contains("<td class=\"n\">0/0</td>");
  }

  @Test
  void get_otherPath_returns404() throws Exception {
    start(() -> STATUS);

    assertThat(request("GET", "/jobs").statusCode()).isEqualTo(404);
    assertThat(request("GET", "/api/status/extra").statusCode()).isEqualTo(404);
  }

  @Test
  void otherMethods_return405WithAllowGet() throws Exception {
    start(() -> STATUS);

    for (String method : List.of("POST", "PUT", "DELETE", "HEAD")) {
      HttpResponse<String> r = request(method, "/api/status");
      assertThat(r.statusCode()).as(method).isEqualTo(405);
      assertThat(r.headers().firstValue("allow")).as(method).hasValue("GET");
    }
    assertThat(request("POST", "/").statusCode()).isEqualTo(405);
  }

  @Test
  void get_whenStatusSupplierThrows_returns503WithOneLine() throws Exception {
    start(() -> {
      throw new IllegalStateException("master state did not answer");
    });

    for (String path : List.of("/", "/api/status")) {
      HttpResponse<String> r = request("GET", path);
      assertThat(r.statusCode()).as(path).isEqualTo(503);
      assertThat(r.headers().firstValue("content-type")).hasValue("text/plain; charset=utf-8");
      assertThat(r.body()).as(path).isNotBlank().endsWith("\n");
      assertThat(r.body().strip()).as(path).doesNotContain("\n");
    }
  }

  @Test
  void get_manyRequests_eachSeesTheSupplierAgain() throws Exception {
    AtomicInteger calls = new AtomicInteger();
    start(() -> {
      calls.incrementAndGet();
      return STATUS;
    });

    for (int i = 0; i < 5; i++) {
      assertThat(request("GET", "/api/status").statusCode()).isEqualTo(200);
    }

    assertThat(calls).hasValue(5);
  }

  @Test
  void get_connectionClose_closesTheConnectionAfterTheResponse() throws Exception {
    start(() -> STATUS);

    try (Socket s = new Socket("127.0.0.1", server.port())) {
      s.setSoTimeout(10_000);
      OutputStream out = s.getOutputStream();
      out.write("GET /api/status HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      out.flush();
      InputStream in = s.getInputStream();
      String response = new String(in.readAllBytes(), StandardCharsets.UTF_8); // returns only at end of stream

      assertThat(response).startsWith("HTTP/1.1 200 OK\r\n").contains("\"scheduler\":\"card-dealing\"");
      assertThat(response.toLowerCase()).contains("connection: close");
    }
  }

  @Test
  void get_garbage_returns400AndCloses() throws Exception {
    start(() -> STATUS);

    try (Socket s = new Socket("127.0.0.1", server.port())) {
      s.setSoTimeout(10_000);
      s.getOutputStream().write("\u0001\u0002 not http at all\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
      String response = new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);

      assertThat(response).contains(" 400 ");
    }
  }

  @Test
  void close_stopsListening() throws Exception {
    start(() -> STATUS);
    int port = server.port();
    assertThat(request("GET", "/").statusCode()).isEqualTo(200);

    server.close();
    server = null;

    assertThatThrownBy(() -> new Socket("127.0.0.1", port).close()).isInstanceOf(ConnectException.class);
  }

  @Test
  void start_badPort_isRejected() {
    assertThatThrownBy(() -> StatusHttpServer.start(group, "127.0.0.1", 70000, () -> STATUS))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("70000");
  }

  @Test
  void start_portInUse_throwsBindException() throws Exception {
    start(() -> STATUS);

    assertThatThrownBy(() -> StatusHttpServer.start(group, "127.0.0.1", server.port(), () -> STATUS))
        .isInstanceOf(BindException.class);
  }

  /** Just enough of a JSON parser to check that the page's JSON is well formed and round-trips. */
  private static final class Json {
    private final String s;
    private int i;

    private Json(String s) {
      this.s = s;
    }

    static Object parse(String s) {
      Json p = new Json(s);
      Object v = p.value();
      p.ws();
      if (p.i != s.length()) {
        throw p.error("trailing characters");
      }
      return v;
    }

    private Object value() {
      ws();
      if (i >= s.length()) {
        throw error("unexpected end");
      }
      char c = s.charAt(i);
      if (c == '{') {
        return object();
      } else if (c == '[') {
        return array();
      } else if (c == '"') {
        return string();
      } else if (s.startsWith("null", i)) {
        i += 4;
        return null;
      } else if (s.startsWith("true", i)) {
        i += 4;
        return true;
      } else if (s.startsWith("false", i)) {
        i += 5;
        return false;
      }
      return number();
    }

    private Map<String, Object> object() {
      Map<String, Object> m = new LinkedHashMap<>();
      i++;
      ws();
      if (peek() == '}') {
        i++;
        return m;
      }
      while (true) {
        ws();
        String key = string();
        ws();
        expect(':');
        if (m.containsKey(key)) {
          throw error("duplicate key " + key);
        }
        m.put(key, value());
        ws();
        if (peek() == ',') {
          i++;
        } else {
          expect('}');
          return m;
        }
      }
    }

    private List<Object> array() {
      List<Object> l = new ArrayList<>();
      i++;
      ws();
      if (peek() == ']') {
        i++;
        return l;
      }
      while (true) {
        l.add(value());
        ws();
        if (peek() == ',') {
          i++;
        } else {
          expect(']');
          return l;
        }
      }
    }

    private String string() {
      expect('"');
      StringBuilder b = new StringBuilder();
      while (true) {
        if (i >= s.length()) {
          throw error("unterminated string");
        }
        char c = s.charAt(i++);
        if (c == '"') {
          return b.toString();
        } else if (c < 0x20) {
          throw error("raw control character in string");
        } else if (c != '\\') {
          b.append(c);
        } else {
          char e = s.charAt(i++);
          switch (e) {
            case '"', '\\', '/' -> b.append(e);
            case 'b' -> b.append('\b');
            case 'f' -> b.append('\f');
            case 'n' -> b.append('\n');
            case 'r' -> b.append('\r');
            case 't' -> b.append('\t');
            case 'u' -> {
              b.append((char) Integer.parseInt(s.substring(i, i + 4), 16));
              i += 4;
            }
            default -> throw error("bad escape \\" + e);
          }
        }
      }
    }

    /** Integers as Long, anything with a fraction or exponent as Double. */
    private Object number() {
      int start = i;
      if (peek() == '-') {
        i++;
      }
      while (i < s.length() && "0123456789.eE+-".indexOf(s.charAt(i)) >= 0) {
        i++;
      }
      String n = s.substring(start, i);
      if (!n.matches("-?(0|[1-9][0-9]*)(\\.[0-9]+)?([eE][+-]?[0-9]+)?")) {
        throw error("bad number " + n);
      }
      return n.matches("-?[0-9]+") ? (Object) Long.parseLong(n) : (Object) Double.parseDouble(n);
    }

    private void ws() {
      while (i < s.length() && " \t\r\n".indexOf(s.charAt(i)) >= 0) {
        i++;
      }
    }

    private char peek() {
      if (i >= s.length()) {
        throw error("unexpected end");
      }
      return s.charAt(i);
    }

    private void expect(char c) {
      if (peek() != c) {
        throw error("expected " + c);
      }
      i++;
    }

    private IllegalArgumentException error(String what) {
      return new IllegalArgumentException(what + " at " + i + " in " + s);
    }
  }
}

package io.mapreduce.netty.master;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mapreduce.netty.protocol.Message;
import io.mapreduce.netty.protocol.Message.TaskKind;
import io.mapreduce.thirdparty.io.netty.channel.EventLoopGroup;
import io.mapreduce.thirdparty.io.netty.channel.nio.NioEventLoopGroup;
import io.mapreduce.thirdparty.io.netty.util.concurrent.DefaultThreadFactory;
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
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The status page on a real socket on 127.0.0.1, read with the JDK's HTTP client. */
class StatusHttpServerTest {
  private static final String NASTY = "<script>\"x\"&'";

  private static final MasterState.Status STATUS = new MasterState.Status("card-dealing",
      List.of(
          new MasterState.Status.WorkerStatus("worker-1", "10.0.0.1:7001", 4, 3, 0.75, 1500, "ec2 i-0abc " + NASTY),
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

  /** Serves this status, with no running job's attempts (as {@link StatusSnapshot#of}). */
  private void start(Supplier<MasterState.Status> status) throws InterruptedException {
    serve(() -> StatusSnapshot.of(status.get()));
  }

  private void serve(Supplier<StatusSnapshot> snapshot) throws InterruptedException {
    server = StatusHttpServer.start(group, "127.0.0.1", 0, snapshot);
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
        .contains("<td>worker-1</td><td>10.0.0.1:7001</td><td>ec2 i-0abc &lt;script&gt;&quot;x&quot;&amp;&#39;</td>"
            + "<td class=\"n\">4</td><td class=\"n\">3</td>"
            + "<td class=\"n\">0.75</td><td class=\"n\">1.5 s</td>")
        .contains("<td>worker-2</td><td>10.0.0.2:7001</td><td></td><td class=\"n\">2</td><td class=\"n\">0</td>"
            + "<td class=\"n\">unknown</td><td class=\"n\">0.3 s</td>")
        .contains("<td><a href=\"job/job-1\">job-1</a></td>")
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
    worker1.put("location", "ec2 i-0abc " + NASTY);
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
    assertThat(new ArrayList<Object>(root.keySet()))
        .containsExactly("scheduler", "workers", "jobs", "workersPage", "jobsPage");
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

    String json = StatusPages.statusJson(odd, 0, 0);

    assertThat(json).contains("\"id\":\"w\\u0000\\u001f\"").contains("\"cpuLoad\":null");
    Map<?, ?> root = (Map<?, ?>) Json.parse(json);
    assertThat(root.get("scheduler")).isNull();
    Map<?, ?> job = (Map<?, ?>) ((List<?>) root.get("jobs")).get(0);
    assertThat(job.get("name")).isNull();
    assertThat(job.get("counters")).isEqualTo(Map.of());
    assertThat(StatusPages.statusHtml(odd, 0, 0)).contains("<td class=\"n\">0/0</td>");
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
      out.write("GET /api/status HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
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
  void get_headersOver8KiB_returns400AndCloses() throws Exception {
    start(() -> STATUS);

    String response = exchange("GET /api/status HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: " + "a".repeat(9000)
        + "\r\n\r\n");

    assertThat(response).startsWith("HTTP/1.1 400 Bad Request\r\n").contains("headers over 8 KiB");
  }

  @Test
  void pipelined_twoRequests_bothAnswered_inOrder() throws Exception {
    start(() -> STATUS);

    String response = exchange("GET /api/status HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
        + "GET /nothing HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");

    assertThat(response).startsWith("HTTP/1.1 200 OK\r\n");
    assertThat(response.indexOf("HTTP/1.1 404 Not Found")).isGreaterThan(response.indexOf("\"scheduler\""));
  }

  @Test
  void pipelined_manyRequests_twoAnsweredThenClosed() throws Exception {
    AtomicInteger calls = new AtomicInteger();
    start(() -> {
      calls.incrementAndGet();
      return STATUS;
    });

    String response = exchange("GET /api/status HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".repeat(50));

    assertThat(count(response, "HTTP/1.1 200 OK")).isEqualTo(2);
    assertThat(calls).hasValue(2);
  }

  @Test
  void pipelined_withExpectations_foreignHost_stillOneAtATime_andHostChecked() throws Exception {
    AtomicInteger calls = new AtomicInteger();
    start(() -> {
      calls.incrementAndGet();
      return STATUS;
    });

    // An expectation used to be answered (417) by the aggregator itself, before the Host check and
    // the one-request-at-a-time rule, for as long as the client kept sending.
    String response = exchange("GET / HTTP/1.1\r\nHost: evil.example\r\nExpect: x\r\n\r\n".repeat(2_000));

    assertThat(count(response, "HTTP/1.1 ")).isBetween(1, 2);
    assertThat(response).startsWith("HTTP/1.1 421").doesNotContain(" 417 ");
    assertThat(calls).hasValue(0);
  }

  /** Sends the bytes on a connection of its own and returns all it gets back until the server closes. */
  private String exchange(String request) throws IOException {
    try (Socket s = new Socket("127.0.0.1", server.port())) {
      s.setSoTimeout(10_000);
      s.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
      return new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  @Test
  void close_stopsListening() throws Exception {
    start(() -> STATUS);
    int port = server.port();
    assertThat(request("GET", "/").statusCode()).isEqualTo(200);

    server.close();
    server = null;

    // On a lent event loop the JDK closes the listening socket when the loop next selects, a
    // moment after the close future completes (its own loop is shut down before close returns).
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    boolean refused = false;
    while (!refused && System.nanoTime() < deadline) {
      try (Socket s = new Socket("127.0.0.1", port)) {
        Thread.sleep(10);
      } catch (ConnectException e) {
        refused = true;
      }
    }
    assertThat(refused).as("connections to port %d refused within 5 s of close", port).isTrue();
  }

  @Test
  void start_badPort_isRejected() {
    assertThatThrownBy(() -> StatusHttpServer.start(group, "127.0.0.1", 70000, () -> StatusSnapshot.of(STATUS)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("70000");
  }

  @Test
  void start_portInUse_throwsBindException() throws Exception {
    start(() -> STATUS);

    assertThatThrownBy(() -> StatusHttpServer.start(group, "127.0.0.1", server.port(), () -> StatusSnapshot.of(STATUS)))
        .isInstanceOf(BindException.class);
  }

  // ---------------------------------------------------------------- paging

  /** 250 workers and 120 jobs: three pages of workers, two of jobs. */
  private static MasterState.Status many() {
    List<MasterState.Status.WorkerStatus> workers = new ArrayList<>();
    for (int i = 1; i <= 250; i++) {
      workers.add(new MasterState.Status.WorkerStatus("worker-" + i, "10.0.0." + i + ":7001", 2, 1, 0.5, 100));
    }
    List<MasterState.Status.JobStatus> jobs = new ArrayList<>();
    for (int i = 1; i <= 120; i++) {
      jobs.add(new MasterState.Status.JobStatus("job-" + i, "wc", "map", 10, 1, 2, 0, 0, Map.of(), 1000));
    }
    return new MasterState.Status("card-dealing", workers, jobs);
  }

  @Test
  void get_root_pagesTheWorkers_firstMiddleAndPastTheEnd() throws Exception {
    MasterState.Status many = many();
    start(() -> many);

    String first = request("GET", "/").body();
    assertThat(first)
        .contains("<h2>Workers (250)</h2>", "Rows 1&ndash;100 of 250", "<td>worker-1</td>", "<td>worker-100</td>",
            "<a href=\"?workersPage=1&amp;jobsPage=0\">next &raquo;</a>")
        .doesNotContain("<td>worker-101</td>", "&laquo; previous</a>");
    assertThat(count(first, "<tr><td>worker-")).isEqualTo(100);

    String middle = request("GET", "/?workersPage=1&jobsPage=1").body();
    assertThat(middle)
        .contains("Rows 101&ndash;200 of 250", "<td>worker-101</td>", "<td>worker-200</td>",
            "<a href=\"?workersPage=0&amp;jobsPage=1\">&laquo; previous</a>",
            "<a href=\"?workersPage=2&amp;jobsPage=1\">next &raquo;</a>",
            // The other list keeps its own page: jobs 101 to 120.
            "Rows 101&ndash;120 of 120", "<a href=\"job/job-101\">", "<a href=\"job/job-120\">")
        .doesNotContain("<td>worker-100</td>", "<td>worker-201</td>", "<a href=\"job/job-100\">");
    assertThat(count(middle, "<tr><td>worker-")).isEqualTo(100);

    HttpResponse<String> past = request("GET", "/?workersPage=7");
    assertThat(past.statusCode()).isEqualTo(200);
    assertThat(past.body())
        .contains("No workers on this page: there are 250",
            "<a href=\"?workersPage=2&amp;jobsPage=0\">&laquo; previous</a>")
        .doesNotContain("<tr><td>worker-", "?workersPage=8");
  }

  @Test
  void get_apiStatus_pagesWorkersAndJobs_withTotals() throws Exception {
    MasterState.Status many = many();
    start(() -> many);

    Map<?, ?> first = (Map<?, ?>) Json.parse(request("GET", "/api/status").body());
    assertThat((List<?>) first.get("workers")).hasSize(100);
    assertThat(first.get("workersPage")).isEqualTo(Map.of("page", 0L, "pageSize", 100L, "pages", 3L, "total", 250L));
    assertThat(first.get("jobsPage")).isEqualTo(Map.of("page", 0L, "pageSize", 100L, "pages", 2L, "total", 120L));

    Map<?, ?> middle = (Map<?, ?>) Json.parse(request("GET", "/api/status?workersPage=1&jobsPage=1").body());
    List<?> workers = (List<?>) middle.get("workers");
    assertThat(workers).hasSize(100);
    assertThat(((Map<?, ?>) workers.get(0)).get("id")).isEqualTo("worker-101");
    assertThat(((Map<?, ?>) workers.get(99)).get("id")).isEqualTo("worker-200");
    List<?> jobs = (List<?>) middle.get("jobs");
    assertThat(jobs).hasSize(20);
    assertThat(((Map<?, ?>) jobs.get(0)).get("id")).isEqualTo("job-101");

    Map<?, ?> last = (Map<?, ?>) Json.parse(request("GET", "/api/status?workersPage=2").body());
    assertThat((List<?>) last.get("workers")).hasSize(50);

    Map<?, ?> past = (Map<?, ?>) Json.parse(request("GET", "/api/status?workersPage=9&jobsPage=9").body());
    assertThat((List<?>) past.get("workers")).isEmpty();
    assertThat((List<?>) past.get("jobs")).isEmpty();
    assertThat(past.get("workersPage")).isEqualTo(Map.of("page", 9L, "pageSize", 100L, "pages", 3L, "total", 250L));
  }

  @Test
  void get_pageThatIsNotANumber_returns400WithOneLine() throws Exception {
    start(() -> STATUS);

    for (String path : List.of("/?workersPage=-1", "/api/status?jobsPage=x", "/api/status?workersPage=",
        "/?jobsPage=99999999999", "/job/job-1?runningPage=1e3")) {
      HttpResponse<String> r = request("GET", path);
      assertThat(r.statusCode()).as(path).isEqualTo(400);
      assertThat(r.body().strip()).as(path).startsWith("bad request: ").doesNotContain("\n");
    }
  }

  // ---------------------------------------------------------------- a job's page

  private static final String JOB = "job-1";

  /**
   * A real master state with a job running on two workers of one slot: its map 0 failed once
   * (with a message that is HTML) and runs again on worker-1, map 1 runs on worker-2; ticked at
   * 5 s, so the page's snapshot has it all.
   */
  private static MasterState masterWithAFailedAttempt() {
    AtomicLong clock = new AtomicLong();
    MasterState state = new MasterState(MasterState.Settings.defaults(), SchedulingPolicy.named("card-dealing"),
        clock::get, new MasterStateTest.RecordingOutbox());
    state.registerWorker("h1", 7001, 1);
    state.registerWorker("h2", 7002, 1);
    state.jobPrepared(JOB, StatusSnapshotTest.job(1, 3), StatusSnapshotTest.splits(2));
    clock.set(Duration.ofSeconds(2).toNanos());
    state.taskFailed("worker-1", new Message.TaskFailed(JOB, TaskKind.MAP, 0, 1, "/in/a.txt:42 " + NASTY,
        new Message.Failure("java.lang.IllegalStateException", "bad record " + NASTY, "stack")));
    clock.set(Duration.ofSeconds(5).toNanos());
    state.tick();
    return state;
  }

  @Test
  void get_jobPage_showsCountsRunningAttemptsAndAFailedAttemptsErrorEscaped() throws Exception {
    MasterState state = masterWithAFailedAttempt();
    serve(state::statusSnapshot);

    HttpResponse<String> r = request("GET", "/job/" + JOB);

    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("content-type")).hasValue("text/html; charset=utf-8");
    assertThat(r.body())
        .contains("<h1>Job job-1</h1>", "<tr><th>Phase</th><td>map</td></tr>",
            "<tr><th>Maps</th><td class=\"n\">0/2 (0%)</td></tr>", "<tr><th>Failed attempts</th><td class=\"n\">1</td>",
            "<tr><th>Elapsed</th><td class=\"n\">5.0 s</td>", "<a href=\"../\">All workers and jobs</a>",
            "<h2>Running attempts (2)</h2>",
            // Longest running first: map 1 since 0 s, map 0's second attempt since 2 s.
            "<tr><td>m-00001</td><td class=\"n\">1</td><td>worker-2</td><td class=\"n\">5.0 s</td></tr>\n"
                + "<tr><td>m-00000</td><td class=\"n\">2</td><td>worker-1</td><td class=\"n\">3.0 s</td></tr>",
            "<h2>Recent failed attempts (1)</h2>",
            "<tr><td>m-00000</td><td class=\"n\">1</td><td>worker-1</td><td class=\"n\">3.0 s ago</td>"
                + "<td>/in/a.txt:42 &lt;script&gt;&quot;x&quot;&amp;&#39;</td>"
                + "<td class=\"e\">java.lang.IllegalStateException: bad record &lt;script&gt;&quot;x&quot;&amp;&#39;</td>")
        .doesNotContain("<script");
  }

  @Test
  void get_apiJob_returnsTheJobsAttemptsAsJson() throws Exception {
    MasterState state = masterWithAFailedAttempt();
    serve(state::statusSnapshot);

    HttpResponse<String> r = request("GET", "/api/job/" + JOB);

    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("content-type")).hasValue("application/json; charset=utf-8");
    Map<?, ?> job = (Map<?, ?>) Json.parse(r.body());
    assertThat(job.get("id")).isEqualTo(JOB);
    assertThat(job.get("phase")).isEqualTo("map");
    assertThat(job.get("maps")).isEqualTo(Map.of("total", 2L, "done", 0L));
    assertThat(job.get("failedAttempts")).isEqualTo(1L);
    assertThat(job.get("attemptsKept")).isEqualTo(true);
    assertThat(list(job.get("running"))).containsExactly(
        Map.of("task", "m-00001", "attempt", 1L, "worker", "worker-2", "runningMillis", 5000L),
        Map.of("task", "m-00000", "attempt", 2L, "worker", "worker-1", "runningMillis", 3000L));
    assertThat(job.get("runningPage")).isEqualTo(Map.of("page", 0L, "pageSize", 100L, "pages", 1L, "total", 2L));
    assertThat(list(job.get("recentFailures"))).containsExactly(Map.of("task", "m-00000", "attempt", 1L,
        "worker", "worker-1", "millisAgo", 3000L, "position", "/in/a.txt:42 " + NASTY,
        "message", "java.lang.IllegalStateException: bad record " + NASTY));
    assertThat(job.get("recentFailuresKept")).isEqualTo(100L);
  }

  @Test
  void get_apiJob_pagesARunningJobsAttempts() throws Exception {
    List<JobView.RunningAttempt> running = new ArrayList<>();
    for (int i = 0; i < 150; i++) {
      // Map i started i ms in: the longest running (map 0) comes first.
      running.add(new JobView.RunningAttempt(TaskKind.MAP, i, 1, "worker-" + i, Duration.ofMillis(i).toNanos()));
    }
    MasterState.Status.JobStatus status = new MasterState.Status.JobStatus(JOB, "wc", "map", 150, 0, 1, 0, 0,
        Map.of(), 1000);
    JobView view = new JobView(status, running, List.of(), true, Duration.ofSeconds(1).toNanos());
    serve(() -> new StatusSnapshot(new MasterState.Status("card-dealing", List.of(), List.of(status)),
        Map.of(JOB, view), Duration.ofSeconds(1).toNanos()));

    Map<?, ?> second = (Map<?, ?>) Json.parse(request("GET", "/api/job/" + JOB + "?runningPage=1").body());

    List<?> page = (List<?>) second.get("running");
    assertThat(page).hasSize(50);
    assertThat(((Map<?, ?>) page.get(0)).get("task")).isEqualTo("m-00100");
    assertThat(((Map<?, ?>) page.get(49)).get("task")).isEqualTo("m-00149");
    assertThat(second.get("runningPage")).isEqualTo(Map.of("page", 1L, "pageSize", 100L, "pages", 2L, "total", 150L));
    assertThat(request("GET", "/job/" + JOB + "?runningPage=1").body())
        .contains("Rows 101&ndash;150 of 150", "<a href=\"?runningPage=0\">&laquo; previous</a>",
            "<tr><td>m-00100</td>")
        .doesNotContain("<tr><td>m-00099</td>");
  }

  @Test
  void get_jobPage_ofAJobWhoseAttemptsAreNotKept_showsItsCounts() throws Exception {
    start(() -> STATUS);

    String html = request("GET", "/job/job-2").body();
    Map<?, ?> json = (Map<?, ?>) Json.parse(request("GET", "/api/job/job-2").body());

    assertThat(html).contains("<tr><th>Phase</th><td>reduce</td></tr>", "back\\slash: 9",
        "The master keeps the attempts of running jobs only.");
    assertThat(json.get("attemptsKept")).isEqualTo(false);
    assertThat(json.get("reduces")).isEqualTo(Map.of("total", 2L, "done", 1L));
    assertThat((List<?>) json.get("running")).isEmpty();
  }

  @Test
  void get_jobPage_unknownOrMalformedId_returns404WithOneLine() throws Exception {
    start(() -> STATUS);

    for (String path : List.of("/job/job-9", "/api/job/job-9", "/job/", "/api/job/", "/job/%3Cscript%3E",
        "/api/job/a%2Fb", "/job/job-1/extra", "/job/" + "a".repeat(129), "/job/job%201")) {
      HttpResponse<String> r = request("GET", path);
      assertThat(r.statusCode()).as(path).isEqualTo(404);
      assertThat(r.headers().firstValue("content-type")).as(path).hasValue("text/plain; charset=utf-8");
      assertThat(r.body()).as(path).startsWith("not found: ").endsWith("\n").doesNotContain("<script");
      assertThat(r.body().strip()).as(path).doesNotContain("\n");
    }
    assertThat(request("GET", "/job/job-9").body()).contains("no job job-9 on this master");
    assertThat(request("POST", "/job/job-1").statusCode()).isEqualTo(405);
  }

  /** A parsed JSON array, its elements as they are. */
  private static List<Object> list(Object parsed) {
    return new ArrayList<>((List<?>) parsed);
  }

  private static int count(String s, String part) {
    int n = 0;
    for (int i = s.indexOf(part); i >= 0; i = s.indexOf(part, i + 1)) {
      n++;
    }
    return n;
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

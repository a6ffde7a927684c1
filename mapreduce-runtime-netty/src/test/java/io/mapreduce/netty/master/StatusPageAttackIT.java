package io.mapreduce.netty.master;

import static org.assertj.core.api.Assertions.assertThat;

import io.mapreduce.netty.WordCountCluster;
import io.mapreduce.netty.worker.Worker;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The status page under attack, black box: a master in its own JVM (256 MiB of heap) with its
 * page on 127.0.0.1, attacked over real sockets; its heap is read after a full GC with {@code
 * jcmd}, and a word count run on it afterwards must equal the sequential count.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class StatusPageAttackIT {
  private static final String TOKEN = "it-token-0123456789abcdef";
  private static final String GET = "GET /api/status HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";

  @TempDir Path dir;
  private Process master;
  private long pid;
  private int port;
  private int httpPort;
  private final List<AutoCloseable> closeAfter = new ArrayList<>();

  @AfterEach
  void stop() throws Exception {
    for (AutoCloseable c : closeAfter) {
      c.close();
    }
    if (master != null) {
      master.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
  }

  // ------------------------------------------------------------------ the master

  private Process launch(String bind, String httpBind, Path tokenFile) throws IOException {
    List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"),
        StatusPageMasterProcess.class.getName(), dir.resolve("master").toString(), dir.resolve("ready").toString(),
        bind, httpBind));
    if (tokenFile != null) {
      cmd.add(tokenFile.toString());
    }
    Path log = Files.createDirectories(Path.of("target", "status-page-it-logs")).resolve(
        "master-" + System.nanoTime() + ".log");
    return new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
  }

  private void startMaster(String bind, String httpBind, Path tokenFile) throws Exception {
    master = launch(bind, httpBind, tokenFile);
    Path ready = dir.resolve("ready");
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (!Files.exists(ready)) {
      assertThat(master.isAlive()).as("master process alive").isTrue();
      assertThat(System.nanoTime()).as("master ready within 60 s").isLessThan(deadline);
      Thread.sleep(20);
    }
    String[] f = Files.readString(ready).split(" ");
    pid = Long.parseLong(f[0]);
    port = Integer.parseInt(f[1]);
    httpPort = Integer.parseInt(f[2]);
  }

  private void startMaster() throws Exception {
    startMaster("127.0.0.1", "-", null);
  }

  private WordCountCluster startWorker() throws Exception {
    Worker w = Worker.start(Worker.Config.local(port, 2, dir.resolve("worker")));
    closeAfter.add(w);
    return new WordCountCluster(dir.resolve("job"));
  }

  /** The master's heap in use after a full GC, in bytes (jcmd GC.run, then GC.heap_info). */
  private long heapAfterFullGc() throws Exception {
    jcmd("GC.run");
    long used = 0;
    Matcher m = Pattern.compile("generation\\s+total \\d+K, used (\\d+)K").matcher(jcmd("GC.heap_info"));
    while (m.find()) {
      used += Long.parseLong(m.group(1)) * 1024;
    }
    assertThat(used).as("heap figures found in jcmd's answer").isPositive();
    return used;
  }

  private String jcmd(String command) throws Exception {
    Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
        Long.toString(pid), command).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as("jcmd %s: %s", command, out).isZero();
    return out;
  }

  // ------------------------------------------------------------------ HTTP by hand

  /** One request on its own connection; the whole answer (the server closes after it). */
  private String exchange(String request) throws IOException {
    try (Socket s = new Socket("127.0.0.1", httpPort)) {
      s.setSoTimeout(15_000);
      s.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
      return new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  private String get(String path, String host, String authorization) throws IOException {
    return exchange("GET " + path + " HTTP/1.1\r\nHost: " + host + "\r\n"
        + (authorization == null ? "" : "Authorization: " + authorization + "\r\n") + "Connection: close\r\n\r\n");
  }

  private static String statusLine(String response) {
    int end = response.indexOf("\r\n");
    return end < 0 ? response : response.substring(0, end);
  }

  private static int count(String s, String part) {
    int n = 0;
    for (int i = s.indexOf(part); i >= 0; i = s.indexOf(part, i + 1)) {
      n++;
    }
    return n;
  }

  // ------------------------------------------------------------------ the attacks

  /**
   * 32 connections each send 5,000 pipelined requests and read nothing. Before, each request was
   * answered into the outbound buffer (a page per 35 bytes: out of memory); now a connection gets
   * at most two answers and is closed, the heap stays put, and the page and the cluster serve.
   */
  @Test
  void pipeliningFlood_neverRead_heapBounded_pageAnswers_jobMatchesOracle() throws Exception {
    startMaster();
    WordCountCluster job = startWorker();
    long before = heapAfterFullGc();
    // The HTML page: the largest answer to the smallest request.
    String request = "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
    byte[] flood = request.repeat(5_000).getBytes(StandardCharsets.US_ASCII);
    List<SocketChannel> floods = new ArrayList<>();
    long sent = 0;
    for (int c = 0; c < 32; c++) {
      SocketChannel ch = SocketChannel.open(new InetSocketAddress("127.0.0.1", httpPort));
      closeAfter.add(ch);
      floods.add(ch);
      ch.configureBlocking(false);
      ByteBuffer b = ByteBuffer.wrap(flood);
      // As much as the kernel takes without blocking: the rest would wait for a server that reads.
      for (int zeroes = 0; b.hasRemaining() && zeroes < 50; ) {
        if (ch.write(b) == 0) {
          zeroes++;
          Thread.sleep(2);
        }
      }
      sent += b.position();
    }
    Thread.sleep(2_000);
    long during = heapAfterFullGc();
    System.out.printf("pipelining flood: %,d requests on 32 connections; master heap after full GC %,d KiB before, "
        + "%,d KiB during%n", sent / request.length(), before >> 10, during >> 10);

    assertThat(sent / request.length()).as("requests sent").isGreaterThan(32 * 1_000);
    assertThat(during - before).as("master heap growth after full GC, bytes").isLessThan(16L << 20);
    assertThat(statusLine(get("/api/status", "127.0.0.1", null))).isEqualTo("HTTP/1.1 200 OK");
    job.runAndCheck(port);
    // What each flooding connection got: two answers at most, then its end (a reset, as the
    // server closes with requests unread, may cut even those short).
    for (SocketChannel ch : floods) {
      ch.configureBlocking(true);
      ch.socket().setSoTimeout(15_000);
      java.io.ByteArrayOutputStream answers = new java.io.ByteArrayOutputStream();
      try (InputStream in = ch.socket().getInputStream()) {
        byte[] buf = new byte[8192];
        for (int n; (n = in.read(buf)) >= 0; ) {
          answers.write(buf, 0, n);
        }
      } catch (IOException reset) {
        // closed by the server
      }
      assertThat(count(answers.toString(StandardCharsets.UTF_8), "HTTP/1.1 200 OK"))
          .as("answers on one flooding connection").isLessThanOrEqualTo(2);
    }
  }

  /** A byte a second never completes a request, nor moves the 10 s deadline: closed at 10 s. */
  @Test
  void slowClient_aByteASecond_isClosedAtTheRequestDeadline() throws Exception {
    startMaster();
    String slow = "GET /api/status HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: " + "a".repeat(100) + "\r\n\r\n";
    try (Socket s = new Socket("127.0.0.1", httpPort)) {
      long start = System.nanoTime();
      s.setSoTimeout(1_000);
      OutputStream out = s.getOutputStream();
      InputStream in = s.getInputStream();
      int sentBytes = 0;
      long closedAfterMillis = -1;
      while (closedAfterMillis < 0 && System.nanoTime() - start < TimeUnit.SECONDS.toNanos(20)) {
        try {
          out.write(slow.charAt(sentBytes++));
          out.flush();
          if (in.read() < 0) {
            closedAfterMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
          }
        } catch (SocketTimeoutException stillOpen) {
          // a second passed: send the next byte
        } catch (IOException reset) {
          closedAfterMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        }
      }

      assertThat(closedAfterMillis).as("ms until the server closed the trickling connection").isBetween(9_000L, 13_000L);
      assertThat(sentBytes).as("bytes trickled").isLessThan(slow.length());
    }
    assertThat(statusLine(get("/api/status", "127.0.0.1", null))).isEqualTo("HTTP/1.1 200 OK");
  }

  /** 64 connections open and silent: the 65th is answered 503 and closed; the page serves once they go. */
  @Test
  void connectionCap_beyond64_refusedWith503() throws Exception {
    startMaster();
    List<Socket> held = new ArrayList<>();
    for (int i = 0; i < ConnectionDeadlines.Limits.DEFAULT.maxConnections(); i++) {
      Socket s = new Socket("127.0.0.1", httpPort);
      closeAfter.add(s);
      held.add(s);
    }
    Thread.sleep(500);

    String refused = exchange(GET);

    assertThat(statusLine(refused)).isEqualTo("HTTP/1.1 503 Service Unavailable");
    for (Socket s : held) {
      s.close();
    }
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    String again;
    do {
      Thread.sleep(100);
      again = statusLine(get("/api/status", "127.0.0.1", null));
    } while (!again.equals("HTTP/1.1 200 OK") && System.nanoTime() < deadline);
    assertThat(again).isEqualTo("HTTP/1.1 200 OK");
  }

  /** DNS rebinding: a request naming another host is refused (421) and shows nothing of the master. */
  @Test
  void badHost_isRefusedWith421() throws Exception {
    startMaster();

    String rebound = get("/api/status", "attacker.example:" + httpPort, null);

    assertThat(statusLine(rebound)).isEqualTo("HTTP/1.1 421 Misdirected Request");
    assertThat(rebound).doesNotContain("scheduler").doesNotContain("attacker.example");
    for (String host : List.of("127.0.0.1:" + httpPort, "localhost:" + httpPort, "localhost")) {
      assertThat(statusLine(get("/api/status", host, null))).as(host).isEqualTo("HTTP/1.1 200 OK");
    }
    assertThat(statusLine(exchange("GET /api/status HTTP/1.1\r\nConnection: close\r\n\r\n")))
        .as("HTTP/1.1 without Host").isEqualTo("HTTP/1.1 400 Bad Request");
  }

  /** With a token file: 401 (and a Basic challenge) without it or with a wrong one; 200 with it. */
  @Test
  void authConfigured_401Without_200WithBearerOrBasic() throws Exception {
    Path tokenFile = Files.writeString(dir.resolve("http-token"), TOKEN + "\n");
    Files.setPosixFilePermissions(tokenFile, PosixFilePermissions.fromString("rw-------"));
    startMaster("127.0.0.1", "127.0.0.1", tokenFile);
    String basic = "Basic " + Base64.getEncoder().encodeToString(("op:" + TOKEN).getBytes(StandardCharsets.UTF_8));

    String without = get("/api/status", "127.0.0.1", null);

    assertThat(statusLine(without)).isEqualTo("HTTP/1.1 401 Unauthorized");
    assertThat(without).containsIgnoringCase("WWW-Authenticate: Basic realm=").doesNotContain("scheduler");
    assertThat(statusLine(get("/", "127.0.0.1", "Bearer " + TOKEN + "x"))).isEqualTo("HTTP/1.1 401 Unauthorized");
    assertThat(statusLine(get("/api/status", "127.0.0.1", "Bearer " + TOKEN))).isEqualTo("HTTP/1.1 200 OK");
    assertThat(statusLine(get("/", "127.0.0.1", basic))).isEqualTo("HTTP/1.1 200 OK");
  }

  /**
   * A master whose job port listens on every address keeps its page on 127.0.0.1, as the
   * kernel's table of listening sockets shows; opening the page there without a token is refused.
   */
  @Test
  void defaultHttpBind_isLoopback_evenWithBindAllAddresses() throws Exception {
    startMaster("0.0.0.0", "-", null);

    assertThat(listening(port)).as("the job port's listening addresses").containsExactly("*");
    assertThat(listening(httpPort)).as("the status page's listening addresses").containsExactly("127.0.0.1");
    master.destroyForcibly().waitFor(10, TimeUnit.SECONDS);

    Process open = launch("0.0.0.0", "0.0.0.0", null);
    assertThat(open.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(open.exitValue()).as("a master asked to open its page without a token").isEqualTo(3);
  }

  /**
   * The local addresses listening on {@code port}, from /proc/net/tcp and tcp6 (IPv4-mapped as
   * IPv4, any address as "*").
   */
  private static List<String> listening(int port) throws IOException {
    List<String> addresses = new ArrayList<>();
    for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
      List<String> lines = Files.readAllLines(Path.of(table));
      for (String line : lines.subList(1, lines.size())) {
        String[] f = line.trim().split("\\s+");
        String[] local = f[1].split(":");
        if (!f[3].equals("0A") || Integer.parseInt(local[1], 16) != port) {
          continue;
        }
        // Each 32-bit word is in host (little-endian) order.
        byte[] raw = HexFormat.of().parseHex(local[0]);
        for (int w = 0; w < raw.length; w += 4) {
          for (int i = 0; i < 2; i++) {
            byte t = raw[w + i];
            raw[w + i] = raw[w + 3 - i];
            raw[w + 3 - i] = t;
          }
        }
        InetAddress a = InetAddress.getByAddress(raw);
        addresses.add(a.isAnyLocalAddress() ? "*" : a.getHostAddress());
      }
    }
    return addresses;
  }
}

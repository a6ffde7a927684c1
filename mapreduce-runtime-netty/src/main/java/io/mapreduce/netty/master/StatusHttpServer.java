package io.mapreduce.netty.master;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.timeout.ReadTimeoutException;
import io.netty.handler.timeout.ReadTimeoutHandler;
import io.netty.util.concurrent.DefaultEventExecutorGroup;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.EventExecutorGroup;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The master's status page, as in the paper (section 4.8): {@code GET /} is an HTML page that
 * refreshes itself every two seconds, {@code GET /api/status} the same data as JSON. Read only;
 * any other path is 404, any other method 405. It shows what {@link MasterState.Status} holds and
 * nothing else, so it has nothing secret to leak.
 *
 * <p>The status supplier is called on a thread of this server's own, not on the event loop:
 * {@link Master#status()} waits for the state thread, and an event loop shared with worker
 * connections must not wait for anything.
 */
public final class StatusHttpServer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(StatusHttpServer.class);

  /** A GET has no body; anything larger than this is not a request for a status page. */
  private static final int MAX_REQUEST_BYTES = 8 * 1024;
  /** Idle keep-alive connections (a closed browser tab) are dropped after this long. */
  private static final int IDLE_SECONDS = 60;
  private static final String HTML = "text/html; charset=utf-8";
  private static final String JSON = "application/json; charset=utf-8";
  private static final String TEXT = "text/plain; charset=utf-8";

  private final Channel channel;
  private final ChannelGroup connections;
  private final EventExecutorGroup pages;

  private StatusHttpServer(Channel channel, ChannelGroup connections, EventExecutorGroup pages) {
    this.channel = channel;
    this.connections = connections;
    this.pages = pages;
  }

  /**
   * Starts serving the status page.
   *
   * @param group the event loop group that accepts and serves connections (NIO); not shut down by
   *     {@link #close()}
   * @param bindAddress the address to listen on, such as {@code 127.0.0.1} or {@code 0.0.0.0}
   * @param port the port, or 0 for an ephemeral one (see {@link #port()})
   * @param status what to show; called once per request, on a thread of this server's own; if it
   *     throws, the request is answered 503
   * @throws NullPointerException if an argument is null
   * @throws IllegalArgumentException if the port is not in 0..65535
   * @throws InterruptedException if interrupted while binding
   * @throws java.net.BindException (undeclared, as Netty rethrows it) if the address cannot be bound
   */
  public static StatusHttpServer start(EventLoopGroup group, String bindAddress, int port,
      Supplier<MasterState.Status> status) throws InterruptedException {
    Objects.requireNonNull(group, "group");
    Objects.requireNonNull(bindAddress, "bindAddress");
    Objects.requireNonNull(status, "status");
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("port must be in 0..65535, was " + port);
    }
    ChannelGroup connections = new DefaultChannelGroup("status-http", GlobalEventExecutor.INSTANCE);
    EventExecutorGroup pages = new DefaultEventExecutorGroup(1, new DefaultThreadFactory("status-http", true));
    Handler handler = new Handler(status);
    try {
      Channel channel = new ServerBootstrap()
          .group(group)
          .channel(NioServerSocketChannel.class)
          .childHandler(new ChannelInitializer<SocketChannel>() {
            @Override
            protected void initChannel(SocketChannel ch) {
              connections.add(ch);
              ch.pipeline()
                  .addLast("idle", new ReadTimeoutHandler(IDLE_SECONDS, TimeUnit.SECONDS))
                  .addLast("http", new HttpServerCodec())
                  .addLast("aggregate", new HttpObjectAggregator(MAX_REQUEST_BYTES))
                  .addLast(pages, "status", handler);
            }
          })
          .bind(bindAddress, port)
          .sync()
          .channel();
      log.info("status page on http://{}/", hostAndPort((InetSocketAddress) channel.localAddress()));
      return new StatusHttpServer(channel, connections, pages);
    } catch (Exception e) {
      // Including the java.net.BindException that sync() rethrows undeclared when the port is taken.
      pages.shutdownGracefully(0, 1, TimeUnit.SECONDS);
      throw e;
    }
  }

  /** The port it listens on (the ephemeral one chosen when started with port 0). */
  public int port() {
    return ((InetSocketAddress) channel.localAddress()).getPort();
  }

  /** Stops listening and closes open connections; the event loop group is left running. */
  @Override
  public void close() {
    channel.close().awaitUninterruptibly();
    connections.close().awaitUninterruptibly();
    // The closed connections' last events (inactive, unregistered) still run on the handler's
    // executor after their close futures complete; a quiet period lets them in rather than
    // rejecting them.
    pages.shutdownGracefully(100, 2000, TimeUnit.MILLISECONDS).awaitUninterruptibly();
  }

  private static String hostAndPort(InetSocketAddress a) {
    String host = a.getAddress() == null ? a.getHostString() : a.getAddress().getHostAddress();
    return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + a.getPort();
  }

  /** Routes a request to a page; stateless, so one instance serves every connection. */
  @Sharable
  private static final class Handler extends SimpleChannelInboundHandler<FullHttpRequest> {
    private final Supplier<MasterState.Status> status;

    Handler(Supplier<MasterState.Status> status) {
      this.status = status;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
      if (!request.decoderResult().isSuccess()) {
        send(ctx, request, HttpResponseStatus.BAD_REQUEST, TEXT, "bad request\n");
        return;
      }
      String path = new QueryStringDecoder(request.uri()).path();
      boolean html = path.equals("/");
      if (!html && !path.equals("/api/status")) {
        send(ctx, request, HttpResponseStatus.NOT_FOUND, TEXT, "not found: the status page is / and /api/status\n");
        return;
      }
      if (!request.method().equals(HttpMethod.GET)) {
        FullHttpResponse response = response(request, HttpResponseStatus.METHOD_NOT_ALLOWED, TEXT,
            "method not allowed: the status page is read with GET\n");
        response.headers().set(HttpHeaderNames.ALLOW, "GET");
        send(ctx, request, response);
        return;
      }
      MasterState.Status s;
      try {
        s = Objects.requireNonNull(status.get(), "the status supplier returned null");
      } catch (RuntimeException e) {
        // The detail goes to the log, not to whoever asked.
        log.warn("status page: the master's status is unavailable: {}", e.toString());
        send(ctx, request, HttpResponseStatus.SERVICE_UNAVAILABLE, TEXT,
            "the master's status is unavailable right now; try again\n");
        return;
      }
      if (html) {
        send(ctx, request, HttpResponseStatus.OK, HTML, html(s));
      } else {
        send(ctx, request, HttpResponseStatus.OK, JSON, json(s));
      }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      if (cause instanceof IOException || cause instanceof ReadTimeoutException) {
        log.debug("status page connection with {} closed: {}", ctx.channel().remoteAddress(), cause.toString());
      } else {
        log.warn("status page: closing connection with {}: {}", ctx.channel().remoteAddress(), cause.toString());
      }
      ctx.close();
    }

    /** Answers in the request's HTTP version, so an HTTP/1.0 client's keep-alive is understood. */
    private static void send(ChannelHandlerContext ctx, FullHttpRequest request, HttpResponseStatus code,
        String contentType, String body) {
      send(ctx, request, response(request, code, contentType, body));
    }

    private static FullHttpResponse response(FullHttpRequest request, HttpResponseStatus code, String contentType,
        String body) {
      FullHttpResponse response = new DefaultFullHttpResponse(request.protocolVersion(), code,
          Unpooled.wrappedBuffer(body.getBytes(StandardCharsets.UTF_8)));
      response.headers()
          .set(HttpHeaderNames.CONTENT_TYPE, contentType)
          .setInt(HttpHeaderNames.CONTENT_LENGTH, response.content().readableBytes())
          .set(HttpHeaderNames.CACHE_CONTROL, HttpHeaderValues.NO_STORE)
          .set("X-Content-Type-Options", "nosniff")
          .set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'");
      return response;
    }

    private static void send(ChannelHandlerContext ctx, FullHttpRequest request, FullHttpResponse response) {
      // A request that could not be decoded leaves the connection's framing unknown: close it.
      boolean keepAlive = request.decoderResult().isSuccess() && HttpUtil.isKeepAlive(request);
      HttpUtil.setKeepAlive(response, keepAlive);
      ChannelFuture written = ctx.writeAndFlush(response);
      if (!keepAlive) {
        written.addListener(ChannelFutureListener.CLOSE);
      }
    }
  }

  // ---------------------------------------------------------------- HTML

  static String html(MasterState.Status s) {
    StringBuilder b = new StringBuilder(4096);
    b.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
        .append("<meta http-equiv=\"refresh\" content=\"2\">\n")
        .append("<title>MapReduce master</title>\n")
        .append("<style>body{font-family:sans-serif}table{border-collapse:collapse;margin-bottom:1em}")
        .append("th,td{border:1px solid #ccc;padding:2px 8px;text-align:left;vertical-align:top}")
        .append("td.n{text-align:right}</style>\n</head>\n<body>\n<h1>MapReduce master</h1>\n")
        .append("<p>Scheduler: ").append(escapeHtml(s.scheduler())).append("</p>\n");

    List<MasterState.Status.WorkerStatus> workers = orEmpty(s.workers());
    b.append("<h2>Workers (").append(workers.size()).append(")</h2>\n");
    if (workers.isEmpty()) {
      b.append("<p>No workers.</p>\n");
    } else {
      b.append("<table>\n<tr><th>Worker</th><th>Shuffle address</th><th>Slots</th><th>Running</th>")
          .append("<th>CPU load</th><th>Since heartbeat</th></tr>\n");
      for (MasterState.Status.WorkerStatus w : workers) {
        if (w == null) {
          continue;
        }
        b.append("<tr><td>").append(escapeHtml(w.id()))
            .append("</td><td>").append(escapeHtml(w.shuffleAddress()))
            .append("</td><td class=\"n\">").append(w.slots())
            .append("</td><td class=\"n\">").append(w.running())
            .append("</td><td class=\"n\">").append(cpuLoad(w.cpuLoad()))
            .append("</td><td class=\"n\">").append(seconds(w.millisSinceHeartbeat()))
            .append("</td></tr>\n");
      }
      b.append("</table>\n");
    }

    List<MasterState.Status.JobStatus> jobs = orEmpty(s.jobs());
    b.append("<h2>Jobs (").append(jobs.size()).append(")</h2>\n");
    if (jobs.isEmpty()) {
      b.append("<p>No jobs.</p>\n");
    } else {
      b.append("<table>\n<tr><th>Job</th><th>Name</th><th>Phase</th><th>Maps</th><th>Reduces</th>")
          .append("<th>Failed attempts</th><th>Elapsed</th><th>Counters</th></tr>\n");
      for (MasterState.Status.JobStatus j : jobs) {
        if (j == null) {
          continue;
        }
        b.append("<tr><td>").append(escapeHtml(j.id()))
            .append("</td><td>").append(escapeHtml(j.name()))
            .append("</td><td>").append(escapeHtml(j.phase()))
            .append("</td><td class=\"n\">").append(progress(j.mapsDone(), j.mapsTotal()))
            .append("</td><td class=\"n\">").append(progress(j.reducesDone(), j.reducesTotal()))
            .append("</td><td class=\"n\">").append(j.failedAttempts())
            .append("</td><td class=\"n\">").append(seconds(j.elapsedMillis()))
            .append("</td><td>");
        String sep = "";
        for (Map.Entry<String, Long> c : sorted(j.counters()).entrySet()) {
          b.append(sep).append(escapeHtml(c.getKey())).append(": ").append(c.getValue());
          sep = "<br>";
        }
        b.append("</td></tr>\n");
      }
      b.append("</table>\n");
    }
    return b.append("</body>\n</html>\n").toString();
  }

  /** Escapes text for an HTML element or a quoted attribute; null is shown as nothing. */
  static String escapeHtml(String s) {
    if (s == null) {
      return "";
    }
    StringBuilder b = new StringBuilder(s.length() + 16);
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '&' -> b.append("&amp;");
        case '<' -> b.append("&lt;");
        case '>' -> b.append("&gt;");
        case '"' -> b.append("&quot;");
        case '\'' -> b.append("&#39;");
        default -> b.append(c);
      }
    }
    return b.toString();
  }

  private static String progress(int done, int total) {
    if (total <= 0) {
      return done + "/" + total;
    }
    return done + "/" + total + " (" + (done * 100L / total) + "%)";
  }

  /** The master reports -1 until a worker's first heartbeat says its load. */
  private static String cpuLoad(double load) {
    return load < 0 || !Double.isFinite(load) ? "unknown" : String.format(Locale.ROOT, "%.2f", load);
  }

  private static String seconds(long millis) {
    return String.format(Locale.ROOT, "%.1f s", millis / 1000.0);
  }

  // ---------------------------------------------------------------- JSON

  static String json(MasterState.Status s) {
    StringBuilder b = new StringBuilder(2048);
    b.append("{\"scheduler\":");
    jsonString(b, s.scheduler());
    b.append(",\"workers\":[");
    String sep = "";
    for (MasterState.Status.WorkerStatus w : orEmpty(s.workers())) {
      if (w == null) {
        continue;
      }
      b.append(sep).append("{\"id\":");
      jsonString(b, w.id());
      b.append(",\"shuffleAddress\":");
      jsonString(b, w.shuffleAddress());
      b.append(",\"slots\":").append(w.slots())
          .append(",\"running\":").append(w.running())
          .append(",\"cpuLoad\":");
      jsonNumber(b, w.cpuLoad());
      b.append(",\"millisSinceHeartbeat\":").append(w.millisSinceHeartbeat()).append('}');
      sep = ",";
    }
    b.append("],\"jobs\":[");
    sep = "";
    for (MasterState.Status.JobStatus j : orEmpty(s.jobs())) {
      if (j == null) {
        continue;
      }
      b.append(sep).append("{\"id\":");
      jsonString(b, j.id());
      b.append(",\"name\":");
      jsonString(b, j.name());
      b.append(",\"phase\":");
      jsonString(b, j.phase());
      b.append(",\"maps\":{\"total\":").append(j.mapsTotal()).append(",\"done\":").append(j.mapsDone())
          .append("},\"reduces\":{\"total\":").append(j.reducesTotal()).append(",\"done\":").append(j.reducesDone())
          .append("},\"failedAttempts\":").append(j.failedAttempts())
          .append(",\"elapsedMillis\":").append(j.elapsedMillis())
          .append(",\"counters\":{");
      String csep = "";
      for (Map.Entry<String, Long> c : sorted(j.counters()).entrySet()) {
        b.append(csep);
        jsonString(b, c.getKey());
        b.append(':').append(c.getValue() == null ? "null" : c.getValue().toString());
        csep = ",";
      }
      b.append("}}");
      sep = ",";
    }
    return b.append("]}").toString();
  }

  /** Appends a JSON string literal: quote, backslash and control characters escaped; null as null. */
  static void jsonString(StringBuilder b, String s) {
    if (s == null) {
      b.append("null");
      return;
    }
    b.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '"' || c == '\\') {
        b.append('\\').append(c);
      } else if (c < 0x20 || c == 0x7f) {
        b.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
      } else {
        b.append(c);
      }
    }
    b.append('"');
  }

  /** JSON has no NaN or infinity: those become null. */
  private static void jsonNumber(StringBuilder b, double d) {
    b.append(Double.isFinite(d) ? Double.toString(d) : "null");
  }

  /** Counters by name, so the page does not reorder itself on every refresh. */
  private static Map<String, Long> sorted(Map<String, Long> counters) {
    TreeMap<String, Long> sorted = new TreeMap<>();
    if (counters != null) {
      counters.forEach((k, v) -> sorted.put(k == null ? "" : k, v));
    }
    return sorted;
  }

  private static <T> List<T> orEmpty(List<T> list) {
    return list == null ? List.of() : list;
  }
}

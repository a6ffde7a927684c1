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
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The master's status page, as in the paper (section 4.8). {@code GET /} is an HTML page that
 * refreshes itself every two seconds, {@code GET /api/status} the same data as JSON: the workers
 * and the jobs, {@value StatusPages#PAGE_SIZE} of each a page ({@code ?workersPage=N&jobsPage=M},
 * from 0). {@code GET /job/<id>} and {@code /api/job/<id>} show one job: its counts, counters,
 * running attempts (paged by {@code ?runningPage=N}) and recent failed attempts with their errors.
 * Read only: any other path is 404 (an unknown or malformed job id too), any other method 405, a
 * page number that is not one 400. It shows what a {@link StatusSnapshot} holds and nothing else,
 * so it has nothing secret to leak.
 *
 * <p>The snapshot is the one the master's state thread builds each tick: a request reads it and
 * renders on a thread of this server's own, and never waits for the state thread.
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
   * @param status what to show; called once per request, on a thread of this server's own (so it
   *     must not wait for the state thread: {@link MasterState#statusSnapshot()} does not); if it
   *     throws, the request is answered 503
   * @throws NullPointerException if an argument is null
   * @throws IllegalArgumentException if the port is not in 0..65535
   * @throws InterruptedException if interrupted while binding
   * @throws java.net.BindException (undeclared, as Netty rethrows it) if the address cannot be bound
   */
  static StatusHttpServer start(EventLoopGroup group, String bindAddress, int port,
      Supplier<StatusSnapshot> status) throws InterruptedException {
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
    private static final String JOB_PAGE = "/job/";
    private static final String JOB_API = "/api/job/";
    /** Page numbers beyond this are refused (a thousand million rows is no list the master has). */
    private static final int MAX_PAGE = 10_000_000;

    private final Supplier<StatusSnapshot> status;

    Handler(Supplier<StatusSnapshot> status) {
      this.status = status;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
      if (!request.decoderResult().isSuccess()) {
        send(ctx, request, HttpResponseStatus.BAD_REQUEST, TEXT, "bad request\n");
        return;
      }
      QueryStringDecoder uri = new QueryStringDecoder(request.uri());
      String path = uri.path();
      boolean html = path.equals("/") || path.startsWith(JOB_PAGE);
      String jobId = path.startsWith(JOB_PAGE) ? path.substring(JOB_PAGE.length())
          : path.startsWith(JOB_API) ? path.substring(JOB_API.length()) : null;
      if (jobId == null && !path.equals("/") && !path.equals("/api/status")) {
        send(ctx, request, HttpResponseStatus.NOT_FOUND, TEXT,
            "not found: the status page is / and /api/status, a job's /job/<id> and /api/job/<id>\n");
        return;
      }
      if (!request.method().equals(HttpMethod.GET)) {
        FullHttpResponse response = response(request, HttpResponseStatus.METHOD_NOT_ALLOWED, TEXT,
            "method not allowed: the status page is read with GET\n");
        response.headers().set(HttpHeaderNames.ALLOW, "GET");
        send(ctx, request, response);
        return;
      }
      if (jobId != null && !StatusPages.isJobId(jobId)) {
        // Not echoed: whatever the URL held stays out of the answer.
        send(ctx, request, HttpResponseStatus.NOT_FOUND, TEXT,
            "not found: a job id is 1 to " + StatusPages.MAX_JOB_ID_CHARS + " letters, digits, '-', '_' and '.'\n");
        return;
      }
      int workersPage = pageNumber(uri, "workersPage");
      int jobsPage = pageNumber(uri, "jobsPage");
      int runningPage = pageNumber(uri, "runningPage");
      String bad = workersPage < 0 ? "workersPage" : jobsPage < 0 ? "jobsPage" : runningPage < 0 ? "runningPage" : null;
      if (bad != null) {
        send(ctx, request, HttpResponseStatus.BAD_REQUEST, TEXT,
            "bad request: " + bad + " is a page number, from 0 to " + MAX_PAGE + "\n");
        return;
      }
      StatusSnapshot s;
      try {
        s = Objects.requireNonNull(status.get(), "the status supplier returned null");
      } catch (RuntimeException e) {
        // The detail goes to the log, not to whoever asked.
        log.warn("status page: the master's status is unavailable: {}", e.toString());
        send(ctx, request, HttpResponseStatus.SERVICE_UNAVAILABLE, TEXT,
            "the master's status is unavailable right now; try again\n");
        return;
      }
      if (jobId == null) {
        send(ctx, request, HttpResponseStatus.OK, html ? HTML : JSON, html
            ? StatusPages.statusHtml(s.status(), workersPage, jobsPage)
            : StatusPages.statusJson(s.status(), workersPage, jobsPage));
        return;
      }
      JobView job = s.job(jobId).orElse(null);
      if (job == null) {
        send(ctx, request, HttpResponseStatus.NOT_FOUND, TEXT,
            "not found: no job " + jobId + " on this master (it keeps its running jobs and the last few finished ones)\n");
        return;
      }
      send(ctx, request, HttpResponseStatus.OK, html ? HTML : JSON,
          html ? StatusPages.jobHtml(job, runningPage) : StatusPages.jobJson(job, runningPage));
    }

    /** A page number from the query (the first if repeated; 0 if absent), or -1 if it is not one. */
    private static int pageNumber(QueryStringDecoder uri, String name) {
      List<String> values = uri.parameters().get(name);
      if (values == null || values.isEmpty()) {
        return 0;
      }
      String v = values.get(0);
      if (v.isEmpty() || v.length() > 8) {
        return -1;
      }
      for (int i = 0; i < v.length(); i++) {
        if (v.charAt(i) < '0' || v.charAt(i) > '9') {
          return -1;
        }
      }
      int page = Integer.parseInt(v);
      return page <= MAX_PAGE ? page : -1;
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
}

package io.mapreduce.netty.master;

import io.mapreduce.thirdparty.io.netty.bootstrap.ServerBootstrap;
import io.mapreduce.thirdparty.io.netty.channel.Channel;
import io.mapreduce.thirdparty.io.netty.channel.ChannelHandler;
import io.mapreduce.thirdparty.io.netty.channel.ChannelHandlerContext;
import io.mapreduce.thirdparty.io.netty.channel.ChannelInboundHandlerAdapter;
import io.mapreduce.thirdparty.io.netty.channel.ChannelInitializer;
import io.mapreduce.thirdparty.io.netty.channel.ChannelOption;
import io.mapreduce.thirdparty.io.netty.channel.EventLoopGroup;
import io.mapreduce.thirdparty.io.netty.channel.group.ChannelGroup;
import io.mapreduce.thirdparty.io.netty.channel.group.DefaultChannelGroup;
import io.mapreduce.thirdparty.io.netty.channel.nio.NioEventLoopGroup;
import io.mapreduce.thirdparty.io.netty.channel.socket.SocketChannel;
import io.mapreduce.thirdparty.io.netty.channel.socket.nio.NioServerSocketChannel;
import io.mapreduce.thirdparty.io.netty.handler.codec.http.HttpHeaderNames;
import io.mapreduce.thirdparty.io.netty.handler.codec.http.HttpObjectAggregator;
import io.mapreduce.thirdparty.io.netty.handler.codec.http.HttpRequest;
import io.mapreduce.thirdparty.io.netty.handler.codec.http.HttpServerCodec;
import io.mapreduce.thirdparty.io.netty.util.concurrent.DefaultThreadFactory;
import io.mapreduce.thirdparty.io.netty.util.concurrent.GlobalEventExecutor;
import java.net.InetSocketAddress;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The master's status page, as in the paper (section 4.8). {@code GET /} is an HTML page that
 * refreshes itself every two seconds, {@code GET /api/status} the same data as JSON: the workers
 * and the jobs, {@value StatusPages#PAGE_SIZE} of each a page ({@code ?workersPage=N&jobsPage=M},
 * from 0). {@code GET /job/<id>} and {@code /api/job/<id>} show one job: its counts, counters,
 * running attempts (paged by {@code ?runningPage=N}) and recent failed attempts with the first
 * line of their errors. Read only: any other path is 404 (an unknown or malformed job id too), any
 * other method 405, a page number that is not one 400 (see {@link StatusRoutes}).
 *
 * <p>Who may read it is a {@link StatusPageAccess}: loopback by default, a token when open, and
 * only for requests that name it by a host it knows. What a client can make it hold is bounded
 * apart from the job port: its own event loop (one thread), at most {@link
 * ConnectionDeadlines.Limits#maxConnections} connections, a request line of 4 KiB and headers of
 * 8 KiB, one request at a time per connection ({@link StatusConnection}), and deadlines that a
 * client sending a byte at a time does not move ({@link ConnectionDeadlines}).
 *
 * <p>The snapshot is the one the master's state thread builds each tick: a request reads it and
 * renders on this server's thread, and never waits for the state thread.
 */
public final class StatusHttpServer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(StatusHttpServer.class);

  /** A GET has no body; anything larger than this is not a request for a status page. */
  private static final int MAX_REQUEST_BYTES = 8 * 1024;
  private static final int MAX_REQUEST_LINE_BYTES = 4 * 1024;
  private static final int MAX_HEADER_BYTES = 8 * 1024;

  private final Channel channel;
  private final ChannelGroup connections;
  /** Its own event loop, shut down on close; null when the caller lent one. */
  private final EventLoopGroup ownGroup;

  private StatusHttpServer(Channel channel, ChannelGroup connections, EventLoopGroup ownGroup) {
    this.channel = channel;
    this.connections = connections;
    this.ownGroup = ownGroup;
  }

  /**
   * Starts serving the status page on an event loop thread of its own (stopped by {@link
   * #close()}), with the default limits.
   *
   * @param access where it listens, what it asks for, which host names it answers to
   * @param port the port, or 0 for an ephemeral one (see {@link #port()})
   * @param status what to show; called once per request on the server's thread (so it must not
   *     wait for the state thread: {@link MasterState#statusSnapshot()} does not); if it throws,
   *     the request is answered 503
   * @throws NullPointerException if an argument is null
   * @throws IllegalArgumentException if the port is not in 0..65535
   * @throws InterruptedException if interrupted while binding
   * @throws java.net.BindException (undeclared, as Netty rethrows it) if the address cannot be bound
   */
  static StatusHttpServer start(StatusPageAccess access, int port, Supplier<StatusSnapshot> status)
      throws InterruptedException {
    return start(null, access, port, ConnectionDeadlines.Limits.DEFAULT, status);
  }

  /**
   * As {@link #start(StatusPageAccess, int, Supplier)}, on {@code group} (not shut down by {@link
   * #close()}), on {@code bindAddress} without a token.
   */
  static StatusHttpServer start(EventLoopGroup group, String bindAddress, int port, Supplier<StatusSnapshot> status)
      throws InterruptedException {
    Objects.requireNonNull(group, "group");
    Objects.requireNonNull(bindAddress, "bindAddress");
    return start(group, StatusPageAccess.withoutToken(bindAddress), port, ConnectionDeadlines.Limits.DEFAULT, status);
  }

  /** On {@code group} if not null (else on a thread of its own), with these limits. */
  static StatusHttpServer start(EventLoopGroup group, StatusPageAccess access, int port,
      ConnectionDeadlines.Limits limits, Supplier<StatusSnapshot> status) throws InterruptedException {
    Objects.requireNonNull(access, "access");
    Objects.requireNonNull(status, "status");
    StatusHttpServer server = serve(group, "master-http", access.bindAddress(), port, limits,
        new RequestLimits(MAX_REQUEST_LINE_BYTES, MAX_HEADER_BYTES, MAX_REQUEST_BYTES),
        new StatusRoutes(access, status), "status page");
    log.info("status page on http://{}/{}", hostAndPort(server.address()),
        access.asksForToken() ? " (token required)" : "");
    return server;
  }

  /**
   * How large a request may be: its line, its headers, and all of it (a GET has no body; the
   * status page's and the health endpoint's requests are all GETs).
   */
  record RequestLimits(int line, int headers, int whole) {}

  /**
   * Serves {@code routes} over HTTP/1.1 on {@code bindAddress}: the status page, or the health
   * endpoint ({@link HealthServer}), with the same bounds on what a client can make it hold.
   *
   * @param group the event loop, not shut down by {@link #close()}; null: a thread of its own
   *     named {@code threadName}, shut down by {@link #close()}
   * @param what what it serves, in what a refused connection is told and in the log
   */
  static StatusHttpServer serve(EventLoopGroup group, String threadName, String bindAddress, int port,
      ConnectionDeadlines.Limits limits, RequestLimits sizes, StatusConnection.Routes routes, String what)
      throws InterruptedException {
    Objects.requireNonNull(bindAddress, "bindAddress");
    Objects.requireNonNull(limits, "limits");
    Objects.requireNonNull(routes, "routes");
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("port must be in 0..65535, was " + port);
    }
    EventLoopGroup ownGroup = group != null ? null : new NioEventLoopGroup(1, new DefaultThreadFactory(threadName, true));
    ChannelGroup connections = new DefaultChannelGroup(what, GlobalEventExecutor.INSTANCE);
    AtomicInteger open = new AtomicInteger();
    StatusConnection.Refuse refuse = new StatusConnection.Refuse(limits.maxConnections(), what);
    try {
      Channel channel = new ServerBootstrap()
          .group(group != null ? group : ownGroup)
          .channel(NioServerSocketChannel.class)
          // Read only when a handler asks: one request at a time (StatusConnection).
          .childOption(ChannelOption.AUTO_READ, false)
          .childHandler(new ChannelInitializer<SocketChannel>() {
            @Override
            protected void initChannel(SocketChannel ch) {
              if (open.incrementAndGet() > limits.maxConnections()) {
                open.decrementAndGet();
                ch.pipeline().addLast("refuse", refuse);
                return;
              }
              ch.closeFuture().addListener(f -> open.decrementAndGet());
              connections.add(ch);
              StatusConnection.Deadlines deadlines = new StatusConnection.Deadlines(limits, what);
              ch.pipeline()
                  .addLast("deadlines", deadlines)
                  .addLast("http", new HttpServerCodec(sizes.line(), sizes.headers(), sizes.whole()))
                  .addLast("no-expect", IGNORE_EXPECT)
                  .addLast("aggregate", new HttpObjectAggregator(sizes.whole(), true))
                  .addLast("requests", new StatusConnection.Requests(routes, deadlines, what));
            }
          })
          .bind(bindAddress, port)
          .sync()
          .channel();
      return new StatusHttpServer(channel, connections, ownGroup);
    } catch (Exception e) {
      // Including the java.net.BindException that sync() rethrows undeclared when the port is taken.
      if (ownGroup != null) {
        ownGroup.shutdownGracefully(0, 1, TimeUnit.SECONDS);
      }
      throw e;
    }
  }

  /**
   * Drops every request's {@code Expect} header before the aggregator sees it: the aggregator
   * answers an expectation itself (100, 413, 417), before the request reaches {@code Requests},
   * so those answers would skip the Host and token checks and the one-request-at-a-time rule.
   * The page (and the health endpoint) takes no bodies, so nothing is lost.
   */
  private static final ChannelHandler IGNORE_EXPECT = new IgnoreExpect();

  @ChannelHandler.Sharable
  private static final class IgnoreExpect extends ChannelInboundHandlerAdapter {
    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      if (msg instanceof HttpRequest request) {
        request.headers().remove(HttpHeaderNames.EXPECT);
      }
      ctx.fireChannelRead(msg);
    }
  }

  /** The port it listens on (the ephemeral one chosen when started with port 0). */
  public int port() {
    return address().getPort();
  }

  /** The address it listens on. */
  public InetSocketAddress address() {
    return (InetSocketAddress) channel.localAddress();
  }

  /** Stops listening, closes open connections and stops its own event loop (not a lent one). */
  @Override
  public void close() {
    channel.close().awaitUninterruptibly();
    connections.close().awaitUninterruptibly();
    if (ownGroup != null) {
      ownGroup.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly();
    }
  }

  static String hostAndPort(InetSocketAddress a) {
    String host = a.getAddress() == null ? a.getHostString() : a.getAddress().getHostAddress();
    return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + a.getPort();
  }
}

package io.mapreduce.netty.master;

import io.mapreduce.thirdparty.io.netty.handler.codec.http.FullHttpRequest;
import io.mapreduce.thirdparty.io.netty.handler.codec.http.FullHttpResponse;
import io.mapreduce.thirdparty.io.netty.handler.codec.http.HttpHeaderNames;
import io.mapreduce.thirdparty.io.netty.handler.codec.http.HttpMethod;
import io.mapreduce.thirdparty.io.netty.handler.codec.http.HttpResponseStatus;
import io.mapreduce.thirdparty.io.netty.handler.codec.http.QueryStringDecoder;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Objects;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A daemon's health endpoint, for a supervisor's probes (Kubernetes' liveness and readiness, a
 * compose health check): plain HTTP, {@code GET /healthz} answers 200 {@code ok} while the
 * process serves at all, {@code GET /readyz} 200 {@code ok} while the daemon is ready (a master
 * listening, a worker registered with its master) and 503 {@code not ready} otherwise. Nothing
 * else: no status, no names, no numbers, so it needs no token and may listen on the daemon's own
 * address; any other path is 404, any other method 405.
 *
 * <p>Bounded like the status page, whose connection handling it shares ({@link StatusConnection},
 * {@link ConnectionDeadlines}): its own event loop thread, at most {@value #MAX_CONNECTIONS}
 * connections, a request of at most 1 KiB of line and 2 KiB of headers, one request at a time,
 * and {@value #DEADLINE_SECONDS} s for a request to arrive or an answer to be taken.
 */
public final class HealthServer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(HealthServer.class);

  /** Probes come one at a time from a kubelet or two: a few connections are plenty. */
  static final int MAX_CONNECTIONS = 16;
  static final int DEADLINE_SECONDS = 5;
  static final ConnectionDeadlines.Limits LIMITS = new ConnectionDeadlines.Limits(MAX_CONNECTIONS,
      Duration.ofSeconds(DEADLINE_SECONDS), Duration.ofSeconds(DEADLINE_SECONDS), Duration.ofSeconds(30));
  private static final StatusHttpServer.RequestLimits SIZES = new StatusHttpServer.RequestLimits(1024, 2048, 2048);

  private final StatusHttpServer server;

  private HealthServer(StatusHttpServer server) {
    this.server = server;
  }

  /**
   * Starts answering probes on {@code bindAddress}:{@code port}, on an event loop thread of its
   * own (stopped by {@link #close()}).
   *
   * @param ready whether the daemon is ready, asked once per {@code /readyz} on the server's
   *     thread (so it must be quick and not block); if it throws, the answer is 503
   * @throws NullPointerException if an argument is null
   * @throws IllegalArgumentException if the port is not in 0..65535
   * @throws InterruptedException if interrupted while binding
   * @throws java.net.BindException (undeclared, as Netty rethrows it) if the address cannot be bound
   */
  public static HealthServer start(String bindAddress, int port, BooleanSupplier ready) throws InterruptedException {
    return start(bindAddress, port, LIMITS, ready);
  }

  /** As {@link #start(String, int, BooleanSupplier)}, with these limits (for tests). */
  static HealthServer start(String bindAddress, int port, ConnectionDeadlines.Limits limits, BooleanSupplier ready)
      throws InterruptedException {
    Objects.requireNonNull(ready, "ready");
    HealthServer health = new HealthServer(StatusHttpServer.serve(null, "mapreduce-health", bindAddress, port, limits,
        SIZES, new Routes(ready), "health endpoint"));
    log.info("health endpoint on http://{}/healthz and /readyz", StatusHttpServer.hostAndPort(health.address()));
    return health;
  }

  /** The port it listens on (the ephemeral one chosen when started with port 0). */
  public int port() {
    return server.port();
  }

  /** The address it listens on. */
  public InetSocketAddress address() {
    return server.address();
  }

  /** Stops listening, closes open connections and stops its thread. */
  @Override
  public void close() {
    server.close();
  }

  /** The two paths. Immutable but for what {@code ready} reads. */
  private static final class Routes implements StatusConnection.Routes {
    private final BooleanSupplier ready;

    Routes(BooleanSupplier ready) {
      this.ready = ready;
    }

    @Override
    public FullHttpResponse answer(FullHttpRequest request, InetAddress local) {
      if (!request.decoderResult().isSuccess()) {
        return text(request, HttpResponseStatus.BAD_REQUEST, "bad request\n");
      }
      String path = new QueryStringDecoder(request.uri()).path();
      boolean readiness = path.equals("/readyz");
      if (!readiness && !path.equals("/healthz")) {
        return text(request, HttpResponseStatus.NOT_FOUND, "not found: this is /healthz and /readyz only\n");
      }
      if (!request.method().equals(HttpMethod.GET)) {
        FullHttpResponse r = text(request, HttpResponseStatus.METHOD_NOT_ALLOWED, "method not allowed: GET only\n");
        r.headers().set(HttpHeaderNames.ALLOW, "GET");
        return r;
      }
      if (!readiness || isReady()) {
        return text(request, HttpResponseStatus.OK, "ok\n");
      }
      return text(request, HttpResponseStatus.SERVICE_UNAVAILABLE, "not ready\n");
    }

    private boolean isReady() {
      try {
        return ready.getAsBoolean();
      } catch (RuntimeException e) {
        log.warn("health endpoint: cannot tell whether the daemon is ready: {}", e.toString());
        return false;
      }
    }

    private static FullHttpResponse text(FullHttpRequest request, HttpResponseStatus code, String body) {
      return StatusRoutes.response(request.protocolVersion(), code, StatusRoutes.TEXT, body);
    }
  }
}

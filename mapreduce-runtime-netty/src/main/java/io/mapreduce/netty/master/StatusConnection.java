package io.mapreduce.netty.master;

import io.mapreduce.thirdparty.io.netty.buffer.ByteBuf;
import io.mapreduce.thirdparty.io.netty.buffer.Unpooled;
import io.mapreduce.thirdparty.io.netty.channel.ChannelFutureListener;
import io.mapreduce.thirdparty.io.netty.channel.ChannelHandler.Sharable;
import io.mapreduce.thirdparty.io.netty.channel.ChannelHandlerContext;
import io.mapreduce.thirdparty.io.netty.channel.ChannelInboundHandlerAdapter;
import io.mapreduce.thirdparty.io.netty.handler.codec.http.FullHttpRequest;
import io.mapreduce.thirdparty.io.netty.handler.codec.http.FullHttpResponse;
import io.mapreduce.thirdparty.io.netty.handler.codec.http.HttpUtil;
import io.mapreduce.thirdparty.io.netty.util.ReferenceCountUtil;
import io.mapreduce.thirdparty.io.netty.util.concurrent.ScheduledFuture;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The handlers of one status page connection, which together keep what a client can make the
 * master hold to one request and one answer. The channel reads only when asked ({@code autoRead}
 * off): {@link Deadlines}, first in the pipeline, asks for the first bytes and closes the
 * connection when a {@link ConnectionDeadlines} deadline passes; {@link Requests}, last, answers
 * one request at a time and asks for more bytes only once its answer is written. So a client that
 * pipelines thousands of requests and reads nothing gets two answers (the one being written and at
 * most one queued behind it) and then a closed connection, not thousands of answers in memory.
 */
final class StatusConnection {
  private static final Logger log = LoggerFactory.getLogger(StatusConnection.class);

  private StatusConnection() {}

  /**
   * What a server answers: {@link StatusRoutes} for the status page, {@link HealthServer}'s for
   * the health endpoint. Called on the connection's event loop; must not block.
   */
  interface Routes {
    /**
     * The answer to {@code request} (perhaps one that failed to decode), which reached the
     * server's address {@code local}. Whether to keep the connection open is the caller's to set.
     */
    FullHttpResponse answer(FullHttpRequest request, InetAddress local);
  }

  /** Closes the connection when the step it is in takes too long (see {@link ConnectionDeadlines}). */
  static final class Deadlines extends ChannelInboundHandlerAdapter {
    private final ConnectionDeadlines deadlines;
    private final String what;
    private ChannelHandlerContext ctx;
    private ScheduledFuture<?> timer;

    Deadlines(ConnectionDeadlines.Limits limits, String what) {
      this.deadlines = new ConnectionDeadlines(limits, System.nanoTime());
      this.what = what;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
      this.ctx = ctx;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
      reschedule();
      ctx.read();
      ctx.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      if (deadlines.step() == ConnectionDeadlines.Step.IDLE) {
        deadlines.bytesArrived(System.nanoTime());
        reschedule();
      }
      ctx.fireChannelRead(msg);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      if (timer != null) {
        timer.cancel(false);
      }
      ctx.fireChannelInactive();
    }

    void requestArrived() {
      deadlines.requestArrived(System.nanoTime());
      reschedule();
    }

    void answered() {
      deadlines.answered(System.nanoTime());
      reschedule();
    }

    private void reschedule() {
      if (timer != null) {
        timer.cancel(false);
      }
      long delay = Math.max(0, deadlines.deadline() - System.nanoTime());
      timer = ctx.executor().schedule(this::check, delay, TimeUnit.NANOSECONDS);
    }

    private void check() {
      long now = System.nanoTime();
      if (!ctx.channel().isActive()) {
        return;
      }
      if (deadlines.expired(now)) {
        log.debug("{}: closing connection with {}: {}", what, ctx.channel().remoteAddress(), deadlines.expiry(now));
        ctx.close();
      } else {
        reschedule();
      }
    }
  }

  /**
   * Answers requests one at a time: while an answer is being written, one request more is kept; a
   * third makes the connection close after the kept one's answer (HTTP lets a server close a
   * persistent connection; a client retries what was not answered).
   */
  static final class Requests extends ChannelInboundHandlerAdapter {
    private final Routes routes;
    private final Deadlines deadlines;
    private final String what;
    private boolean busy;
    private FullHttpRequest queued;
    private boolean closeAfterQueued;

    Requests(Routes routes, Deadlines deadlines, String what) {
      this.routes = routes;
      this.deadlines = deadlines;
      this.what = what;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      if (!(msg instanceof FullHttpRequest request)) {
        ReferenceCountUtil.release(msg);
        return;
      }
      if (!busy) {
        answer(ctx, request);
      } else if (queued == null && !closeAfterQueued) {
        queued = request;
      } else {
        request.release();
        closeAfterQueued = true;
      }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
      // A request not yet whole: read on (autoRead is off, and nothing else asks while idle).
      if (!busy && ctx.channel().isActive()) {
        ctx.read();
      }
    }

    private void answer(ChannelHandlerContext ctx, FullHttpRequest request) {
      busy = true;
      deadlines.requestArrived();
      FullHttpResponse response;
      boolean keepAlive;
      try {
        InetSocketAddress local = (InetSocketAddress) ctx.channel().localAddress();
        response = routes.answer(request, local == null ? null : local.getAddress());
        // A request that could not be decoded leaves the connection's framing unknown: close it.
        keepAlive = request.decoderResult().isSuccess() && HttpUtil.isKeepAlive(request)
            && !(closeAfterQueued && queued == null);
      } finally {
        request.release();
      }
      HttpUtil.setKeepAlive(response, keepAlive);
      ctx.writeAndFlush(response).addListener((ChannelFutureListener) written -> {
        if (!written.isSuccess() || !keepAlive) {
          ctx.close();
          return;
        }
        // Later, not now: a write that completes at once would otherwise let the rest of this
        // read's pipelined requests in one by one, each answered before the client read any.
        ctx.executor().execute(() -> next(ctx));
      });
    }

    private void next(ChannelHandlerContext ctx) {
      if (!ctx.channel().isActive()) {
        return;
      }
      deadlines.answered();
      FullHttpRequest request = queued;
      queued = null;
      if (request != null) {
        answer(ctx, request);
      } else {
        busy = false;
        ctx.read();
      }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      if (queued != null) {
        queued.release();
        queued = null;
      }
      ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      if (cause instanceof IOException) {
        log.debug("{} connection with {} closed: {}", what, ctx.channel().remoteAddress(), cause.toString());
      } else {
        log.warn("{}: closing connection with {}: {}", what, ctx.channel().remoteAddress(), cause.toString());
      }
      ctx.close();
    }
  }

  /**
   * Refuses a connection beyond the cap: a short 503 and a close, without reading a byte of it.
   * Logs a warning at most once a minute, so a flood of connections does not flood the log.
   */
  @Sharable
  static final class Refuse extends ChannelInboundHandlerAdapter {
    private final byte[] answer;
    private final int cap;
    private final String what;
    private final AtomicLong refused = new AtomicLong();
    private final AtomicLong lastWarning = new AtomicLong(System.nanoTime() - TimeUnit.MINUTES.toNanos(1));

    /** @param what what the server serves ("status page"), in the answer and the log */
    Refuse(int cap, String what) {
      this.cap = cap;
      this.what = what;
      String body = "the " + what + " has too many connections open; try again\n";
      this.answer = ("HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain; charset=utf-8\r\n"
          + "Content-Length: " + body.length() + "\r\nConnection: close\r\n\r\n" + body)
          .getBytes(StandardCharsets.US_ASCII);
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
      long n = refused.incrementAndGet();
      long now = System.nanoTime();
      long last = lastWarning.get();
      if (now - last >= TimeUnit.MINUTES.toNanos(1) && lastWarning.compareAndSet(last, now)) {
        log.warn("{}: {} connection(s) refused at its cap of {} open", what, n, cap);
        refused.set(0);
      }
      ByteBuf bytes = Unpooled.wrappedBuffer(answer);
      ctx.writeAndFlush(bytes).addListener(ChannelFutureListener.CLOSE);
    }
  }
}

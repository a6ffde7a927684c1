package io.mapreduce.netty.protocol;

import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;
import java.security.SecureRandom;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What both sides of the handshake share: fresh nonces, the ten seconds the whole handshake may
 * take from connecting, and the two ways it ends. Success removes the handler and fires
 * {@link Authenticated}; failure fires {@link HandshakeFailed}, tells the peer why when it should
 * know, closes the connection, and lets nothing that arrives after it through.
 */
abstract class HandshakeHandler extends ChannelInboundHandlerAdapter {
  private static final SecureRandom RANDOM = new SecureRandom();
  static final long TIMEOUT_SECONDS = 10;

  private final Logger log = LoggerFactory.getLogger(getClass());
  private final boolean logFailures;
  private ScheduledFuture<?> timeout;
  private boolean over;

  /**
   * @param logFailures whether a failure is worth a warning here; else the application says why
   *     (with {@link HandshakeFailed}), and this handler logs it at debug level only
   */
  HandshakeHandler(boolean logFailures) {
    this.logFailures = logFailures;
  }

  /** 32 random bytes. */
  static byte[] nonce() {
    byte[] nonce = new byte[32];
    RANDOM.nextBytes(nonce);
    return nonce;
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) {
    timeout = ctx.executor().schedule(() -> fail(ctx, timeoutReason(ctx), false), TIMEOUT_SECONDS, TimeUnit.SECONDS);
    started(ctx);
    ctx.fireChannelActive();
  }

  /** On connect, after the timeout is set. */
  void started(ChannelHandlerContext ctx) {}

  /** Why the handshake failed when the peer stayed silent. */
  abstract String timeoutReason(ChannelHandlerContext ctx);

  /** One message of the handshake; it ends with {@link #succeed} or {@link #fail}, or waits for more. */
  abstract void handshake(ChannelHandlerContext ctx, Object msg);

  @Override
  public final void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (over) {
      // Frames that came in the same read as a refusal: the connection is closing, nothing passes.
      ReferenceCountUtil.release(msg);
      return;
    }
    handshake(ctx, msg);
  }

  final void succeed(ChannelHandlerContext ctx, Authenticated event) {
    end();
    ctx.pipeline().remove(this);
    ctx.fireUserEventTriggered(event);
  }

  /** Ends the handshake and closes the connection, first telling the peer why if {@code tellPeer}. */
  final void fail(ChannelHandlerContext ctx, String why, boolean tellPeer) {
    if (over) {
      return;
    }
    end();
    if (logFailures) {
      log.warn("closing connection with {}: {}", ctx.channel().remoteAddress(), why);
    } else {
      log.debug("closing connection with {}: {}", ctx.channel().remoteAddress(), why);
    }
    ctx.fireUserEventTriggered(new HandshakeFailed(why));
    if (tellPeer && ctx.channel().isActive()) {
      ctx.writeAndFlush(new Message.ProtocolError(why)).addListener(ChannelFutureListener.CLOSE);
    } else {
      ctx.close();
    }
  }

  private void end() {
    over = true;
    if (timeout != null) {
      timeout.cancel(false);
    }
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    end();
    ctx.fireChannelInactive();
  }
}

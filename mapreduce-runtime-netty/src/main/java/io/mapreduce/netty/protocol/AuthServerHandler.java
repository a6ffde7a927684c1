package io.mapreduce.netty.protocol;

import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.security.SecureRandom;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The server side of the handshake: challenges the client, checks its answer, and leaves the
 * pipeline, firing {@link Authenticated}. A wrong answer, any other first message, or silence
 * for ten seconds closes the connection. One per channel.
 */
public final class AuthServerHandler extends ChannelInboundHandlerAdapter {
  private static final Logger log = LoggerFactory.getLogger(AuthServerHandler.class);
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final long TIMEOUT_SECONDS = 10;

  private final ClusterSecret secret;
  private final byte[] nonce = new byte[32];
  private ScheduledFuture<?> timeout;

  public AuthServerHandler(ClusterSecret secret) {
    this.secret = secret;
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) {
    RANDOM.nextBytes(nonce);
    ctx.writeAndFlush(new Message.Challenge(nonce.clone()));
    timeout = ctx.executor().schedule(() -> {
      log.warn("closing connection from {}: no authentication within {} s", ctx.channel().remoteAddress(),
          TIMEOUT_SECONDS);
      ctx.close();
    }, TIMEOUT_SECONDS, TimeUnit.SECONDS);
    ctx.fireChannelActive();
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (msg instanceof Message.Authenticate a && a.mac() != null && secret.verifies(nonce, a.mac())) {
      timeout.cancel(false);
      ctx.pipeline().remove(this);
      ctx.fireUserEventTriggered(new Authenticated(a.peer()));
      return;
    }
    timeout.cancel(false);
    String why = msg instanceof Message.Authenticate ? "authentication failed (wrong cluster secret?)"
        : "expected authentication, got " + msg.getClass().getSimpleName();
    log.warn("closing connection from {}: {}", ctx.channel().remoteAddress(), why);
    ctx.writeAndFlush(new Message.ProtocolError(why)).addListener(ChannelFutureListener.CLOSE);
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    if (timeout != null) {
      timeout.cancel(false);
    }
    ctx.fireChannelInactive();
  }
}

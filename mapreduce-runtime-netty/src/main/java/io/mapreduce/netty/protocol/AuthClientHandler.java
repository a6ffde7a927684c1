package io.mapreduce.netty.protocol;

import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;

/**
 * The client side of the handshake: answers the server's challenge, leaves the pipeline and fires
 * {@link Authenticated}. One per channel.
 */
public final class AuthClientHandler extends ChannelInboundHandlerAdapter {
  private final ClusterSecret secret;
  private final String self;

  /** @param self what this client calls itself to the server, for its logs */
  public AuthClientHandler(ClusterSecret secret, String self) {
    this.secret = secret;
    this.self = self;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (msg instanceof Message.Challenge c && c.nonce() != null) {
      ctx.writeAndFlush(new Message.Authenticate(secret.answer(c.nonce()), self));
      ctx.pipeline().remove(this);
      ctx.fireUserEventTriggered(new Authenticated(String.valueOf(ctx.channel().remoteAddress())));
      return;
    }
    // The application handler logs a ProtocolError; anything else is a server gone wrong.
    if (msg instanceof Message.ProtocolError) {
      ctx.fireChannelRead(msg);
      return;
    }
    ctx.writeAndFlush(new Message.ProtocolError("expected a challenge, got " + msg.getClass().getSimpleName()))
        .addListener(ChannelFutureListener.CLOSE);
  }
}

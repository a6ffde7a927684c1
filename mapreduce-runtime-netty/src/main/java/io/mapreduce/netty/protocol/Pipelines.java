package io.mapreduce.netty.protocol;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.DecoderException;
import java.io.IOException;
import org.slf4j.Logger;

/**
 * The protocol's pipelines, which read like a sentence: frames in, frames out, the handshake, then
 * the one application handler.
 */
public final class Pipelines {
  private Pipelines() {}

  /** A server's connection: it challenges the client, then proves itself to it. */
  public static void server(Channel ch, ClusterSecret secret, int maxFrameBytes, ChannelHandler app) {
    server(ch, ClusterTls.NONE, secret, maxFrameBytes, app);
  }

  /** A server's connection, in TLS when it is on: it challenges the client, then proves itself to it. */
  public static void server(Channel ch, ClusterTls tls, ClusterSecret secret, int maxFrameBytes, ChannelHandler app) {
    if (tls.enabled()) {
      ch.pipeline().addLast("tls", tls.server().newHandler(ch.alloc()));
    }
    ch.pipeline()
        .addLast("frame-decoder", new FrameDecoder(maxFrameBytes))
        .addLast("frame-encoder", new FrameEncoder(maxFrameBytes))
        .addLast("authenticate", new AuthServerHandler(secret))
        .addLast("app", app);
  }

  /** A client's connection: it answers the server's challenge and checks the server's proof. */
  public static void client(Channel ch, ClusterSecret secret, int maxFrameBytes, String self, ChannelHandler app) {
    client(ch, ClusterTls.NONE, secret, maxFrameBytes, self, app);
  }

  /**
   * A client's connection, in TLS when it is on: it answers the server's challenge and checks the
   * server's proof.
   */
  public static void client(Channel ch, ClusterTls tls, ClusterSecret secret, int maxFrameBytes, String self,
      ChannelHandler app) {
    if (tls.enabled()) {
      ch.pipeline().addLast("tls", tls.client().newHandler(ch.alloc()));
    }
    ch.pipeline()
        .addLast("frame-decoder", new FrameDecoder(maxFrameBytes))
        .addLast("frame-encoder", new FrameEncoder(maxFrameBytes))
        .addLast("authenticate", new AuthClientHandler(secret, self))
        .addLast("app", app);
  }

  /**
   * What every handler does with an exception: logs one line, tells the peer why when the peer
   * is at fault (a {@link ProtocolException}), and closes this connection only.
   */
  public static void closeOnError(ChannelHandlerContext ctx, Throwable cause, Logger log) {
    Throwable c = cause instanceof DecoderException && cause.getCause() != null ? cause.getCause() : cause;
    if (c instanceof ProtocolException) {
      log.warn("closing connection with {}: {}", ctx.channel().remoteAddress(), c.getMessage());
      if (ctx.channel().isActive()) {
        ctx.writeAndFlush(new Message.ProtocolError(c.getMessage())).addListener(ChannelFutureListener.CLOSE);
        return;
      }
    } else if (c instanceof IOException || c instanceof javax.net.ssl.SSLException) {
      log.info("connection with {} lost: {}", ctx.channel().remoteAddress(), c.getMessage());
    } else {
      log.warn("closing connection with {}: {}", ctx.channel().remoteAddress(), c.toString());
    }
    ctx.close();
  }
}

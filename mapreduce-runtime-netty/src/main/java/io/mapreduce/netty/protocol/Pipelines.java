package io.mapreduce.netty.protocol;

import io.mapreduce.thirdparty.io.netty.channel.Channel;
import io.mapreduce.thirdparty.io.netty.channel.ChannelFutureListener;
import io.mapreduce.thirdparty.io.netty.channel.ChannelHandler;
import io.mapreduce.thirdparty.io.netty.channel.ChannelHandlerContext;
import io.mapreduce.thirdparty.io.netty.channel.ChannelPipeline;
import io.mapreduce.thirdparty.io.netty.handler.codec.DecoderException;
import io.mapreduce.thirdparty.io.netty.util.Attribute;
import io.mapreduce.thirdparty.io.netty.util.AttributeKey;
import java.io.IOException;
import java.net.InetSocketAddress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The protocol's pipelines, which read like a sentence: the handshake (which alone reads the
 * connection until it is through), sealed records in and out (when not in TLS), frames in and
 * out, then the one application handler.
 */
public final class Pipelines {
  private static final Logger log = LoggerFactory.getLogger(Pipelines.class);
  /** Each listening channel's gate, shared by the connections it accepts. */
  private static final AttributeKey<HandshakeGate> GATE = AttributeKey.valueOf("mapreduce.handshake-gate");

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
    ch.pipeline().addLast("handshake", serverHandshake(ch, secret));
    afterHandshake(ch.pipeline(), tls, maxFrameBytes, app);
  }

  /**
   * The server's handshake, holding one of the gate's slots for the client's address; past the
   * cap, one that closes the connection on connect.
   */
  private static AuthServerHandler serverHandshake(Channel ch, ClusterSecret secret) {
    if (ch.parent() == null || !(ch.remoteAddress() instanceof InetSocketAddress remote)
        || remote.getAddress() == null) {
      return new AuthServerHandler(secret);
    }
    Attribute<HandshakeGate> attr = ch.parent().attr(GATE);
    attr.setIfAbsent(new HandshakeGate(HandshakeGate.MAX_PER_ADDRESS));
    HandshakeGate gate = attr.get();
    Runnable release = gate.enter(remote.getAddress());
    if (release != null) {
      return new AuthServerHandler(secret, release, null);
    }
    String why = "more than " + HandshakeGate.MAX_PER_ADDRESS + " connections from "
        + remote.getAddress().getHostAddress() + " in their handshake on " + ch.parent().localAddress();
    long refused = gate.refused();
    // A flood must not become a flood of log lines: the 1st, 2nd, 4th, 8th... refusal.
    if (Long.bitCount(refused) == 1) {
      log.warn("refusing connections: {} ({} refused so far)", why, refused);
    }
    return new AuthServerHandler(secret, () -> {}, why);
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
    ch.pipeline().addLast("handshake", new AuthClientHandler(secret, self));
    afterHandshake(ch.pipeline(), tls, maxFrameBytes, app);
  }

  /**
   * What the handshake hands the connection to. In TLS, TLS encrypts and authenticates every byte
   * already; without it, the sealed records (AES-256-GCM) do.
   */
  private static void afterHandshake(ChannelPipeline p, ClusterTls tls, int maxFrameBytes, ChannelHandler app) {
    if (!tls.enabled()) {
      p.addLast("frame-open", new RecordOpener()).addLast("frame-seal", new RecordSealer());
    }
    p.addLast("frame-decoder", new FrameDecoder(maxFrameBytes))
        .addLast("frame-encoder", new FrameEncoder(maxFrameBytes))
        .addLast("app", app);
  }

  /**
   * What every handler does with an exception: logs one line, tells the peer why when the peer
   * is at fault (a {@link ProtocolException}), and closes this connection only. Both the line and
   * the error are cut to {@link Frames#MAX_REASON_CHARS}.
   */
  public static void closeOnError(ChannelHandlerContext ctx, Throwable cause, Logger log) {
    Throwable c = cause instanceof DecoderException && cause.getCause() != null ? cause.getCause() : cause;
    if (c instanceof ProtocolException) {
      String why = Frames.brief(c.getMessage());
      log.warn("closing connection with {}: {}", ctx.channel().remoteAddress(), why);
      if (ctx.channel().isActive()) {
        ctx.writeAndFlush(new Message.ProtocolError(why)).addListener(ChannelFutureListener.CLOSE);
        return;
      }
    } else if (c instanceof IOException || c instanceof javax.net.ssl.SSLException) {
      log.info("connection with {} lost: {}", ctx.channel().remoteAddress(), Frames.brief(c.getMessage()));
    } else {
      log.warn("closing connection with {}: {}", ctx.channel().remoteAddress(), Frames.brief(c.toString()));
    }
    ctx.close();
  }
}

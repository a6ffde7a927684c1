package io.mapreduce.netty.protocol;

import io.mapreduce.thirdparty.io.netty.buffer.ByteBuf;
import io.mapreduce.thirdparty.io.netty.buffer.Unpooled;
import io.mapreduce.thirdparty.io.netty.channel.ChannelFutureListener;
import io.mapreduce.thirdparty.io.netty.channel.ChannelHandlerContext;
import io.mapreduce.thirdparty.io.netty.handler.codec.ByteToMessageDecoder;
import java.security.SecureRandom;
import java.util.List;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What both sides of the handshake share. It sits first in the pipeline (after TLS) and reads the
 * connection's bytes itself, as handshake frames only ({@link Handshakes}: at most
 * {@link Frames#HANDSHAKE_MAX_FRAME_BYTES}, refused at the length prefix beyond), so that nothing a
 * peer sends before it has proven it knows the secret reaches Kryo. It sets fresh nonces and the
 * ten seconds the whole handshake may take from connecting. Success arms the record sealer and
 * opener with the connection's {@link SessionKeys}, removes this handler (what the peer sent after
 * goes on to the opener) and fires {@link Authenticated}; failure fires {@link HandshakeFailed},
 * tells the peer why when it should know, closes the connection, and lets nothing that arrives
 * after it through.
 */
abstract class HandshakeHandler extends ByteToMessageDecoder {
  private static final SecureRandom RANDOM = new SecureRandom();
  static final long TIMEOUT_SECONDS = 10;

  private final Logger log = LoggerFactory.getLogger(getClass());
  private final boolean logFailures;
  private final Runnable onEnd;
  private ScheduledFuture<?> timeout;
  private boolean over;
  private boolean refused;

  /**
   * @param logFailures whether a failure is worth a warning here; else the application says why
   *     (with {@link HandshakeFailed}), and this handler logs it at debug level only
   * @param onEnd run once when the handshake ends, however it ends
   */
  HandshakeHandler(boolean logFailures, Runnable onEnd) {
    this.logFailures = logFailures;
    this.onEnd = onEnd;
  }

  /** 32 random bytes. */
  static byte[] nonce() {
    byte[] nonce = new byte[Handshakes.NONCE_BYTES];
    RANDOM.nextBytes(nonce);
    return nonce;
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) throws Exception {
    timeout = ctx.executor().schedule(() -> fail(ctx, timeoutReason(ctx), false), TIMEOUT_SECONDS, TimeUnit.SECONDS);
    started(ctx);
    super.channelActive(ctx);
  }

  /** On connect, after the timeout is set. */
  void started(ChannelHandlerContext ctx) {}

  /** Why the handshake failed when the peer stayed silent. */
  abstract String timeoutReason(ChannelHandlerContext ctx);

  /** One message of the handshake; it ends with {@link #succeed} or {@link #fail}, or waits for more. */
  abstract void handshake(ChannelHandlerContext ctx, Message msg);

  /** Writes a handshake message, straight to the wire (no frame encoder, no sealing). */
  static void send(ChannelHandlerContext ctx, Message m) {
    ctx.writeAndFlush(Unpooled.wrappedBuffer(Handshakes.encode(m)));
  }

  @Override
  protected final void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
    while (!over && !ctx.isRemoved() && in.readableBytes() >= Frames.HEADER_BYTES) {
      int at = in.readerIndex();
      String refusal = FrameDecoder.checkHeader(in.getInt(at), in.getShort(at + 4), in.getInt(at + 6),
          Frames.HANDSHAKE_MAX_FRAME_BYTES, " before authentication");
      if (refusal != null) {
        fail(ctx, refusal, true);
        break;
      }
      int length = in.getInt(at + 6);
      if (in.readableBytes() < Frames.HEADER_BYTES + length) {
        return;
      }
      in.skipBytes(Frames.HEADER_BYTES);
      byte[] payload = new byte[length];
      in.readBytes(payload);
      Message m;
      try {
        m = Handshakes.decode(payload);
      } catch (ProtocolException e) {
        fail(ctx, e.getMessage(), true);
        break;
      }
      handshake(ctx, m);
    }
    if (refused) {
      // Whatever came with or after a refusal: the connection is closing, nothing passes.
      in.skipBytes(in.readableBytes());
    }
  }

  /**
   * Ends the handshake well: arms the sealer and opener (when the stream is not in TLS, which
   * protects it instead), and hands the connection to the application.
   */
  final void succeed(ChannelHandlerContext ctx, SessionKeys keys, boolean server, Authenticated event) {
    end();
    RecordSealer sealer = ctx.pipeline().get(RecordSealer.class);
    RecordOpener opener = ctx.pipeline().get(RecordOpener.class);
    if (sealer != null && opener != null) {
      sealer.arm(keys.sending(server));
      opener.arm(keys.receiving(server));
    }
    ctx.pipeline().remove(this);
    ctx.fireUserEventTriggered(event);
  }

  /** Ends the handshake and closes the connection, first telling the peer why if {@code tellPeer}. */
  final void fail(ChannelHandlerContext ctx, String why, boolean tellPeer) {
    if (over) {
      return;
    }
    end();
    refused = true;
    String reason = Frames.brief(why);
    if (logFailures) {
      log.warn("closing connection with {}: {}", ctx.channel().remoteAddress(), reason);
    } else {
      log.debug("closing connection with {}: {}", ctx.channel().remoteAddress(), reason);
    }
    ctx.fireUserEventTriggered(new HandshakeFailed(reason));
    if (tellPeer && ctx.channel().isActive()) {
      ctx.writeAndFlush(Unpooled.wrappedBuffer(Handshakes.encode(new Message.ProtocolError(reason))))
          .addListener(ChannelFutureListener.CLOSE);
    } else {
      ctx.close();
    }
  }

  private void end() {
    if (!over) {
      over = true;
      onEnd.run();
    }
    if (timeout != null) {
      timeout.cancel(false);
    }
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) throws Exception {
    end();
    super.channelInactive(ctx);
  }
}

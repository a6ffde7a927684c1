package io.mapreduce.netty.protocol;

import io.mapreduce.thirdparty.io.netty.buffer.ByteBuf;
import io.mapreduce.thirdparty.io.netty.channel.ChannelHandlerContext;
import io.mapreduce.thirdparty.io.netty.handler.codec.ByteToMessageDecoder;
import java.util.List;

/**
 * Reads frames into {@link Message}s once the handshake is through (before, {@link
 * HandshakeHandler} reads the connection alone), refusing a wrong magic number, another protocol version and
 * frames over the maximum before reading their bodies. After a refusal it discards everything
 * else the connection sends (the handler closes it). Not sharable: one per channel.
 *
 * <p>A shuffle client calls {@link #expectRaw} when it has read a {@code FetchResponse}: that many
 * bytes then come through as {@link ByteBuf} slices, outside any frame.
 */
public final class FrameDecoder extends ByteToMessageDecoder {
  private final int maxFrameBytes;
  private long rawRemaining;
  private boolean failed;

  public FrameDecoder(int maxFrameBytes) {
    this.maxFrameBytes = maxFrameBytes;
  }

  /** The next {@code bytes} bytes are raw data, to be passed on as buffers. */
  public void expectRaw(long bytes) {
    rawRemaining += bytes;
  }

  @Override
  protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
    if (failed) {
      in.skipBytes(in.readableBytes());
      return;
    }
    if (rawRemaining > 0) {
      int n = (int) Math.min(in.readableBytes(), rawRemaining);
      if (n > 0) {
        rawRemaining -= n;
        out.add(in.readRetainedSlice(n));
      }
      return;
    }
    if (in.readableBytes() < Frames.HEADER_BYTES) {
      return;
    }
    int at = in.readerIndex();
    int length = in.getInt(at + 6);
    String refusal = checkHeader(in.getInt(at), in.getShort(at + 4), length, maxFrameBytes, "");
    if (refusal != null) {
      throw refuse(in, refusal);
    }
    if (in.readableBytes() < Frames.HEADER_BYTES + length) {
      return;
    }
    in.skipBytes(Frames.HEADER_BYTES);
    byte[] payload = new byte[length];
    in.readBytes(payload);
    try {
      out.add(ProtocolKryo.decode(payload));
    } catch (ProtocolException e) {
      throw refuse(in, e.getMessage());
    }
  }

  /**
   * Why a frame header is refused (a wrong magic number, another version, a length over the
   * maximum, said {@code when}), or null: read from the header alone, before any body.
   */
  static String checkHeader(int magic, short version, int length, int maxFrameBytes, String when) {
    if (magic != Frames.MAGIC) {
      return String.format("not a mapreduce peer: frame starts with 0x%08x, not 0x%08x", magic, Frames.MAGIC);
    }
    if (version != Frames.VERSION) {
      return "protocol version mismatch: the peer speaks version " + version + ", this side speaks " + Frames.VERSION;
    }
    if (length < 0 || length > maxFrameBytes) {
      return "frame of " + Integer.toUnsignedString(length) + " bytes" + when + " exceeds the maximum of "
          + maxFrameBytes;
    }
    return null;
  }

  private ProtocolException refuse(ByteBuf in, String message) {
    failed = true;
    in.skipBytes(in.readableBytes());
    return new ProtocolException(message);
  }
}

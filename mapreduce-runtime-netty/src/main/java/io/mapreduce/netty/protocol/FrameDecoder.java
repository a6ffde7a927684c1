package io.mapreduce.netty.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import java.util.List;

/**
 * Reads frames into {@link Message}s, refusing a wrong magic number, another protocol version and
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
    int magic = in.getInt(at);
    if (magic != Frames.MAGIC) {
      throw refuse(in, String.format("not a mapreduce peer: frame starts with 0x%08x, not 0x%08x", magic,
          Frames.MAGIC));
    }
    short version = in.getShort(at + 4);
    if (version != Frames.VERSION) {
      throw refuse(in, "protocol version mismatch: the peer speaks version " + version + ", this side speaks "
          + Frames.VERSION);
    }
    int length = in.getInt(at + 6);
    if (length < 0 || length > maxFrameBytes) {
      throw refuse(in, "frame of " + Integer.toUnsignedString(length) + " bytes exceeds the maximum of "
          + maxFrameBytes);
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

  private ProtocolException refuse(ByteBuf in, String message) {
    failed = true;
    in.skipBytes(in.readableBytes());
    return new ProtocolException(message);
  }
}

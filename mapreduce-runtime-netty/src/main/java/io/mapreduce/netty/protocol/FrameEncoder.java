package io.mapreduce.netty.protocol;

import io.mapreduce.thirdparty.io.netty.buffer.ByteBuf;
import io.mapreduce.thirdparty.io.netty.channel.ChannelHandler.Sharable;
import io.mapreduce.thirdparty.io.netty.channel.ChannelHandlerContext;
import io.mapreduce.thirdparty.io.netty.handler.codec.EncoderException;
import io.mapreduce.thirdparty.io.netty.handler.codec.MessageToByteEncoder;

/**
 * Writes messages as frames. Anything else written to the channel (the raw bytes of a shuffle
 * segment, as a {@code FileRegion}) passes through as it is.
 */
@Sharable
public final class FrameEncoder extends MessageToByteEncoder<Message> {
  private final int maxFrameBytes;

  public FrameEncoder(int maxFrameBytes) {
    this.maxFrameBytes = maxFrameBytes;
  }

  @Override
  protected void encode(ChannelHandlerContext ctx, Message m, ByteBuf out) {
    byte[] payload = ProtocolKryo.encode(m);
    // The peer would refuse it and close the connection: fail this write instead, here.
    if (payload.length > maxFrameBytes) {
      throw new EncoderException(m.getClass().getSimpleName() + " of " + payload.length
          + " bytes exceeds the maximum frame of " + maxFrameBytes + " bytes");
    }
    out.ensureWritable(Frames.HEADER_BYTES + payload.length);
    out.writeInt(Frames.MAGIC);
    out.writeShort(Frames.VERSION);
    out.writeInt(payload.length);
    out.writeBytes(payload);
  }
}

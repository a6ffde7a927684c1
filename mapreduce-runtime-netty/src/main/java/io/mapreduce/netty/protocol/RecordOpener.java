package io.mapreduce.netty.protocol;

import io.mapreduce.thirdparty.io.netty.buffer.ByteBuf;
import io.mapreduce.thirdparty.io.netty.channel.ChannelHandlerContext;
import io.mapreduce.thirdparty.io.netty.handler.codec.ByteToMessageDecoder;
import java.util.List;

/**
 * Opens the peer's sealed records ({@link SessionKeys}: decrypts them and checks their tags) and
 * passes on their bytes; a record whose
 * tag does not match (forged, altered, injected, replayed) closes the connection, and nothing of
 * it or after it gets through. Armed by the handshake. One per channel.
 */
final class RecordOpener extends ByteToMessageDecoder {
  private SessionKeys.Direction keys;
  private boolean failed;

  void arm(SessionKeys.Direction keys) {
    this.keys = keys;
  }

  @Override
  protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
    if (failed) {
      in.skipBytes(in.readableBytes());
      return;
    }
    while (in.readableBytes() >= SessionKeys.LENGTH_BYTES) {
      if (keys == null) {
        throw refuse(in, "bytes before the handshake is through");
      }
      int at = in.readerIndex();
      int length = in.getInt(at);
      if (length < 1 || length > SessionKeys.MAX_RECORD_BYTES) {
        throw refuse(in, "sealed record of " + Integer.toUnsignedString(length) + " bytes, not 1 to "
            + SessionKeys.MAX_RECORD_BYTES + " (not sealed with this connection's key?)");
      }
      if (in.readableBytes() < SessionKeys.LENGTH_BYTES + length + SessionKeys.TAG_BYTES) {
        return;
      }
      ByteBuf plain = ctx.alloc().buffer(length);
      if (!keys.open(in.nioBuffer(at + SessionKeys.LENGTH_BYTES, length + SessionKeys.TAG_BYTES),
          plain.nioBuffer(0, length))) {
        plain.release();
        throw refuse(in, "frame authentication failed: a record's tag does not match"
            + " (altered, injected or replayed on the way?)");
      }
      plain.writerIndex(length);
      in.skipBytes(SessionKeys.LENGTH_BYTES + length + SessionKeys.TAG_BYTES);
      out.add(plain);
    }
  }

  private ProtocolException refuse(ByteBuf in, String message) {
    failed = true;
    in.skipBytes(in.readableBytes());
    return new ProtocolException(message);
  }
}

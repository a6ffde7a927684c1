package io.mapreduce.netty.protocol;

import io.mapreduce.thirdparty.io.netty.buffer.ByteBuf;
import io.mapreduce.thirdparty.io.netty.channel.ChannelHandlerContext;
import io.mapreduce.thirdparty.io.netty.channel.ChannelOutboundHandlerAdapter;
import io.mapreduce.thirdparty.io.netty.channel.ChannelPromise;
import io.mapreduce.thirdparty.io.netty.util.ReferenceCountUtil;

/**
 * Cuts what this side writes after the handshake into sealed records ({@link SessionKeys}). Only
 * buffers pass: a {@code FileRegion} would go out unsealed, so the shuffle writes files in chunks.
 * Armed by the handshake; nothing may be written through it before. One per channel.
 */
final class RecordSealer extends ChannelOutboundHandlerAdapter {
  private SessionKeys.Direction keys;

  void arm(SessionKeys.Direction keys) {
    this.keys = keys;
  }

  @Override
  public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
    if (!(msg instanceof ByteBuf in) || keys == null) {
      ReferenceCountUtil.release(msg);
      promise.setFailure(new IllegalStateException(keys == null ? "nothing is written before the handshake is through"
          : msg.getClass().getSimpleName() + " cannot be sealed: write buffers"));
      return;
    }
    try {
      int n = in.readableBytes();
      if (n == 0) {
        ctx.write(in.retain(), promise);
        return;
      }
      int records = (n + SessionKeys.MAX_RECORD_BYTES - 1) / SessionKeys.MAX_RECORD_BYTES;
      ByteBuf out = ctx.alloc().buffer(n + records * (SessionKeys.LENGTH_BYTES + SessionKeys.TAG_BYTES));
      try {
        while (in.isReadable()) {
          int len = Math.min(in.readableBytes(), SessionKeys.MAX_RECORD_BYTES);
          out.writeInt(len);
          keys.seal(in.nioBuffer(in.readerIndex(), len),
              out.nioBuffer(out.writerIndex(), len + SessionKeys.TAG_BYTES));
          in.skipBytes(len);
          out.writerIndex(out.writerIndex() + len + SessionKeys.TAG_BYTES);
        }
      } catch (RuntimeException e) {
        out.release();
        throw e;
      }
      ctx.write(out, promise);
    } finally {
      in.release();
    }
  }
}

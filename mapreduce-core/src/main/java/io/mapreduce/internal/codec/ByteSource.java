package io.mapreduce.internal.codec;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/** A cursor over a byte range that codecs decode from. */
public final class ByteSource {
  // One bounds check and one load for a number, where byte by byte took eight of each.
  private static final VarHandle INT = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.BIG_ENDIAN);
  private static final VarHandle LONG = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);

  private byte[] buf;
  private int pos;
  private int end;

  public ByteSource reset(byte[] buf, int off, int len) {
    this.buf = buf;
    this.pos = off;
    this.end = off + len;
    return this;
  }

  /** Bytes not yet read: a top-level decode that leaves some did not read what was written. */
  public int remaining() {
    return end - pos;
  }

  byte[] array() {
    return buf;
  }

  int position() {
    return pos;
  }

  int end() {
    return end;
  }

  void skip(int n) {
    pos += n;
  }

  int readByte() {
    check(1);
    return buf[pos++] & 0xff;
  }

  int readShort() {
    check(2);
    int v = ((buf[pos] & 0xff) << 8) | (buf[pos + 1] & 0xff);
    pos += 2;
    return v;
  }

  int readInt() {
    check(4);
    int v = (int) INT.get(buf, pos);
    pos += 4;
    return v;
  }

  long readLong() {
    check(8);
    long v = (long) LONG.get(buf, pos);
    pos += 8;
    return v;
  }

  private void check(int n) {
    if (end - pos < n) {
      throw new IllegalArgumentException("truncated encoding: need " + n + " bytes, have " + (end - pos));
    }
  }
}

package io.mapreduce.internal.codec;

import java.util.Arrays;

/** A growable byte array that codecs append to. Reused: {@link #clear()} keeps the capacity. */
public final class ByteSink {
  private byte[] buf;
  private int length;

  public ByteSink(int initialCapacity) {
    buf = new byte[Math.max(16, initialCapacity)];
  }

  public byte[] array() {
    return buf;
  }

  public int length() {
    return length;
  }

  public void clear() {
    length = 0;
  }

  public void writeByte(int b) {
    ensure(1);
    buf[length++] = (byte) b;
  }

  public void write(byte[] src, int off, int len) {
    ensure(len);
    System.arraycopy(src, off, buf, length, len);
    length += len;
  }

  public void writeShort(int v) {
    ensure(2);
    buf[length++] = (byte) (v >>> 8);
    buf[length++] = (byte) v;
  }

  public void writeInt(int v) {
    ensure(4);
    buf[length++] = (byte) (v >>> 24);
    buf[length++] = (byte) (v >>> 16);
    buf[length++] = (byte) (v >>> 8);
    buf[length++] = (byte) v;
  }

  public void writeLong(long v) {
    writeInt((int) (v >>> 32));
    writeInt((int) v);
  }

  private void ensure(int more) {
    if (buf.length - length < more) {
      long wanted = Math.max((long) length + more, 2L * buf.length);
      if (wanted > Integer.MAX_VALUE - 16) {
        throw new IllegalStateException("encoded record larger than 2 GiB");
      }
      buf = Arrays.copyOf(buf, (int) wanted);
    }
  }
}

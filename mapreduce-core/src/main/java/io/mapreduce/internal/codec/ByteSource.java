package io.mapreduce.internal.codec;

/** A cursor over a byte range that codecs decode from. */
public final class ByteSource {
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
    int v = ((buf[pos] & 0xff) << 24) | ((buf[pos + 1] & 0xff) << 16)
        | ((buf[pos + 2] & 0xff) << 8) | (buf[pos + 3] & 0xff);
    pos += 4;
    return v;
  }

  long readLong() {
    return ((long) readInt() << 32) | (readInt() & 0xffffffffL);
  }

  private void check(int n) {
    if (end - pos < n) {
      throw new IllegalArgumentException("truncated encoding: need " + n + " bytes, have " + (end - pos));
    }
  }
}

package io.mapreduce.internal.codec;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/** A growable byte array that codecs append to. Reused: {@link #clear()} keeps the capacity. */
public final class ByteSink {
  /** Strings up to this length are encoded here; longer ones by the JDK's bulk (vectorized) path. */
  private static final int SHORT_STRING = 32;

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

  /**
   * Appends {@code n} bytes for the caller to fill in through {@link #array()} (which may be a new
   * array after this call); returns the offset of the first.
   */
  public int reserve(int n) {
    ensure(n);
    int at = length;
    length += n;
    return at;
  }

  /** Drops the bytes from {@code newLength} on, keeping the capacity. */
  public void truncate(int newLength) {
    if (newLength < 0 || newLength > length) {
      throw new IndexOutOfBoundsException("truncate to " + newLength + " bytes of " + length);
    }
    length = newLength;
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

  /**
   * Appends exactly the bytes of {@code s.getBytes(UTF_8)}, an unpaired surrogate as {@code '?'}
   * as the JDK writes it. A short string is encoded here, straight into the buffer: for the short
   * keys most jobs have (words), the JDK's intermediate array cost more than the encoding.
   */
  void writeUtf8(String s) {
    int n = s.length();
    if (n > SHORT_STRING) {
      byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
      write(bytes, 0, bytes.length);
      return;
    }
    ensure(3 * n); // a surrogate pair is 4 bytes for 2 chars, every other char at most 3
    byte[] b = buf;
    int at = length;
    // The ASCII run first, in a loop that only counts: the general loop below steps its index
    // twice for a surrogate pair, which keeps the JIT from treating it as a counted loop (no
    // unrolling, a bounds check per char); that loop alone took most of a word's encoding.
    int ascii = 0;
    while (ascii < n) {
      char c = s.charAt(ascii);
      if (c >= 0x80) {
        break;
      }
      b[at + ascii] = (byte) c;
      ascii++;
    }
    at += ascii;
    for (int i = ascii; i < n; i++) {
      char c = s.charAt(i);
      if (c < 0x80) {
        b[at++] = (byte) c;
      } else if (c < 0x800) {
        b[at++] = (byte) (0xc0 | c >> 6);
        b[at++] = (byte) (0x80 | c & 0x3f);
      } else if (!Character.isSurrogate(c)) {
        b[at++] = (byte) (0xe0 | c >> 12);
        b[at++] = (byte) (0x80 | c >> 6 & 0x3f);
        b[at++] = (byte) (0x80 | c & 0x3f);
      } else if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(s.charAt(i + 1))) {
        int cp = Character.toCodePoint(c, s.charAt(++i));
        b[at++] = (byte) (0xf0 | cp >> 18);
        b[at++] = (byte) (0x80 | cp >> 12 & 0x3f);
        b[at++] = (byte) (0x80 | cp >> 6 & 0x3f);
        b[at++] = (byte) (0x80 | cp & 0x3f);
      } else {
        b[at++] = '?';
      }
    }
    length = at;
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
    ensure(8);
    byte[] b = buf;
    int at = length;
    for (int shift = 56; shift >= 0; shift -= 8) {
      b[at++] = (byte) (v >>> shift);
    }
    length = at;
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

package io.mapreduce.internal.shuffle;

/** Unsigned LEB128 varints, for record lengths. */
final class Varints {
  private Varints() {}

  /** Writes {@code value} at {@code pos}; returns the position after it. */
  static int write(int value, byte[] buf, int pos) {
    while ((value & ~0x7f) != 0) {
      buf[pos++] = (byte) ((value & 0x7f) | 0x80);
      value >>>= 7;
    }
    buf[pos++] = (byte) value;
    return pos;
  }
}

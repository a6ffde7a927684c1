package io.mapreduce.internal.shuffle;

/** Unsigned LEB128 varints, for record lengths (run files here, pairs files in {@code internal.io}). */
public final class Varints {
  /** The longest encoding of an int. */
  public static final int MAX_LENGTH = 5;

  private Varints() {}

  /** Writes {@code value} at {@code pos}; returns the position after it. */
  public static int write(int value, byte[] buf, int pos) {
    while ((value & ~0x7f) != 0) {
      buf[pos++] = (byte) ((value & 0x7f) | 0x80);
      value >>>= 7;
    }
    buf[pos++] = (byte) value;
    return pos;
  }
}

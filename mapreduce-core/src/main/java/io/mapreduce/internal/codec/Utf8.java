package io.mapreduce.internal.codec;

/** UTF-8 checks on bytes, as Java's decoder reads them. */
public final class Utf8 {
  private Utf8() {}

  /**
   * Whether {@code b[offset, offset + length)} is well-formed UTF-8 (Unicode's table 3-7: no
   * overlong forms, no surrogates, nothing above U+10FFFF, no truncated sequence), so that
   * decoding it and encoding the {@code String} again gives the same bytes.
   */
  public static boolean isWellFormed(byte[] b, int offset, int length) {
    int i = offset;
    int end = offset + length;
    while (i < end) {
      int c = b[i];
      if (c >= 0) {
        i++;
        continue;
      }
      c &= 0xff;
      if (c < 0xc2 || c > 0xf4) {
        return false;
      }
      if (c < 0xe0) {
        if (i + 1 >= end || !continuation(b[i + 1])) {
          return false;
        }
        i += 2;
      } else if (c < 0xf0) {
        if (i + 2 >= end) {
          return false;
        }
        int c1 = b[i + 1] & 0xff;
        boolean second = c == 0xe0 ? c1 >= 0xa0 && c1 <= 0xbf : c == 0xed ? c1 >= 0x80 && c1 <= 0x9f : continuation(b[i + 1]);
        if (!second || !continuation(b[i + 2])) {
          return false;
        }
        i += 3;
      } else {
        if (i + 3 >= end) {
          return false;
        }
        int c1 = b[i + 1] & 0xff;
        boolean second = c == 0xf0 ? c1 >= 0x90 && c1 <= 0xbf : c == 0xf4 ? c1 >= 0x80 && c1 <= 0x8f : continuation(b[i + 1]);
        if (!second || !continuation(b[i + 2]) || !continuation(b[i + 3])) {
          return false;
        }
        i += 4;
      }
    }
    return true;
  }

  private static boolean continuation(byte b) {
    return (b & 0xc0) == 0x80;
  }
}

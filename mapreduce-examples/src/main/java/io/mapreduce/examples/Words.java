package io.mapreduce.examples;

import java.util.function.Consumer;

/** The examples' tokenizer: maximal runs of Unicode letters, by code point. */
public final class Words {
  private Words() {}

  /** Receives the words {@link #forEachUtf8} finds, as ranges of the line's bytes. */
  @FunctionalInterface
  public interface Utf8Words {
    void word(byte[] bytes, int start, int length);
  }

  /**
   * Calls {@code action} with each word of the UTF-8 text {@code bytes[start, end)}: the same
   * words, in the same order, as {@link #forEach} finds in the text decoded, without decoding it.
   * ASCII bytes are tested as they are; other code points are decoded as Java's UTF-8 decoder
   * does, and a malformed sequence (which the decoder turns into U+FFFD, not a letter) ends a
   * word, one byte at a time, so no word starts inside it.
   */
  public static void forEachUtf8(byte[] bytes, int start, int end, Utf8Words action) {
    int i = start;
    while (i < end) {
      int c = bytes[i];
      if (c >= 0) {
        if (!isAsciiLetter((char) c)) {
          i++;
          continue;
        }
      } else {
        int n = letterLength(bytes, i, end);
        if (n <= 0) {
          i += n == 0 ? 1 : -n;
          continue;
        }
      }
      int word = i;
      while (i < end) {
        c = bytes[i];
        if (c >= 0) {
          if (!isAsciiLetter((char) c)) {
            break;
          }
          i++;
        } else {
          int n = letterLength(bytes, i, end);
          if (n <= 0) {
            break;
          }
          i += n;
        }
      }
      action.word(bytes, word, i - word);
    }
  }

  /**
   * The multi-byte sequence at {@code b[i]}: its length if it encodes a letter, minus its length
   * if it encodes another code point, 0 if it is malformed (well-formed UTF-8 per Unicode's table
   * 3-7, as Java's decoder reads it).
   */
  private static int letterLength(byte[] b, int i, int end) {
    int c = b[i] & 0xff;
    if (c < 0xc2 || c > 0xf4) {
      return 0;
    }
    int n = c < 0xe0 ? 2 : c < 0xf0 ? 3 : 4;
    if (end - i < n) {
      return 0;
    }
    int c1 = b[i + 1] & 0xff;
    int low = c == 0xe0 ? 0xa0 : c == 0xf0 ? 0x90 : 0x80;
    int high = c == 0xed ? 0x9f : c == 0xf4 ? 0x8f : 0xbf;
    if (c1 < low || c1 > high) {
      return 0;
    }
    int cp;
    if (n == 2) {
      cp = (c & 0x1f) << 6 | (c1 & 0x3f);
    } else if (n == 3) {
      int c2 = b[i + 2];
      if ((c2 & 0xc0) != 0x80) {
        return 0;
      }
      cp = (c & 0x0f) << 12 | (c1 & 0x3f) << 6 | (c2 & 0x3f);
    } else {
      int c2 = b[i + 2];
      int c3 = b[i + 3];
      if ((c2 & 0xc0) != 0x80 || (c3 & 0xc0) != 0x80) {
        return 0;
      }
      cp = (c & 0x07) << 18 | (c1 & 0x3f) << 12 | (c2 & 0x3f) << 6 | (c3 & 0x3f);
    }
    return Character.isLetter(cp) ? n : -n;
  }

  /**
   * Calls {@code action} with each word of {@code text}, in order. The text is copied into a char
   * array first and scanned there, as a word count over a {@code Reader} would: indexing a
   * {@code String} checks its bounds and its encoding at every char.
   */
  public static void forEach(String text, Consumer<String> action) {
    int n = text.length();
    char[] chars = new char[n];
    text.getChars(0, n, chars, 0);
    int i = 0;
    while (i < n) {
      // Skip to the next letter.
      char c = chars[i];
      if (c < 0x80) {
        if (!isAsciiLetter(c)) {
          i++;
          continue;
        }
      } else {
        int cp = Character.codePointAt(chars, i, n);
        if (!Character.isLetter(cp)) {
          i += Character.charCount(cp);
          continue;
        }
      }
      // Consume the word: ASCII letters take the fast path, the rest goes by code point.
      int start = i;
      while (i < n) {
        c = chars[i];
        if (c < 0x80) {
          if (!isAsciiLetter(c)) {
            break;
          }
          i++;
        } else {
          int cp = Character.codePointAt(chars, i, n);
          if (!Character.isLetter(cp)) {
            break;
          }
          i += Character.charCount(cp);
        }
      }
      action.accept(new String(chars, start, i - start));
    }
  }

  private static boolean isAsciiLetter(char c) {
    return (char) ((c | 0x20) - 'a') < 26;
  }
}

package io.mapreduce.examples;

import java.util.function.Consumer;

/** The examples' tokenizer: maximal runs of Unicode letters, by code point. */
public final class Words {
  private Words() {}

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

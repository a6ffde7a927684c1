package io.mapreduce.examples;

import java.util.function.Consumer;

/** The examples' tokenizer: maximal runs of Unicode letters, by code point. */
public final class Words {
  private Words() {}

  /** Calls {@code action} with each word of {@code text}, in order. */
  public static void forEach(String text, Consumer<String> action) {
    int n = text.length();
    int i = 0;
    while (i < n) {
      // Skip to the next letter.
      int start = i;
      char c = text.charAt(i);
      if (c < 0x80 ? !isAsciiLetter(c) : !Character.isLetter(text.codePointAt(i))) {
        i += c < 0x80 ? 1 : Character.charCount(text.codePointAt(i));
        continue;
      }
      // Consume the word: ASCII letters take the fast path, the rest goes by code point.
      while (i < n) {
        c = text.charAt(i);
        if (c < 0x80) {
          if (!isAsciiLetter(c)) {
            break;
          }
          i++;
        } else {
          int cp = text.codePointAt(i);
          if (!Character.isLetter(cp)) {
            break;
          }
          i += Character.charCount(cp);
        }
      }
      action.accept(text.substring(start, i));
    }
  }

  private static boolean isAsciiLetter(char c) {
    return (char) ((c | 0x20) - 'a') < 26;
  }
}

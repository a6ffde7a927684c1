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
      int cp = text.codePointAt(i);
      if (!Character.isLetter(cp)) {
        i += Character.charCount(cp);
        continue;
      }
      int start = i;
      do {
        i += Character.charCount(cp);
      } while (i < n && Character.isLetter(cp = text.codePointAt(i)));
      action.accept(text.substring(start, i));
    }
  }
}

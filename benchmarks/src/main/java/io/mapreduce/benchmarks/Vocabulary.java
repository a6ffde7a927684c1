package io.mapreduce.benchmarks;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * A synthesized vocabulary, the same for the same size, seed and alphabet: pronounceable Latin
 * words and, in the mixed alphabet, some with accented letters, some Greek and Cyrillic, and some
 * with letters outside the Basic Multilingual Plane (Deseret, Gothic, mathematical bold), which
 * take two UTF-16 chars and four UTF-8 bytes. Every code point of every word is a letter by
 * {@link Character#isLetter(int)}, so each word is exactly one word to the examples' tokenizer.
 * Shorter words come first, so that with Zipf-distributed ranks the frequent words are short, as in
 * natural text.
 */
final class Vocabulary {
  /** Which letters words are made of. */
  enum Alphabet {
    /** ASCII letters only. */
    ASCII,
    /** Mostly ASCII, with accented, Greek, Cyrillic and supplementary-plane letters. */
    MIXED
  }

  private static final String[] ONSETS = {
      "b", "c", "d", "f", "g", "h", "j", "k", "l", "m", "n", "p", "r", "s", "t", "v", "w", "z",
      "br", "ch", "cl", "dr", "fl", "gr", "pl", "qu", "sh", "sp", "st", "th", "tr", ""};
  private static final String[] VOWELS = {"a", "e", "i", "o", "u", "y", "ai", "ea", "ou", "ie"};
  private static final String[] CODAS = {"", "", "", "n", "r", "s", "t", "l", "m", "nd", "st", "ck"};
  private static final int[] ACCENTED = "éèêëàâäîïôöùûüçñøåæœß".codePoints().toArray();
  /** Ranges of lowercase letters, [first, last] inclusive; all are letters. */
  private static final int[][] GREEK_CYRILLIC = {{0x03B1, 0x03C9}, {0x0430, 0x044F}};
  private static final int[][] SUPPLEMENTARY = {
      {0x10428, 0x1044F}, // Deseret small letters (Ll)
      {0x10330, 0x10340}, // Gothic letters (Lo); U+10341 and U+1034A are numbers (Nl), left out
      {0x1D41A, 0x1D433}}; // mathematical bold small a-z (Ll)

  private Vocabulary() {}

  static List<String> synthesize(int size, long seed, Alphabet alphabet) {
    if (size <= 0) {
      throw new IllegalArgumentException("vocabulary size must be positive but was " + size);
    }
    SplitMix64 random = new SplitMix64(seed);
    Set<String> words = new LinkedHashSet<>();
    long attempts = 0;
    while (words.size() < size) {
      if (++attempts > 100L * size + 1000) {
        throw new IllegalStateException("could not synthesize " + size + " distinct words");
      }
      String latin = latinWord(random);
      String word = alphabet == Alphabet.ASCII ? latin : mix(latin, random);
      words.add(word);
      if (random.nextInt(20) == 0) {
        // Case is kept by the tokenizer: "Word" and "word" are different words.
        words.add(capitalize(word));
      }
    }
    List<String> list = new ArrayList<>(words);
    if (list.size() > size) {
      list = new ArrayList<>(list.subList(0, size));
    }
    for (String w : list) {
      if (w.isEmpty() || !w.codePoints().allMatch(Character::isLetter)) {
        throw new AssertionError("not a single word: " + w);
      }
    }
    // Stable: equal lengths keep their (random) order.
    list.sort(Comparator.comparingInt(w -> w.codePointCount(0, w.length())));
    return list;
  }

  private static String latinWord(SplitMix64 random) {
    int syllables = random.nextInt(10) < 3 ? 1 : random.nextInt(10) < 7 ? 2 : random.nextInt(2, 4);
    StringBuilder b = new StringBuilder();
    for (int s = 0; s < syllables; s++) {
      b.append(ONSETS[random.nextInt(ONSETS.length)]).append(VOWELS[random.nextInt(VOWELS.length)]);
    }
    b.append(CODAS[random.nextInt(CODAS.length)]);
    return b.toString();
  }

  private static String mix(String latin, SplitMix64 random) {
    int kind = random.nextInt(100);
    if (kind < 80) {
      return latin;
    }
    int[] cps = latin.codePoints().toArray();
    if (kind < 90) {
      // One or two letters accented: café, über, señor.
      int n = random.nextInt(1, 2);
      for (int i = 0; i < n; i++) {
        cps[random.nextInt(cps.length)] = ACCENTED[random.nextInt(ACCENTED.length)];
      }
    } else if (kind < 95) {
      replaceAll(cps, GREEK_CYRILLIC[random.nextInt(GREEK_CYRILLIC.length)], random);
    } else if (kind < 98) {
      replaceAll(cps, SUPPLEMENTARY[random.nextInt(SUPPLEMENTARY.length)], random);
    } else {
      // A Latin word with one supplementary letter inside it.
      int[] range = SUPPLEMENTARY[random.nextInt(SUPPLEMENTARY.length)];
      cps[random.nextInt(cps.length)] = random.nextInt(range[0], range[1]);
    }
    return new String(cps, 0, cps.length);
  }

  private static void replaceAll(int[] cps, int[] range, SplitMix64 random) {
    for (int i = 0; i < cps.length; i++) {
      cps[i] = random.nextInt(range[0], range[1]);
    }
  }

  private static String capitalize(String word) {
    int first = word.codePointAt(0);
    int upper = Character.toUpperCase(first);
    if (upper == first || !Character.isLetter(upper)) {
      return word;
    }
    return new StringBuilder().appendCodePoint(upper).append(word, Character.charCount(first), word.length())
        .toString();
  }
}

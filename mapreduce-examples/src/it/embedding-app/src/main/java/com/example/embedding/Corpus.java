package com.example.embedding;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * The input every part reads (a few files of generated text in a directory of their own), the
 * oracle's word counts, computed here in plain Java, and the reading of the jobs' text output.
 */
final class Corpus {
  static final int FILES = 3;
  private static final int LINES_PER_FILE = 400;
  private static final String[] SEPARATORS = {" ", " ", " ", ", ", ". ", " - ", "\t"};

  final Path dir;
  /** Every word of the input and how often it occurs: the oracle of every job here. */
  final Map<String, Long> wordCounts;

  private Corpus(Path dir, Map<String, Long> wordCounts) {
    this.dir = dir;
    this.wordCounts = wordCounts;
  }

  /** Writes the input under {@code dir} (made here) from a fixed seed, and counts its words. */
  static Corpus generate(Path dir) throws IOException {
    Files.createDirectories(dir);
    Random random = new Random(18);
    for (int f = 0; f < FILES; f++) {
      StringBuilder text = new StringBuilder();
      for (int line = 0; line < LINES_PER_FILE; line++) {
        int words = random.nextInt(12);
        for (int w = 0; w < words; w++) {
          if (w > 0) {
            text.append(SEPARATORS[random.nextInt(SEPARATORS.length)]);
          }
          text.append(word(random));
        }
        text.append('\n');
      }
      Files.writeString(dir.resolve("text-" + f + ".txt"), text, StandardCharsets.UTF_8);
    }
    Map<String, Long> counts = new TreeMap<>();
    try (Stream<Path> files = Files.list(dir)) {
      for (Path file : files.sorted().toList()) {
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
          forEachWord(line, w -> counts.merge(w, 1L, Long::sum));
        }
      }
    }
    return new Corpus(dir, counts);
  }

  /** A word of 1 to 10 lower-case letters, short ones (and the first letters) more often. */
  private static String word(Random random) {
    int length = 1 + Math.min(random.nextInt(10), random.nextInt(10));
    char[] letters = new char[length];
    for (int i = 0; i < length; i++) {
      letters[i] = (char) ('a' + Math.min(random.nextInt(26), random.nextInt(26)));
    }
    return new String(letters);
  }

  /** The words of a line: maximal runs of ASCII letters, lower-cased. Shared by every job. */
  static void forEachWord(String line, Consumer<String> action) {
    int i = 0;
    int n = line.length();
    while (i < n) {
      while (i < n && !isLetter(line.charAt(i))) {
        i++;
      }
      int start = i;
      while (i < n && isLetter(line.charAt(i))) {
        i++;
      }
      if (i > start) {
        action.accept(line.substring(start, i).toLowerCase(java.util.Locale.ROOT));
      }
    }
  }

  private static boolean isLetter(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
  }

  /**
   * The {@code key<TAB>value} lines of a job's text output files as a map, failing on a line
   * without a tab, a value that is not a number, or a key in two lines.
   */
  static Map<String, Long> readTextOutput(List<Path> files) throws IOException {
    Map<String, Long> out = new TreeMap<>();
    for (Path file : files) {
      for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
        int tab = line.lastIndexOf('\t');
        if (tab < 0) {
          throw new IllegalStateException(file + ": a line without a tab: '" + line + "'");
        }
        Long previous = out.put(line.substring(0, tab), Long.parseLong(line.substring(tab + 1)));
        if (previous != null) {
          throw new IllegalStateException(file + ": key '" + line.substring(0, tab) + "' in two lines");
        }
      }
    }
    return out;
  }

  /**
   * Fails, naming the first few differences, when {@code actual} is not {@code expected}: the
   * message says which part of which run was wrong.
   */
  static void assertSame(String what, Map<String, Long> expected, Map<String, Long> actual) {
    if (expected.equals(actual)) {
      return;
    }
    List<String> diffs = new ArrayList<>();
    for (Map.Entry<String, Long> e : expected.entrySet()) {
      Long got = actual.get(e.getKey());
      if (!e.getValue().equals(got)) {
        diffs.add("'" + e.getKey() + "': expected " + e.getValue() + ", got " + got);
      }
    }
    for (String k : actual.keySet()) {
      if (!expected.containsKey(k)) {
        diffs.add("'" + k + "': not expected, got " + actual.get(k));
      }
    }
    throw new AssertionError(what + " differs from the oracle in " + diffs.size() + " keys (of "
        + expected.size() + " expected), first: " + diffs.subList(0, Math.min(5, diffs.size())));
  }
}

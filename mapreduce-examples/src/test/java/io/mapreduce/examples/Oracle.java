package io.mapreduce.examples;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * The examples computed sequentially with plain Java, as the 6.824 lab's {@code mrsequential}: the
 * reference the MapReduce runs are checked against. It shares no code with the library or the
 * examples (its own line splitter, tokenizer and UTF-8 comparison), so a bug there cannot hide
 * behind the same bug here.
 */
final class Oracle {
  private Oracle() {}

  /** One input line: the file as the input listed it, the byte offset of its start, its text. */
  record Line(String file, long offset, String text) {}

  /** Orders strings by their UTF-8 bytes, unsigned, as {@code LC_ALL=C sort} does. */
  static final Comparator<String> UTF8 = Oracle::compareUtf8;

  static int compareUtf8(String a, String b) {
    return Arrays.compareUnsigned(a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8));
  }

  /** The lines of a file: {@code \n}, {@code \r\n} and {@code \r} end a line; a last unterminated line counts. */
  static List<Line> lines(Path file, String listedAs) {
    try {
      return lines(Files.readAllBytes(file), listedAs);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The lines of a file's contents, as {@link #lines(Path, String)} splits them. */
  static List<Line> lines(byte[] bytes, String listedAs) {
    List<Line> lines = new ArrayList<>();
    int start = 0;
    int i = 0;
    while (i < bytes.length) {
      byte b = bytes[i];
      if (b != '\n' && b != '\r') {
        i++;
        continue;
      }
      lines.add(new Line(listedAs, start, new String(bytes, start, i - start, StandardCharsets.UTF_8)));
      i += (b == '\r' && i + 1 < bytes.length && bytes[i + 1] == '\n') ? 2 : 1;
      start = i;
    }
    if (start < bytes.length) {
      lines.add(new Line(listedAs, start, new String(bytes, start, bytes.length - start, StandardCharsets.UTF_8)));
    }
    return lines;
  }

  /** The words of a text: maximal runs of code points for which {@link Character#isLetter(int)} holds. */
  static List<String> words(String text) {
    List<String> words = new ArrayList<>();
    StringBuilder word = new StringBuilder();
    text.codePoints().forEach(cp -> {
      if (Character.isLetter(cp)) {
        word.appendCodePoint(cp);
      } else if (word.length() > 0) {
        words.add(word.toString());
        word.setLength(0);
      }
    });
    if (word.length() > 0) {
      words.add(word.toString());
    }
    return words;
  }

  /** Word count: {@code word<TAB>count}, in UTF-8 order of the words. */
  static List<String> wordCount(List<Line> lines) {
    Map<String, Long> counts = new TreeMap<>(UTF8);
    for (Line l : lines) {
      for (String w : words(l.text())) {
        counts.merge(w, 1L, Long::sum);
      }
    }
    List<String> out = new ArrayList<>();
    counts.forEach((w, c) -> out.add(w + "\t" + c));
    return out;
  }

  /** The inverted index: {@code word<TAB>N doc1,doc2,...}, documents the files' base names in UTF-8 order. */
  static List<String> index(List<Line> lines) {
    Map<String, TreeSet<String>> docs = new TreeMap<>(UTF8);
    for (Line l : lines) {
      String name = baseName(l.file());
      for (String w : words(l.text())) {
        docs.computeIfAbsent(w, k -> new TreeSet<>(UTF8)).add(name);
      }
    }
    List<String> out = new ArrayList<>();
    docs.forEach((w, d) -> out.add(w + "\t" + d.size() + " " + String.join(",", d)));
    return out;
  }

  static String baseName(String path) {
    return path.substring(path.lastIndexOf('/') + 1);
  }

  /** Grep: {@code file:offset<TAB>line} for lines with a match, by file (UTF-8 order) and then offset. */
  static List<String> grep(List<Line> lines, String regex) {
    Pattern p = Pattern.compile(regex);
    return lines.stream()
        .filter(l -> p.matcher(l.text()).find())
        .sorted(Comparator.comparing(Line::file, UTF8).thenComparingLong(Line::offset))
        .map(l -> l.file() + ":" + l.offset() + "\t" + l.text())
        .toList();
  }

  /** Sort: the lines alone, duplicates kept, in UTF-8 order. */
  static List<String> sort(List<Line> lines) {
    return lines.stream().map(Line::text).sorted(UTF8).toList();
  }
}

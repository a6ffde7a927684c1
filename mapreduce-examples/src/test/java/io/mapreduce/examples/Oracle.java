package io.mapreduce.examples;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.MathContext;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
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

  /**
   * Top words: the first {@code k} lines {@code count<TAB>word} when all are ordered by count,
   * decreasing, then by word in UTF-8 order.
   */
  static List<String> topWords(List<Line> lines, int k) {
    Map<String, Long> counts = new HashMap<>();
    for (Line l : lines) {
      for (String w : words(l.text())) {
        counts.merge(w, 1L, Long::sum);
      }
    }
    return counts.entrySet().stream()
        .sorted(Comparator.comparing(Map.Entry<String, Long>::getValue).reversed()
            .thenComparing(Map.Entry::getKey, UTF8))
        .limit(k)
        .map(e -> e.getValue() + "\t" + e.getKey())
        .toList();
  }

  /** Lines of output, and how many input lines were malformed. */
  record Result(List<String> lines, long malformed) {}

  /** A decimal long, or null: parsed without Long.parseLong. */
  static Long decimalLong(String s) {
    try {
      BigInteger b = new BigInteger(s);
      return b.bitLength() < 64 ? b.longValue() : null;
    } catch (NumberFormatException e) {
      return null;
    }
  }

  private static boolean blank(String s) {
    return s.strip().isEmpty();
  }

  /** Splits at every occurrence of a literal separator, keeping empty fields. */
  static List<String> fields(String line, String separator) {
    List<String> fields = new ArrayList<>();
    int from = 0;
    for (int at = line.indexOf(separator); at >= 0; at = line.indexOf(separator, from)) {
      fields.add(line.substring(from, at));
      from = at + separator.length();
    }
    fields.add(line.substring(from));
    return fields;
  }

  /**
   * Timelines: {@code user<TAB>event,event,...} per user in UTF-8 order of users, events by time
   * (decreasing if {@code newestFirst}), then by event text in UTF-8 order. Skips blank lines and
   * a file's first line if it starts with {@code user,}; counts lines that are not
   * {@code user,time,event} with a non-empty user and event.
   */
  static Result timeline(List<Line> lines, boolean newestFirst) {
    record Event(long time, String text) {}
    Map<String, List<Event>> byUser = new TreeMap<>(UTF8);
    long malformed = 0;
    for (Line l : lines) {
      if (blank(l.text()) || l.offset() == 0 && l.text().startsWith("user,")) {
        continue;
      }
      List<String> f = fields(l.text(), ",");
      Long time = f.size() == 3 ? decimalLong(f.get(1)) : null;
      if (time == null || f.get(0).isEmpty() || f.get(2).isEmpty()) {
        malformed++;
        continue;
      }
      byUser.computeIfAbsent(f.get(0), u -> new ArrayList<>()).add(new Event(time, f.get(2)));
    }
    Comparator<Event> byTime = Comparator.comparingLong(Event::time);
    Comparator<Event> order = (newestFirst ? byTime.reversed() : byTime).thenComparing(Event::text, UTF8);
    List<String> out = new ArrayList<>();
    byUser.forEach((user, events) -> {
      events.sort(order);
      out.add(user + "\t" + String.join(",", events.stream().map(Event::text).toList()));
    });
    return new Result(out, malformed);
  }

  /** The matched lines and the unmatched ones of a join, each sorted by {@link #UTF8}. */
  record JoinResult(List<String> matched, List<String> unmatched, long malformed) {}

  /**
   * An inner join: {@code key<TAB>leftFields<TAB>rightFields} for every left and right row of a
   * key, the fields without the key column joined by the separator; rows of keys the other side
   * lacks as {@code key<TAB>left|right<TAB>fields}. Blank lines skipped, rows without the key
   * column counted.
   */
  static JoinResult join(List<Line> left, List<Line> right, int leftColumn, int rightColumn, String separator) {
    long[] malformed = {0};
    Map<String, List<String>> l = rows(left, leftColumn, separator, malformed);
    Map<String, List<String>> r = rows(right, rightColumn, separator, malformed);
    List<String> matched = new ArrayList<>();
    List<String> unmatched = new ArrayList<>();
    Set<String> keys = new HashSet<>(l.keySet());
    keys.addAll(r.keySet());
    for (String key : keys) {
      List<String> ls = l.getOrDefault(key, List.of());
      List<String> rs = r.getOrDefault(key, List.of());
      for (String a : ls) {
        for (String b : rs) {
          matched.add(key + "\t" + a + "\t" + b);
        }
      }
      if (rs.isEmpty()) {
        ls.forEach(a -> unmatched.add(key + "\tleft\t" + a));
      }
      if (ls.isEmpty()) {
        rs.forEach(b -> unmatched.add(key + "\tright\t" + b));
      }
    }
    matched.sort(UTF8);
    unmatched.sort(UTF8);
    return new JoinResult(matched, unmatched, malformed[0]);
  }

  private static Map<String, List<String>> rows(List<Line> lines, int column, String separator, long[] malformed) {
    Map<String, List<String>> rows = new HashMap<>();
    for (Line line : lines) {
      if (blank(line.text())) {
        continue;
      }
      List<String> f = new ArrayList<>(fields(line.text(), separator));
      if (f.size() < column) {
        malformed[0]++;
        continue;
      }
      String key = f.remove(column - 1);
      rows.computeIfAbsent(key, k -> new ArrayList<>()).add(String.join(separator, f));
    }
    return rows;
  }

  /**
   * Means: {@code key<TAB>mean} in UTF-8 order of keys, the mean the double nearest the exact
   * quotient. Lines are two fields between runs of ASCII whitespace, the second a decimal long;
   * blank lines skipped, others counted.
   */
  static Result average(List<Line> lines) {
    Map<String, BigInteger[]> sums = new TreeMap<>(UTF8);
    long malformed = 0;
    for (Line l : lines) {
      if (blank(l.text())) {
        continue;
      }
      List<String> f = new ArrayList<>(List.of(l.text().split("[ \t\n\u000B\f\r]+")));
      f.removeAll(Collections.singleton(""));
      Long value = f.size() == 2 ? decimalLong(f.get(1)) : null;
      if (value == null) {
        malformed++;
        continue;
      }
      BigInteger[] sc = sums.computeIfAbsent(f.get(0), k -> new BigInteger[] {BigInteger.ZERO, BigInteger.ZERO});
      sc[0] = sc[0].add(BigInteger.valueOf(value));
      sc[1] = sc[1].add(BigInteger.ONE);
    }
    List<String> out = new ArrayList<>();
    sums.forEach((k, sc) -> out.add(k + "\t"
        + new BigDecimal(sc[0]).divide(new BigDecimal(sc[1]), MathContext.DECIMAL128).doubleValue()));
    return new Result(out, malformed);
  }
}

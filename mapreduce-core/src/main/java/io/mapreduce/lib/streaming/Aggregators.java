package io.mapreduce.lib.streaming;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.LongBinaryOperator;

/**
 * Hadoop's value aggregators ({@code org.apache.hadoop.mapreduce.lib.aggregate}), over value
 * bytes: each adds values as Hadoop's {@code addNextValue} does, prints {@code getReport()} as
 * Hadoop does, and gives the values {@code getCombinerOutput()} does. Numbers parse as Java's
 * {@code Long.parseLong} and {@code Double.parseDouble} parse them and print as Java prints them,
 * so the reports are Hadoop's to the character.
 */
final class Aggregators {
  private Aggregators() {}

  /** A value that is not the number its aggregator wants. */
  static final class BadValueException extends Exception {
    private static final long serialVersionUID = 1L;

    BadValueException(String message) {
      super(message, null, false, false);
    }
  }

  /** One key's aggregation. */
  abstract static class Aggregator {
    abstract void add(byte[] value) throws BadValueException;

    /** The text Hadoop's reducer writes after the key and a tab. */
    abstract String report();

    /** The values Hadoop's combiner emits under the key (to be added again by the reducer). */
    abstract List<byte[]> combinerOutput();
  }

  /**
   * The aggregator for a type name (Hadoop compares it ignoring case), or null for a name Hadoop
   * does not know.
   */
  static Aggregator forType(String type, long maxUniqueValues) {
    return switch (type.toLowerCase(java.util.Locale.ROOT)) {
      case "longvaluesum" -> new LongFold(0, Long::sum);
      case "longvaluemax" -> new LongFold(Long.MIN_VALUE, Math::max);
      case "longvaluemin" -> new LongFold(Long.MAX_VALUE, Math::min);
      case "doublevaluesum" -> new DoubleSum();
      case "stringvaluemax" -> new StringExtreme(true);
      case "stringvaluemin" -> new StringExtreme(false);
      case "uniqvaluecount" -> new UniqCount(maxUniqueValues);
      case "valuehistogram" -> new Histogram();
      default -> null;
    };
  }

  /** The type names, for messages. */
  static final String TYPES = "LongValueSum, LongValueMax, LongValueMin, DoubleValueSum, StringValueMax,"
      + " StringValueMin, UniqValueCount, ValueHistogram";

  private static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  /**
   * Folds long integers: the sum (wrapping on overflow, as Java's {@code +=} does), the greatest or
   * the least, from Hadoop's starting value (0, {@code Long.MIN_VALUE}, {@code Long.MAX_VALUE}).
   */
  static final class LongFold extends Aggregator {
    private final LongBinaryOperator fold;
    private long result;

    LongFold(long start, LongBinaryOperator fold) {
      this.result = start;
      this.fold = fold;
    }

    @Override
    void add(byte[] value) throws BadValueException {
      result = fold.applyAsLong(result, parseLong(value, 0, value.length));
    }

    @Override
    String report() {
      return Long.toString(result);
    }

    @Override
    List<byte[]> combinerOutput() {
      return List.of(ascii(report()));
    }
  }

  /** Sums doubles in the order they come, printed by {@code Double.toString} as Hadoop's are. */
  static final class DoubleSum extends Aggregator {
    private double sum;

    @Override
    void add(byte[] value) throws BadValueException {
      try {
        sum += Double.parseDouble(new String(value, StandardCharsets.UTF_8));
      } catch (NumberFormatException e) {
        throw new BadValueException("not a number (as Java's Double.parseDouble reads one)");
      }
    }

    @Override
    String report() {
      return Double.toString(sum);
    }

    @Override
    List<byte[]> combinerOutput() {
      return List.of(ascii(report()));
    }
  }

  /** The greatest or least value, in the order of Java's {@code String.compareTo}, as Hadoop's. */
  static final class StringExtreme extends Aggregator {
    private final boolean max;
    private byte[] best;

    StringExtreme(boolean max) {
      this.max = max;
    }

    @Override
    void add(byte[] value) {
      if (best == null || (max ? compareAsJavaStrings(best, value) < 0 : compareAsJavaStrings(best, value) > 0)) {
        best = value.clone();
      }
    }

    @Override
    String report() {
      return new String(best, StandardCharsets.UTF_8);
    }

    @Override
    List<byte[]> combinerOutput() {
      return List.of(best);
    }
  }

  /**
   * The number of distinct values. Hadoop's stops adding values once it holds more than its limit
   * (none by default), so it counts at most the limit + 1.
   */
  static final class UniqCount extends Aggregator {
    private final Set<ByteBuffer> values = new HashSet<>();
    private final long limit;

    UniqCount(long limit) {
      this.limit = limit;
    }

    @Override
    void add(byte[] value) {
      if (values.size() <= limit) {
        values.add(ByteBuffer.wrap(value.clone()));
      }
    }

    @Override
    String report() {
      return Integer.toString(values.size());
    }

    @Override
    List<byte[]> combinerOutput() {
      List<byte[]> out = new ArrayList<>(values.size());
      for (ByteBuffer b : values) {
        out.add(b.array());
      }
      return out;
    }
  }

  /**
   * How often each value occurs; a value {@code v<TAB>n} (split at its last tab) counts {@code n}
   * times. The report is Hadoop's: the number of distinct values, then the least, median
   * ({@code counts[n/2]} of the sorted counts), greatest and mean count, and the population
   * standard deviation of the counts, tab-separated.
   */
  static final class Histogram extends Aggregator {
    private final Map<ByteBuffer, long[]> counts = new HashMap<>();

    @Override
    void add(byte[] value) throws BadValueException {
      int tab = lastIndexOf(value, (byte) '\t');
      long n = 1;
      if (tab >= 0) {
        try {
          n = parseLong(value, tab + 1, value.length);
        } catch (BadValueException e) {
          throw new BadValueException("its count after the last tab is " + e.getMessage());
        }
      }
      byte[] v = tab < 0 ? value.clone() : Arrays.copyOf(value, tab);
      counts.computeIfAbsent(ByteBuffer.wrap(v), k -> new long[1])[0] += n;
    }

    @Override
    String report() {
      long[] sorted = new long[counts.size()];
      int i = 0;
      for (long[] c : counts.values()) {
        sorted[i++] = c[0];
      }
      Arrays.sort(sorted);
      StringBuilder sb = new StringBuilder().append(sorted.length);
      if (sorted.length == 0) {
        return sb.toString();
      }
      long total = 0;
      for (long c : sorted) {
        total += c;
      }
      // The same operations in the same order as Hadoop's, so the doubles print the same.
      double average = total * 1.0 / sorted.length;
      double sd = 0.0;
      for (long c : sorted) {
        double diff = c - average;
        sd += diff * diff;
      }
      sd = Math.sqrt(sd / sorted.length);
      return sb.append('\t').append(sorted[0]).append('\t').append(sorted[sorted.length / 2])
          .append('\t').append(sorted[sorted.length - 1]).append('\t').append(average).append('\t').append(sd)
          .toString();
    }

    @Override
    List<byte[]> combinerOutput() {
      List<byte[]> out = new ArrayList<>(counts.size());
      for (Map.Entry<ByteBuffer, long[]> e : counts.entrySet()) {
        byte[] v = e.getKey().array();
        byte[] n = ascii(Long.toString(e.getValue()[0]));
        byte[] line = Arrays.copyOf(v, v.length + 1 + n.length);
        line[v.length] = '\t';
        System.arraycopy(n, 0, line, v.length + 1, n.length);
        out.add(line);
      }
      return out;
    }
  }

  /**
   * Parses {@code bytes[from, to)} as {@code Long.parseLong} does: an optional sign and decimal
   * digits, nothing else (no spaces).
   */
  static long parseLong(byte[] bytes, int from, int to) throws BadValueException {
    int length = to - from;
    int i = from;
    boolean negative = length > 0 && bytes[i] == '-';
    if (length > 0 && (bytes[i] == '-' || bytes[i] == '+')) {
      i++;
    }
    // Up to 18 ASCII digits cannot overflow; anything else (longer, or digits of other scripts,
    // which Long.parseLong also accepts) goes to Long.parseLong itself.
    if (i < to && to - i <= 18) {
      long n = 0;
      for (; i < to; i++) {
        int d = bytes[i] - '0';
        if (d < 0 || d > 9) {
          return parseLongSlowly(bytes, from, to);
        }
        n = n * 10 + d;
      }
      return negative ? -n : n;
    }
    return parseLongSlowly(bytes, from, to);
  }

  private static long parseLongSlowly(byte[] bytes, int from, int to) throws BadValueException {
    try {
      return Long.parseLong(new String(bytes, from, to - from, StandardCharsets.UTF_8));
    } catch (NumberFormatException e) {
      throw new BadValueException("not a long integer (as Java's Long.parseLong reads one)");
    }
  }

  private static int lastIndexOf(byte[] bytes, byte b) {
    for (int i = bytes.length - 1; i >= 0; i--) {
      if (bytes[i] == b) {
        return i;
      }
    }
    return -1;
  }

  /**
   * Compares UTF-8 bytes in the order their Java strings compare: UTF-16 code units. That is the
   * bytes' order except that characters above U+FFFF (lead bytes F0..F4, surrogate pairs in
   * UTF-16) sort below U+E000..U+FFFF (lead bytes EE, EF). Where two byte strings first differ,
   * both are at the same place in the same character (the bytes before are equal), so moving lead
   * bytes EE and EF above F4 is enough.
   */
  static int compareAsJavaStrings(byte[] a, byte[] b) {
    int n = Math.min(a.length, b.length);
    for (int i = 0; i < n; i++) {
      if (a[i] != b[i]) {
        return Integer.compare(utf16Rank(a[i]), utf16Rank(b[i]));
      }
    }
    return Integer.compare(a.length, b.length);
  }

  private static int utf16Rank(byte b) {
    int u = b & 0xff;
    return u == 0xee || u == 0xef ? u + 0x10 : u;
  }
}

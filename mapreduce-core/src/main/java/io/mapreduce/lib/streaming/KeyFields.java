package io.mapreduce.lib.streaming;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The key-field options of Hadoop's {@code KeyFieldBasedPartitioner} and
 * {@code KeyFieldBasedComparator}, parsed: a separator and a list of {@code -k} specifications,
 * each {@code -kF1[.C1][nr][,F2[.C2][nr]]} as {@code sort -t SEP -k} reads them (fields and
 * characters counted from 1; a missing {@code .C1} is the field's first character, a missing or zero
 * {@code .C2} its last; a missing {@code ,F2} the end of the key). {@code -n}, {@code -r} and
 * {@code -nr} alone set the options of the specifications that have none, as in Hadoop.
 *
 * <p>Plain arrays, not lists of objects: instances travel inside the job (Kryo copies them).
 */
final class KeyFields {
  final byte[] separator;
  final int[] beginField;
  final int[] beginChar;
  /** 0: to the end of the key. */
  final int[] endField;
  /** 0: to the end of the field. */
  final int[] endChar;
  final boolean[] numeric;
  final boolean[] reverse;
  /** A lone {@code -r}: as in {@code sort}, it reverses the last-resort comparison of whole keys too. */
  final boolean globalReverse;

  private KeyFields(byte[] separator, List<int[]> specs, boolean globalReverse) {
    this.separator = separator;
    this.globalReverse = globalReverse;
    int n = specs.size();
    beginField = new int[n];
    beginChar = new int[n];
    endField = new int[n];
    endChar = new int[n];
    numeric = new boolean[n];
    reverse = new boolean[n];
    for (int i = 0; i < n; i++) {
      int[] s = specs.get(i);
      beginField[i] = s[0];
      beginChar[i] = s[1];
      endField[i] = s[2];
      endChar[i] = s[3];
      numeric[i] = s[4] != 0;
      reverse[i] = s[5] != 0;
    }
  }

  /**
   * Parses {@code options} such as {@code "-k1,1 -k2,2nr"}; with no {@code -k}, the whole key is
   * one specification (with the global {@code -n}/{@code -r}, if any).
   *
   * @throws NullPointerException if an argument is null
   * @throws IllegalArgumentException naming the bad option, or if the separator is empty
   */
  static KeyFields parse(String options, String separator) {
    Objects.requireNonNull(options, "options");
    Objects.requireNonNull(separator, "separator");
    if (separator.isEmpty()) {
      throw new IllegalArgumentException("the key field separator is empty");
    }
    List<int[]> specs = new ArrayList<>();
    boolean globalNumeric = false;
    boolean globalReverse = false;
    String[] args = options.trim().isEmpty() ? new String[0] : options.trim().split("\\s+");
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      switch (a) {
        case "-n" -> globalNumeric = true;
        case "-r" -> globalReverse = true;
        case "-nr", "-rn" -> {
          globalNumeric = true;
          globalReverse = true;
        }
        default -> {
          if (!a.startsWith("-k")) {
            throw new IllegalArgumentException("bad key field option '" + a + "' in '" + options
                + "': want -kF1[.C1][nr][,F2[.C2][nr]], -n, -r or -nr");
          }
          String spec = a.length() > 2 ? a.substring(2) : (i + 1 < args.length ? args[++i] : "");
          specs.add(parseSpec(spec, options));
        }
      }
    }
    for (int[] s : specs) {
      if (s[4] == 0 && s[5] == 0) {
        s[4] = globalNumeric ? 1 : 0;
        s[5] = globalReverse ? 1 : 0;
      }
    }
    if (specs.isEmpty()) {
      specs.add(new int[] {1, 1, 0, 0, globalNumeric ? 1 : 0, globalReverse ? 1 : 0});
    }
    return new KeyFields(separator.getBytes(StandardCharsets.UTF_8), specs, globalReverse);
  }

  /** {@code F1[.C1][nr][,F2[.C2][nr]]} as {beginField, beginChar, endField, endChar, numeric, reverse}. */
  private static int[] parseSpec(String spec, String options) {
    var m = java.util.regex.Pattern.compile("(\\d+)(?:\\.(\\d+))?([nr]*)(?:,(\\d+)(?:\\.(\\d+))?([nr]*))?")
        .matcher(spec);
    if (!m.matches()) {
      throw new IllegalArgumentException("bad key field specification '-k" + spec + "' in '" + options
          + "': want -kF1[.C1][nr][,F2[.C2][nr]]");
    }
    int[] s = new int[6];
    s[0] = number(m.group(1), spec, options);
    s[1] = m.group(2) == null ? 1 : number(m.group(2), spec, options);
    s[2] = m.group(4) == null ? 0 : number(m.group(4), spec, options);
    s[3] = m.group(5) == null ? 0 : Integer.parseInt(m.group(5));
    String flags = m.group(3) + (m.group(6) == null ? "" : m.group(6));
    s[4] = flags.indexOf('n') >= 0 ? 1 : 0;
    s[5] = flags.indexOf('r') >= 0 ? 1 : 0;
    return s;
  }

  private static int number(String digits, String spec, String options) {
    int n;
    try {
      n = Integer.parseInt(digits);
    } catch (NumberFormatException e) {
      n = 0;
    }
    if (n < 1) {
      throw new IllegalArgumentException("bad key field specification '-k" + spec + "' in '" + options
          + "': field and character numbers start at 1");
    }
    return n;
  }

  int specCount() {
    return beginField.length;
  }

  /**
   * Finds the bytes of specification {@code s} in {@code key[0, length)}: returns
   * {@code (start << 32) | end} (end exclusive; start == end when the range is empty, as it is
   * for a field the key does not have).
   */
  long range(int s, byte[] key, int length) {
    return range(s, key, 0, length);
  }

  /**
   * Finds the bytes of specification {@code s} in the key {@code key[offset, offset + length)}, as
   * {@link #range(int, byte[], int)} does, positions counted from {@code offset}.
   */
  long range(int s, byte[] key, int offset, int length) {
    int limit = offset + length;
    int fieldStart = fieldStart(key, offset, limit, beginField[s]);
    if (fieldStart < 0) {
      return ((long) length << 32) | length;
    }
    int start = Math.min(fieldStart + beginChar[s] - 1, fieldEnd(key, limit, fieldStart));
    int end;
    if (endField[s] == 0) {
      end = limit;
    } else {
      int endFieldStart = fieldStart(key, offset, limit, endField[s]);
      if (endFieldStart < 0) {
        end = limit;
      } else {
        int endFieldEnd = fieldEnd(key, limit, endFieldStart);
        end = endChar[s] == 0 ? endFieldEnd : Math.min(endFieldStart + endChar[s], endFieldEnd);
      }
    }
    if (end < start) {
      end = start;
    }
    return ((long) (start - offset) << 32) | (end - offset);
  }

  /** Where field {@code field} (from 1) of {@code key[offset, limit)} starts, or -1 if it has fewer fields. */
  private int fieldStart(byte[] key, int offset, int limit, int field) {
    int start = offset;
    for (int f = 1; f < field; f++) {
      int sep = indexOf(key, start, limit, separator);
      if (sep < 0) {
        return -1;
      }
      start = sep + separator.length;
    }
    return start;
  }

  private int fieldEnd(byte[] key, int limit, int fieldStart) {
    int sep = indexOf(key, fieldStart, limit, separator);
    return sep < 0 ? limit : sep;
  }

  /** The first occurrence of {@code pattern} in {@code b[from, to)}, or -1. */
  static int indexOf(byte[] b, int from, int to, byte[] pattern) {
    outer:
    for (int i = from; i <= to - pattern.length; i++) {
      for (int j = 0; j < pattern.length; j++) {
        if (b[i + j] != pattern[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }

  /**
   * Where the {@code n}th occurrence of {@code separator} starts in {@code b[from, to)}, or -1
   * if there are fewer: how Hadoop Streaming splits a line after its first {@code n} fields.
   */
  static int nthSeparator(byte[] b, int from, int to, byte[] separator, int n) {
    int at = from - separator.length;
    for (int i = 0; i < n; i++) {
      at = indexOf(b, at + separator.length, to, separator);
      if (at < 0) {
        return -1;
      }
    }
    return at;
  }
}

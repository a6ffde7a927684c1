package io.mapreduce.lib.streaming;

import java.util.Arrays;
import java.util.Comparator;

/**
 * The order of Hadoop's {@code KeyFieldBasedComparator}: streaming keys compared field by field,
 * as {@code LC_ALL=C sort -t SEP -k...} compares lines, each field range as bytes or, with
 * {@code n}, as a number ({@code sort -n}: leading blanks, an optional {@code -}, digits, an
 * optional fraction; anything else counts as 0), reversed with {@code r}. Keys that compare equal
 * on every range are ordered by their bytes (in reverse under a lone {@code -r}), as {@code sort}'s
 * last resort orders them.
 *
 * <p>Give it to {@link StreamingMapper.Builder#sortKeysBy} and to the reducer's (and combiner's)
 * {@link StreamingReducer.Builder#keysSortedBy}.
 *
 * <h2>How the engine sorts by it</h2>
 *
 * The engine sorts, groups and partitions keys by their bytes and takes no comparator: that is
 * what keeps its sort a radix sort over bytes and lets a cluster compare keys without user code.
 * So the order is put into the bytes instead: the mapper emits, for each key, a <em>sort key</em>
 * whose unsigned byte order is this order, and the reducer reads the original key back out of it.
 * A sort key is, for each {@code -k} range in turn, a self-delimiting encoding of the range, then
 * the whole key encoded as a text range (complemented under a lone {@code -r}, which in
 * {@code sort} reverses the last resort too), then one byte saying whether it was complemented and
 * the length of that last part (4 bytes, big-endian), so the original key can be read back
 * without the options:
 *
 * <ul>
 *   <li>a text range: its bytes with 0x00 escaped as 0x00 0xFF, then 0x00 0x00 (so a range sorts
 *       before any longer range it begins);
 *   <li>a numeric range: a sign byte (1 negative, 2 zero, 3 positive); for a nonzero number, the
 *       count of integer digits (4 bytes), the digits without leading zeros of the integer part
 *       and trailing zeros of the fraction, and 0x00; a negative number's bytes after the sign
 *       complemented, so larger magnitudes sort first;
 *   <li>{@code r}: the range's encoding complemented byte by byte; the encodings are prefix-free,
 *       so complementing reverses their order exactly.
 * </ul>
 *
 * Distinct keys have distinct sort keys (the original key is in it), so grouping stays on the
 * whole key, and the default partitioner (a hash of the sort key's bytes) still sends every
 * record of a key to one reducer. Unlike Hadoop, keys the comparator finds equal (say {@code 1}
 * and {@code 01} under {@code -n}) are not merged into one group: each reduce input line keeps its
 * own key, as it would in a shell pipeline.
 */
public final class KeyFieldBasedComparator implements Comparator<byte[]> {
  private final KeyFields fields;
  private final String options;

  private KeyFieldBasedComparator(KeyFields fields, String options) {
    this.fields = fields;
    this.options = options;
  }

  /**
   * Parses Hadoop's {@code mapreduce.partition.keycomparator.options} (such as
   * {@code "-k2,2nr -k1,1"}) over fields separated by {@code separator}
   * ({@code mapreduce.map.output.key.field.separator}, a tab by default). Empty options compare
   * whole keys as bytes.
   *
   * @throws NullPointerException if an argument is null
   * @throws IllegalArgumentException naming the bad option, or if the separator is empty
   */
  public static KeyFieldBasedComparator parse(String options, String separator) {
    return new KeyFieldBasedComparator(KeyFields.parse(options, separator), options);
  }

  /** Compares two keys (by their sort keys: slow, for tests and small data). */
  @Override
  public int compare(byte[] a, byte[] b) {
    return Arrays.compareUnsigned(sortKey(a, 0, a.length), sortKey(b, 0, b.length));
  }

  /**
   * The sort key of {@code key[start, start + length)}. Written into one array sized for the worst
   * case (every byte escaped in every range), then trimmed: this runs once for every record the
   * mapper emits.
   */
  byte[] sortKey(byte[] key, int start, int length) {
    int specs = fields.specCount();
    byte[] out = new byte[(specs + 1) * (2 * length + 6) + 5];
    int at = 0;
    for (int s = 0; s < specs; s++) {
      long r = fields.range(s, key, start, length);
      int from = start + (int) (r >>> 32);
      int to = start + (int) r;
      int mark = at;
      at = fields.numeric[s] ? writeNumber(key, from, to, out, at) : writeText(key, from, to, out, at);
      if (fields.reverse[s]) {
        complement(out, mark, at);
      }
    }
    // The last resort: the whole key, reversed by a lone -r as sort reverses it.
    int mark = at;
    at = writeText(key, start, start + length, out, at);
    if (fields.globalReverse) {
      complement(out, mark, at);
    }
    int tail = at - mark;
    out[at++] = (byte) (fields.globalReverse ? 1 : 0);
    out[at++] = (byte) (tail >>> 24);
    out[at++] = (byte) (tail >>> 16);
    out[at++] = (byte) (tail >>> 8);
    out[at++] = (byte) tail;
    return Arrays.copyOf(out, at);
  }

  private static void complement(byte[] b, int from, int to) {
    for (int i = from; i < to; i++) {
      b[i] = (byte) ~b[i];
    }
  }

  /**
   * The original key inside a sort key, for a Java reducer fed by a mapper built with
   * {@link StreamingMapper.Builder#sortKeysBy} (the streaming reducer reads it itself).
   *
   * @throws NullPointerException if {@code sortKey} is null
   * @throws IllegalArgumentException if {@code sortKey} is not a sort key
   */
  public static byte[] originalKey(byte[] sortKey) {
    java.util.Objects.requireNonNull(sortKey, "sortKey");
    int n = sortKey.length;
    int tail = n < 7 ? -1 : ((sortKey[n - 4] & 0xFF) << 24) | ((sortKey[n - 3] & 0xFF) << 16)
        | ((sortKey[n - 2] & 0xFF) << 8) | (sortKey[n - 1] & 0xFF);
    if (tail < 2 || tail > n - 5 || (sortKey[n - 5] & 0xFE) != 0) {
      throw new IllegalArgumentException("not a sort key of a KeyFieldBasedComparator (" + n + " bytes): was the"
          + " mapper built with sortKeysBy?");
    }
    int mask = sortKey[n - 5] == 0 ? 0 : 0xFF;
    byte[] key = new byte[tail - 2];
    int length = 0;
    // The escaped key without its two-byte terminator: 0x00 0xFF stands for 0x00.
    for (int i = n - 5 - tail, end = n - 5 - 2; i < end; i++) {
      byte b = (byte) (sortKey[i] ^ mask);
      key[length++] = b;
      if (b == 0) {
        i++;
      }
    }
    return length == key.length ? key : Arrays.copyOf(key, length);
  }

  /** Writes {@code k[from, to)} as a text range at {@code out[at]}; returns the end. */
  private static int writeText(byte[] k, int from, int to, byte[] out, int at) {
    for (int i = from; i < to; i++) {
      out[at++] = k[i];
      if (k[i] == 0) {
        out[at++] = (byte) 0xFF;
      }
    }
    out[at++] = 0;
    out[at++] = 0;
    return at;
  }

  /**
   * Writes {@code sort -n}'s number at the start of {@code k[from, to)}, encoded in order (see the
   * class comment), at {@code out[at]}; returns the end.
   */
  private static int writeNumber(byte[] k, int from, int to, byte[] out, int at) {
    int i = from;
    while (i < to && (k[i] == ' ' || k[i] == '\t')) {
      i++;
    }
    boolean negative = i < to && k[i] == '-';
    if (negative) {
      i++;
    }
    while (i < to && k[i] == '0') {
      i++;
    }
    int intStart = i;
    while (i < to && isDigit(k[i])) {
      i++;
    }
    int intEnd = i;
    int fracStart = i;
    int fracEnd = i;
    if (i < to && k[i] == '.') {
      fracStart = ++i;
      while (i < to && isDigit(k[i])) {
        i++;
      }
      fracEnd = i;
      while (fracEnd > fracStart && k[fracEnd - 1] == '0') {
        fracEnd--;
      }
    }
    int intDigits = intEnd - intStart;
    if (intDigits == 0 && fracEnd == fracStart) {
      out[at++] = 2;
      return at;
    }
    out[at++] = (byte) (negative ? 1 : 3);
    int mask = negative ? 0xFF : 0;
    out[at++] = (byte) ((intDigits >>> 24) ^ mask);
    out[at++] = (byte) ((intDigits >>> 16) ^ mask);
    out[at++] = (byte) ((intDigits >>> 8) ^ mask);
    out[at++] = (byte) (intDigits ^ mask);
    for (int j = intStart; j < intEnd; j++) {
      out[at++] = (byte) (k[j] ^ mask);
    }
    for (int j = fracStart; j < fracEnd; j++) {
      out[at++] = (byte) (k[j] ^ mask);
    }
    out[at++] = (byte) mask;
    return at;
  }

  private static boolean isDigit(byte b) {
    return b >= '0' && b <= '9';
  }

  @Override
  public String toString() {
    return "KeyFieldBasedComparator(" + options + ")";
  }
}

package io.mapreduce.benchmarks;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * {@link GenerateText}'s {@code --lines keyed}: lines {@code word<TAB>number<TAB>payload} for
 * benchmarks of a key-field sort ({@code -k1,1 -k2,2nr}). The word is Zipf-distributed, so that
 * field 1 has many ties; the number is what {@code sort -n} reads: integers of 1 to 19 digits,
 * small ones (more ties), negative ones, decimals (some with trailing zeros, some without an
 * integer part), leading zeros and the zeros {@code 0}, {@code -0}, {@code 0.0}.
 *
 * <p>The payload is a function of the key (the first two fields) and the seed: two lines with the
 * same key are the same line. So the order a sort gives lines whose keys are equal cannot show in
 * its output, and two correct sorts by the same {@code -k} options over fields 1 and 2 give the
 * same bytes, whatever they do with ties. (Keys that are different bytes but compare equal, such as
 * {@code 5} and {@code 5.0} under {@code n}, are ordered by their bytes in both {@code sort}, whose
 * last resort compares whole lines, and our comparator, whose last resort compares whole keys: a
 * key that is a prefix of another is followed by a tab in its line, which sorts before any
 * character of a number.)
 */
final class KeyedLines {
  private static final byte[] PAYLOAD_CHARS =
      "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 ,.-".getBytes(StandardCharsets.US_ASCII);
  private static final String[] ZEROS = {"0", "-0", "0.0", "00", "-0.00", ".0"};

  private final byte[][] words;
  private final Zipf zipf;
  private final long seed;
  private long lines;

  KeyedLines(byte[][] words, Zipf zipf, long seed) {
    this.words = words;
    this.zipf = zipf;
    this.seed = seed;
  }

  /** Lines written so far. */
  long lines() {
    return lines;
  }

  /** Writes file number {@code index}: whole lines, at most {@code limit} bytes, as {@link GenerateText#write}. */
  long write(int index, long limit, OutputStream out) throws IOException {
    SplitMix64 random = new SplitMix64(seed * 0x9e3779b97f4a7c15L + index + 0x6b6579L);
    byte[] line = new byte[256];
    long written = 0;
    while (true) {
      byte[] word = words[zipf.sample(random)];
      int n = 0;
      line = ensure(line, word.length + 64);
      System.arraycopy(word, 0, line, n, word.length);
      n += word.length;
      line[n++] = '\t';
      n = number(random, line, n);
      int keyEnd = n;
      line = ensure(line, n + 200);
      line[n++] = '\t';
      n = payload(line, keyEnd, n);
      line[n++] = '\n';
      if (written + n > limit) {
        return written;
      }
      out.write(line, 0, n);
      written += n;
      lines++;
    }
  }

  /** Writes a number at {@code line[at]} (room for 40 bytes); returns the end. */
  private static int number(SplitMix64 random, byte[] line, int at) {
    int kind = random.nextInt(100);
    if (kind < 4) {
      byte[] zero = ZEROS[random.nextInt(ZEROS.length)].getBytes(StandardCharsets.US_ASCII);
      System.arraycopy(zero, 0, line, at, zero.length);
      return at + zero.length;
    }
    if (random.nextInt(4) == 0) {
      line[at++] = '-';
    }
    if (kind < 8) { // leading zeros
      for (int z = random.nextInt(1, 3); z > 0; z--) {
        line[at++] = '0';
      }
    }
    int intDigits = kind < 30 ? random.nextInt(1, 2) : random.nextInt(1, 19); // small numbers tie more
    if (kind >= 88 && kind < 92) {
      intDigits = 0; // ".25"
    }
    for (int d = 0; d < intDigits; d++) {
      line[at++] = (byte) ('0' + (d == 0 && kind >= 8 ? random.nextInt(1, 9) : random.nextInt(10)));
    }
    if (kind >= 75) { // a decimal, sometimes with trailing zeros
      line[at++] = '.';
      for (int d = random.nextInt(1, 4); d > 0; d--) {
        line[at++] = (byte) ('0' + random.nextInt(10));
      }
      if (kind >= 95) {
        line[at++] = '0';
      }
    }
    return at;
  }

  /** Writes 10 to 120 payload bytes that depend only on {@code line[0, keyEnd)} and the seed. */
  private int payload(byte[] line, int keyEnd, int at) {
    long h = seed ^ 0xcbf29ce484222325L;
    for (int i = 0; i < keyEnd; i++) {
      h = (h ^ (line[i] & 0xFF)) * 0x100000001b3L;
    }
    SplitMix64 random = new SplitMix64(h);
    for (int c = random.nextInt(10, 120); c > 0; c--) {
      line[at++] = PAYLOAD_CHARS[random.nextInt(PAYLOAD_CHARS.length)];
    }
    return at;
  }

  private static byte[] ensure(byte[] buf, int size) {
    return buf.length >= size ? buf : Arrays.copyOf(buf, Math.max(buf.length * 2, size));
  }
}

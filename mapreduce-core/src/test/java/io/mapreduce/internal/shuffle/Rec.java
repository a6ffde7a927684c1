package io.mapreduce.internal.shuffle;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;

/** A record of the shuffle tests, with value semantics for its byte arrays, and the oracles. */
record Rec(int partition, byte[] key, byte[] value) {

  /** Unsigned lexicographic order of byte arrays, written out (not Arrays.compareUnsigned). */
  static int compareUnsigned(byte[] a, byte[] b) {
    int n = Math.min(a.length, b.length);
    for (int i = 0; i < n; i++) {
      int x = a[i] & 0xff;
      int y = b[i] & 0xff;
      if (x != y) {
        return x < y ? -1 : 1;
      }
    }
    return Integer.compare(a.length, b.length);
  }

  static final Comparator<Rec> BY_KEY = (x, y) -> compareUnsigned(x.key, y.key);
  static final Comparator<Rec> BY_PARTITION_THEN_KEY = Comparator.comparingInt(Rec::partition).thenComparing(BY_KEY);

  /** The oracle sort: List.sort is a stable merge sort, so equal records keep their order. */
  static List<Rec> stableSorted(List<Rec> records, Comparator<Rec> order) {
    List<Rec> copy = new ArrayList<>(records);
    copy.sort(order);
    return copy;
  }

  /** Copies the current record of a stream, whose bytes are only valid until its next call. */
  static Rec current(RecordStream s, int partition) {
    return new Rec(partition,
        Arrays.copyOfRange(s.keyArray(), s.keyOffset(), s.keyOffset() + s.keyLength()),
        Arrays.copyOfRange(s.valueArray(), s.valueOffset(), s.valueOffset() + s.valueLength()));
  }

  static List<Rec> drain(RecordStream s, int partition) throws IOException {
    List<Rec> out = new ArrayList<>();
    while (s.next()) {
      out.add(current(s, partition));
    }
    return out;
  }

  /**
   * Random records: keys from a small alphabet (with 00, 80 and FF bytes, and many duplicates and
   * prefixes); each value carries a sequence number, so a stability failure shows.
   */
  static List<Rec> random(Random r, int count, int partitions) {
    byte[] alphabet = {0, 1, 'a', 'b', (byte) 0x7f, (byte) 0x80, (byte) 0xff};
    List<Rec> out = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      byte[] key = new byte[r.nextInt(4)];
      for (int j = 0; j < key.length; j++) {
        key[j] = alphabet[r.nextInt(alphabet.length)];
      }
      byte[] value = ("v" + i + "-".repeat(r.nextInt(6))).getBytes(StandardCharsets.US_ASCII);
      out.add(new Rec(r.nextInt(partitions), key, value));
    }
    return out;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Rec r && r.partition == partition && Arrays.equals(r.key, key) && Arrays.equals(r.value, value);
  }

  @Override
  public int hashCode() {
    return 31 * (31 * partition + Arrays.hashCode(key)) + Arrays.hashCode(value);
  }

  @Override
  public String toString() {
    return partition + ":" + HexFormat.of().formatHex(key) + "=" + new String(value, StandardCharsets.ISO_8859_1);
  }

  /** A sorted stream over a list, for merge tests; remembers whether it was closed. */
  static final class ListStream implements RecordStream {
    private final List<Rec> records;
    private int i = -1;
    boolean closed;

    ListStream(List<Rec> records) {
      this.records = records;
    }

    @Override
    public boolean next() {
      if (i + 1 < records.size()) {
        i++;
        return true;
      }
      i = records.size();
      return false;
    }

    @Override
    public byte[] keyArray() {
      // A fresh padded copy each time: the merge must use the offsets, not assume 0.
      return pad(records.get(i).key());
    }

    @Override
    public int keyOffset() {
      return 2;
    }

    @Override
    public int keyLength() {
      return records.get(i).key().length;
    }

    @Override
    public byte[] valueArray() {
      return pad(records.get(i).value());
    }

    @Override
    public int valueOffset() {
      return 2;
    }

    @Override
    public int valueLength() {
      return records.get(i).value().length;
    }

    private static byte[] pad(byte[] b) {
      byte[] out = new byte[b.length + 4];
      Arrays.fill(out, (byte) 0xee);
      System.arraycopy(b, 0, out, 2, b.length);
      return out;
    }

    @Override
    public void close() {
      closed = true;
    }
  }
}

package io.mapreduce.internal.shuffle;

import java.util.Arrays;

/**
 * A hash table from encoded keys to {@code long} sums: the map-side combine of a job whose
 * combiner is {@link io.mapreduce.lib.LongSumReducer}. Adding a pair whose key is in the table
 * touches its slot, its key bytes and its sum, and allocates nothing; it holds no object per key.
 * Entries keep the order in which their keys first came.
 */
public final class LongSumTable extends KeyIndex {
  private long[] sums = new long[256];

  /**
   * Bytes in use: the slots, 20 per entry and the key bytes. The arrays' capacity is at most twice
   * this (they grow by doubling), and stays allocated after a clear for reuse.
   */
  public long footprint() {
    return footprint(20);
  }

  /** Adds {@code value} to the sum of the key {@code k[ko, ko + kl)}, adding the key if it is new. */
  public void add(byte[] k, int ko, int kl, long value) {
    int e = findOrInsert(k, ko, kl, hash(k, ko, kl));
    if (e >= 0) {
      sums[e] += value;
    } else {
      sums[-1 - e] = value;
    }
  }

  public long sum(int entry) {
    return sums[entry];
  }

  @Override
  void growEntries(int capacity) {
    sums = Arrays.copyOf(sums, capacity);
  }

  /**
   * The table's own hash of a key, cheaper than the partition hash (which is computed once per key
   * when the table is flushed): FNV-1a over the bytes, four at a time.
   */
  static int hash(byte[] k, int ko, int kl) {
    int h = 0x811c9dc5;
    int i = ko;
    int end = ko + kl;
    for (; i + 4 <= end; i += 4) {
      int word = (k[i] & 0xff) | (k[i + 1] & 0xff) << 8 | (k[i + 2] & 0xff) << 16 | k[i + 3] << 24;
      h = (h ^ word) * 0x01000193;
    }
    for (; i < end; i++) {
      h = (h ^ (k[i] & 0xff)) * 0x01000193;
    }
    return h;
  }
}

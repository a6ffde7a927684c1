package io.mapreduce.internal.shuffle;

import java.util.Arrays;

/**
 * A hash table from encoded keys to {@code long} sums: the map-side combine of a job whose
 * combiner is {@link io.mapreduce.lib.LongSumReducer}. Adding a pair whose key is in the table
 * touches its slot, its key bytes and its sum, and allocates nothing; keys live in one byte arena
 * and entries in parallel arrays, so the table holds no object per key. Entries keep the order in
 * which their keys first came.
 */
public final class LongSumTable {
  private static final int NONE = -1;

  private int[] slots = new int[1024];
  private int mask = slots.length - 1;
  /** Each entry's hash, offset and length in {@link #keys}, and sum. */
  private int[] hashes = new int[512];
  private int[] keyOffsets = new int[512];
  private int[] keyLengths = new int[512];
  private long[] sums = new long[512];
  private int entries;
  private byte[] keys = new byte[8192];
  private int keysUsed;

  public LongSumTable() {
    Arrays.fill(slots, NONE);
  }

  /** The number of keys. */
  public int size() {
    return entries;
  }

  /**
   * Bytes in use: the slots, 20 per entry and the key bytes. The arrays' capacity is at most twice
   * this (they grow by doubling), and stays allocated after a clear for reuse.
   */
  public long footprint() {
    return (long) slots.length * 4 + (long) entries * 20 + keysUsed;
  }

  /** Adds {@code value} to the sum of the key {@code k[ko, ko + kl)}, adding the key if it is new. */
  public void add(byte[] k, int ko, int kl, long value) {
    int hash = hash(k, ko, kl);
    int slot = mix(hash) & mask;
    while (true) {
      int e = slots[slot];
      if (e == NONE) {
        insert(slot, k, ko, kl, hash, value);
        return;
      }
      if (hashes[e] == hash && keyLengths[e] == kl && sameBytes(keys, keyOffsets[e], k, ko, kl)) {
        sums[e] += value;
        return;
      }
      slot = (slot + 1) & mask;
    }
  }

  private void insert(int slot, byte[] k, int ko, int kl, int hash, long value) {
    if (entries == hashes.length) {
      int n = entries * 2;
      hashes = Arrays.copyOf(hashes, n);
      keyOffsets = Arrays.copyOf(keyOffsets, n);
      keyLengths = Arrays.copyOf(keyLengths, n);
      sums = Arrays.copyOf(sums, n);
    }
    if (keys.length - keysUsed < kl) {
      long n = Math.max((long) keysUsed + kl, 2L * keys.length);
      if (n > Integer.MAX_VALUE - 16) {
        throw new IllegalStateException("combining table larger than 2 GiB");
      }
      keys = Arrays.copyOf(keys, (int) n);
    }
    int e = entries++;
    hashes[e] = hash;
    keyOffsets[e] = keysUsed;
    keyLengths[e] = kl;
    sums[e] = value;
    System.arraycopy(k, ko, keys, keysUsed, kl);
    keysUsed += kl;
    slots[slot] = e;
    if (entries * 2 > slots.length) {
      rehash();
    }
  }

  public byte[] keyArray() {
    return keys;
  }

  public int keyOffset(int entry) {
    return keyOffsets[entry];
  }

  public int keyLength(int entry) {
    return keyLengths[entry];
  }

  public long sum(int entry) {
    return sums[entry];
  }

  /** Removes every key, keeping the arrays for reuse. */
  public void clear() {
    Arrays.fill(slots, NONE);
    entries = 0;
    keysUsed = 0;
  }

  private void rehash() {
    slots = new int[slots.length * 2];
    mask = slots.length - 1;
    Arrays.fill(slots, NONE);
    for (int e = 0; e < entries; e++) {
      int slot = mix(hashes[e]) & mask;
      while (slots[slot] != NONE) {
        slot = (slot + 1) & mask;
      }
      slots[slot] = e;
    }
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

  /** Short keys (words) byte by byte: cheaper than {@code Arrays.equals}'s set-up for a few bytes. */
  private static boolean sameBytes(byte[] a, int ao, byte[] b, int bo, int length) {
    if (length > 16) {
      return Arrays.equals(a, ao, ao + length, b, bo, bo + length);
    }
    for (int i = 0; i < length; i++) {
      if (a[ao + i] != b[bo + i]) {
        return false;
      }
    }
    return true;
  }

  /** Spreads the hash's high bits into the low ones the mask keeps. */
  private static int mix(int h) {
    h ^= h >>> 16;
    h *= 0x85ebca6b;
    return h ^ (h >>> 13);
  }
}

package io.mapreduce.internal.shuffle;

import java.util.Arrays;

/**
 * A hash table from encoded keys to chains of encoded values, for combining map output before it
 * reaches the sort buffer (as Spark's map-side combine does): word count's hundreds of millions of
 * {@code (word, 1)} pairs become a few thousand entries. Keys and values live in two byte arenas
 * and entries in parallel int arrays, so the table holds no object per key or value.
 *
 * <p>A value node in the value arena is {@code int next, int length, bytes}; chains are appended
 * at their tail so values keep their emit order. Replacing a chain leaves its old nodes as garbage
 * until {@link #clear()}; {@link #footprint()} counts them, so the caller flushes in time.
 */
public final class KeyTable {
  private static final int NONE = -1;
  private static final int NODE_HEADER = 8;

  private int[] slots = new int[1024];
  private int mask = slots.length - 1;
  private int[] hashes = new int[256];
  private int[] keyOffsets = new int[256];
  private int[] keyLengths = new int[256];
  private int[] heads = new int[256];
  private int[] tails = new int[256];
  private int[] counts = new int[256];
  private int entries;
  private byte[] keys = new byte[4096];
  private int keysUsed;
  private byte[] values = new byte[16384];
  private int valuesUsed;

  public KeyTable() {
    Arrays.fill(slots, NONE);
  }

  /** The number of keys. */
  public int size() {
    return entries;
  }

  /**
   * Bytes in use, garbage included: what {@link #clear()} frees. The arrays' capacity is at most
   * twice this (they grow by doubling), and stays allocated after a clear for reuse.
   */
  public long footprint() {
    return (long) slots.length * 4 + (long) entries * 24 + keysUsed + valuesUsed;
  }

  /**
   * Appends a value to the chain of a key, adding the key if it is new; returns the key's entry.
   */
  public int add(byte[] k, int ko, int kl, int hash, byte[] v, int vo, int vl) {
    int entry = findOrInsert(k, ko, kl, hash);
    append(entry, v, vo, vl);
    return entry;
  }

  private int findOrInsert(byte[] k, int ko, int kl, int hash) {
    int slot = mix(hash) & mask;
    while (true) {
      int e = slots[slot];
      if (e == NONE) {
        break;
      }
      if (hashes[e] == hash && keyLengths[e] == kl
          && Arrays.equals(keys, keyOffsets[e], keyOffsets[e] + kl, k, ko, ko + kl)) {
        return e;
      }
      slot = (slot + 1) & mask;
    }
    if (entries == hashes.length) {
      growEntries();
    }
    int e = entries++;
    hashes[e] = hash;
    keyOffsets[e] = keysUsed;
    keyLengths[e] = kl;
    heads[e] = NONE;
    tails[e] = NONE;
    counts[e] = 0;
    keys = ensure(keys, keysUsed, kl);
    System.arraycopy(k, ko, keys, keysUsed, kl);
    keysUsed += kl;
    slots[slot] = e;
    if (entries * 2 > slots.length) {
      rehash();
    }
    return e;
  }

  /** Appends a value at the tail of an entry's chain. */
  public void append(int entry, byte[] v, int vo, int vl) {
    values = ensure(values, valuesUsed, NODE_HEADER + vl);
    int node = valuesUsed;
    putInt(values, node, NONE);
    putInt(values, node + 4, vl);
    System.arraycopy(v, vo, values, node + NODE_HEADER, vl);
    valuesUsed += NODE_HEADER + vl;
    if (tails[entry] == NONE) {
      heads[entry] = node;
    } else {
      putInt(values, tails[entry], node);
    }
    tails[entry] = node;
    counts[entry]++;
  }

  /** Empties an entry's chain; its nodes stay in the arena until {@link #clear()}. */
  public void resetValues(int entry) {
    heads[entry] = NONE;
    tails[entry] = NONE;
    counts[entry] = 0;
  }

  public int valueCount(int entry) {
    return counts[entry];
  }

  public int hash(int entry) {
    return hashes[entry];
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

  /** The value arena; a node's bytes are at {@link #valueOffset(int)}. */
  public byte[] valueArray() {
    return values;
  }

  /** The first value node of an entry's chain, or -1. */
  public int firstValue(int entry) {
    return heads[entry];
  }

  /** The node after {@code node}, or -1. */
  public int nextValue(int node) {
    return getInt(values, node);
  }

  public int valueOffset(int node) {
    return node + NODE_HEADER;
  }

  public int valueLength(int node) {
    return getInt(values, node + 4);
  }

  /** Removes every key and value, keeping the arrays for reuse. */
  public void clear() {
    Arrays.fill(slots, NONE);
    entries = 0;
    keysUsed = 0;
    valuesUsed = 0;
  }

  private void growEntries() {
    int n = hashes.length * 2;
    hashes = Arrays.copyOf(hashes, n);
    keyOffsets = Arrays.copyOf(keyOffsets, n);
    keyLengths = Arrays.copyOf(keyLengths, n);
    heads = Arrays.copyOf(heads, n);
    tails = Arrays.copyOf(tails, n);
    counts = Arrays.copyOf(counts, n);
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

  /** Spreads the hash's high bits into the low ones the mask keeps. */
  private static int mix(int h) {
    return h ^ (h >>> 16);
  }

  private static byte[] ensure(byte[] a, int used, int more) {
    if (a.length - used >= more) {
      return a;
    }
    long n = Math.max((long) used + more, 2L * a.length);
    if (n > Integer.MAX_VALUE - 16) {
      throw new IllegalStateException("combining table larger than 2 GiB");
    }
    return Arrays.copyOf(a, (int) n);
  }

  private static void putInt(byte[] b, int at, int v) {
    b[at] = (byte) (v >>> 24);
    b[at + 1] = (byte) (v >>> 16);
    b[at + 2] = (byte) (v >>> 8);
    b[at + 3] = (byte) v;
  }

  private static int getInt(byte[] b, int at) {
    return ((b[at] & 0xff) << 24) | ((b[at + 1] & 0xff) << 16) | ((b[at + 2] & 0xff) << 8) | (b[at + 3] & 0xff);
  }
}

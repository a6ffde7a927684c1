package io.mapreduce.internal.shuffle;

import java.util.Arrays;

/**
 * A hash table from encoded keys to chains of encoded values, for combining map output before it
 * reaches the sort buffer (as Spark's map-side combine does): word count's hundreds of millions of
 * {@code (word, 1)} pairs become a few thousand entries. Keys and values live in two byte arenas
 * and entries in parallel int arrays, so the table holds no object per key or value.
 *
 * Keys are indexed by {@link KeyIndex}.
 *
 * <p>A value node in the value arena is {@code int next, int length, bytes}; chains are appended
 * at their tail so values keep their emit order. Replacing a chain leaves its old nodes as garbage
 * until {@link #clear()}; {@link #footprint()} counts them, so the caller flushes in time.
 */
public final class KeyTable extends KeyIndex {
  private static final int NODE_HEADER = 8;

  private int[] heads = new int[256];
  private int[] tails = new int[256];
  private int[] counts = new int[256];
  private byte[] values = new byte[16384];
  private int valuesUsed;

  /**
   * Bytes in use, garbage included: what {@link #clear()} frees. The arrays' capacity is at most
   * twice this (they grow by doubling), and stays allocated after a clear for reuse.
   */
  public long footprint() {
    return footprint(24) + valuesUsed;
  }

  /**
   * Appends a value to the chain of a key, adding the key if it is new; returns the key's entry.
   */
  public int add(byte[] k, int ko, int kl, int hash, byte[] v, int vo, int vl) {
    int entry = findOrInsert(k, ko, kl, hash);
    if (entry < 0) {
      entry = -1 - entry;
      heads[entry] = NONE;
      tails[entry] = NONE;
      counts[entry] = 0;
    }
    append(entry, v, vo, vl);
    return entry;
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
  @Override
  public void clear() {
    super.clear();
    valuesUsed = 0;
  }

  @Override
  void growEntries(int capacity) {
    heads = Arrays.copyOf(heads, capacity);
    tails = Arrays.copyOf(tails, capacity);
    counts = Arrays.copyOf(counts, capacity);
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

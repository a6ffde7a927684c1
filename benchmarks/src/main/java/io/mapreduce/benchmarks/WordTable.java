package io.mapreduce.benchmarks;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * Counts of words keyed by their UTF-8 bytes, for {@link PlainWordCountBytes}: open addressing
 * with linear probing over slots that hold entry numbers; each entry's bytes are copied once into
 * one growing arena, its count is a {@code long} in an array. Adding an occurrence of a known word
 * allocates nothing. The caller supplies each word's hash (computed while it scanned the bytes).
 * Not thread-safe: one table per thread, merged with {@link #addAll}.
 */
final class WordTable {
  private int[] slots = new int[1 << 14]; // entry + 1; 0 is empty
  private int mask = slots.length - 1;
  private int[] hashes = new int[1 << 13];
  private int[] offsets = new int[1 << 13];
  private int[] lengths = new int[1 << 13];
  private long[] counts = new long[1 << 13];
  private byte[] arena = new byte[1 << 16];
  private int arenaUsed;
  private int size;

  /** Counts one occurrence of the word in bytes [off, off + len) of b, whose hash is given. */
  void add(byte[] b, int off, int len, int hash) {
    add(b, off, len, hash, 1);
  }

  private void add(byte[] b, int off, int len, int hash, long n) {
    int s = spread(hash) & mask;
    while (true) {
      int e = slots[s] - 1;
      if (e < 0) {
        insert(s, b, off, len, hash, n);
        return;
      }
      if (hashes[e] == hash && lengths[e] == len
          && Arrays.equals(arena, offsets[e], offsets[e] + len, b, off, off + len)) {
        counts[e] += n;
        return;
      }
      s = (s + 1) & mask;
    }
  }

  private void insert(int slot, byte[] b, int off, int len, int hash, long n) {
    if (size == counts.length) {
      int grown = size * 2;
      hashes = Arrays.copyOf(hashes, grown);
      offsets = Arrays.copyOf(offsets, grown);
      lengths = Arrays.copyOf(lengths, grown);
      counts = Arrays.copyOf(counts, grown);
    }
    if (arenaUsed + len > arena.length) {
      arena = Arrays.copyOf(arena, Math.max(arena.length * 2, arenaUsed + len));
    }
    System.arraycopy(b, off, arena, arenaUsed, len);
    hashes[size] = hash;
    offsets[size] = arenaUsed;
    lengths[size] = len;
    counts[size] = n;
    arenaUsed += len;
    slots[slot] = ++size;
    if (size * 2 > slots.length) {
      rehash();
    }
  }

  private void rehash() {
    slots = new int[slots.length * 2];
    mask = slots.length - 1;
    for (int e = 0; e < size; e++) {
      int s = spread(hashes[e]) & mask;
      while (slots[s] != 0) {
        s = (s + 1) & mask;
      }
      slots[s] = e + 1;
    }
  }

  /** The low bits index the slots: mix the high bits of the polynomial hash into them. */
  private static int spread(int h) {
    h ^= h >>> 16;
    h *= 0x85ebca6b;
    return h ^ (h >>> 13);
  }

  /** Adds the counts of another table to this one. */
  void addAll(WordTable other) {
    for (int e = 0; e < other.size; e++) {
      add(other.arena, other.offsets[e], other.lengths[e], other.hashes[e], other.counts[e]);
    }
  }

  /** The counts, for tests. */
  Map<String, Long> counts() {
    Map<String, Long> m = new HashMap<>();
    for (int e = 0; e < size; e++) {
      m.put(new String(arena, offsets[e], lengths[e], StandardCharsets.UTF_8), counts[e]);
    }
    return m;
  }

  /** Writes {@code word<TAB>count} lines sorted by the words' bytes (unsigned), as PlainWordCount's. */
  void writeSorted(OutputStream out) throws IOException {
    Integer[] order = new Integer[size];
    Arrays.setAll(order, e -> e);
    Arrays.sort(order, (x, y) -> Arrays.compareUnsigned(
        arena, offsets[x], offsets[x] + lengths[x], arena, offsets[y], offsets[y] + lengths[y]));
    BufferedOutputStream w = new BufferedOutputStream(out, 1 << 16);
    for (int e : order) {
      w.write(arena, offsets[e], lengths[e]);
      w.write('\t');
      w.write(Long.toString(counts[e]).getBytes(StandardCharsets.US_ASCII));
      w.write('\n');
    }
    w.flush();
  }
}

package io.mapreduce.internal.shuffle;

import java.util.Arrays;

/**
 * The part the map-side combining tables share: an open-addressing index from encoded keys to
 * entry numbers 0, 1, ..., with the keys' bytes in one arena and each entry's hash, offset and
 * length in parallel arrays, so it holds no object per key. A subclass keeps its own per-entry
 * arrays beside these, grown by {@link #growEntries}.
 */
abstract class KeyIndex {
  static final int NONE = -1;

  private int[] slots = new int[1024];
  private int mask = slots.length - 1;
  private int[] hashes = new int[256];
  private int[] keyOffsets = new int[256];
  private int[] keyLengths = new int[256];
  private int entries;
  private byte[] keys = new byte[4096];
  private int keysUsed;

  KeyIndex() {
    Arrays.fill(slots, NONE);
  }

  /** Grows the subclass's per-entry arrays to {@code capacity}. */
  abstract void growEntries(int capacity);

  /** The number of keys. */
  public final int size() {
    return entries;
  }

  /** Bytes the index uses: its slots, {@code perEntry} bytes per entry and the key bytes. */
  final long footprint(int perEntry) {
    return (long) slots.length * 4 + (long) entries * perEntry + keysUsed;
  }

  /**
   * The entry of the key {@code k[ko, ko + kl)}, or, if it is new, {@code -1 - e} where {@code e}
   * is the entry just made for it (whose subclass fields the caller sets).
   */
  final int findOrInsert(byte[] k, int ko, int kl, int hash) {
    int slot = mix(hash) & mask;
    while (true) {
      int e = slots[slot];
      if (e == NONE) {
        break;
      }
      if (hashes[e] == hash && keyLengths[e] == kl && sameBytes(keys, keyOffsets[e], k, ko, kl)) {
        return e;
      }
      slot = (slot + 1) & mask;
    }
    if (entries == hashes.length) {
      int n = entries * 2;
      hashes = Arrays.copyOf(hashes, n);
      keyOffsets = Arrays.copyOf(keyOffsets, n);
      keyLengths = Arrays.copyOf(keyLengths, n);
      growEntries(n);
    }
    int e = entries++;
    hashes[e] = hash;
    keyOffsets[e] = keysUsed;
    keyLengths[e] = kl;
    keys = ensure(keys, keysUsed, kl);
    System.arraycopy(k, ko, keys, keysUsed, kl);
    keysUsed += kl;
    slots[slot] = e;
    if (entries * 2 > slots.length) {
      rehash();
    }
    return -1 - e;
  }

  public final int hash(int entry) {
    return hashes[entry];
  }

  public final byte[] keyArray() {
    return keys;
  }

  public final int keyOffset(int entry) {
    return keyOffsets[entry];
  }

  public final int keyLength(int entry) {
    return keyLengths[entry];
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

  static byte[] ensure(byte[] a, int used, int more) {
    if (a.length - used >= more) {
      return a;
    }
    long n = Math.max((long) used + more, 2L * a.length);
    if (n > Integer.MAX_VALUE - 16) {
      throw new IllegalStateException("combining table larger than 2 GiB");
    }
    return Arrays.copyOf(a, (int) n);
  }
}

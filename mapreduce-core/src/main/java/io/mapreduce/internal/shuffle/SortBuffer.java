package io.mapreduce.internal.shuffle;

import java.util.Arrays;

/**
 * A map task's in-memory buffer of encoded records: the bytes of all records in one array and
 * five ints of metadata per record (partition, key start, key length, value length, and the first
 * four key bytes as an unsigned int), so the buffer holds no object per record and most
 * comparisons are settled by the prefix without touching the record bytes. Sorting permutes an index array by (partition, key bytes); the
 * sort is stable, so equal keys keep the order they were emitted in. Both arrays grow on demand
 * up to the byte budget.
 */
public final class SortBuffer {
  private static final int META_INTS = 5;
  /** Past this many equal leading key bytes, ties are merge-sorted on the whole keys. */
  private static final int MAX_TIE_DEPTH = 32;

  private final long budget;
  private byte[] data = new byte[0];
  private int used;
  private int[] meta = new int[0];
  private int count;
  private int[] order;
  private int[] scratch;
  private long[] sortKeys;
  /** One more than the highest partition added. */
  private int partitions;

  public SortBuffer(long budget) {
    this.budget = budget;
  }

  public int count() {
    return count;
  }

  public boolean isEmpty() {
    return count == 0;
  }

  /**
   * Adds a record; returns false (and adds nothing) when it does not fit in the budget. An empty
   * buffer always accepts a record, however large, so that any record can be spilled.
   */
  public boolean add(int partition, byte[] k, int ko, int kl, byte[] v, int vo, int vl) {
    int size = kl + vl;
    if (!ensureRoom(size)) {
      return false;
    }
    System.arraycopy(k, ko, data, used, kl);
    System.arraycopy(v, vo, data, used + kl, vl);
    int m = count * META_INTS;
    meta[m] = partition;
    meta[m + 1] = used;
    meta[m + 2] = kl;
    meta[m + 3] = vl;
    meta[m + 4] = prefix(k, ko, kl);
    if (partition >= partitions) {
      partitions = partition + 1;
    }
    used += size;
    count++;
    return true;
  }

  private boolean ensureRoom(int size) {
    boolean dataFits = data.length - used >= size;
    boolean metaFits = meta.length - count * META_INTS >= META_INTS;
    if (dataFits && metaFits) {
      return true;
    }
    long neededData = (long) used + size;
    long newData = dataFits ? data.length : Math.max(neededData, Math.max(4096, 2L * data.length));
    long newMeta = metaFits ? meta.length : Math.max(64, 2L * meta.length);
    if (footprint(newData, newMeta) > budget) {
      // Grow the data array only as far as the budget allows, if that still holds the record.
      if (!dataFits) {
        newData = Math.max(neededData, budget - footprint(0, newMeta));
      }
      if (footprint(newData, newMeta) > budget && count > 0) {
        return false;
      }
    }
    if (newData > Integer.MAX_VALUE - 16 || newMeta > Integer.MAX_VALUE - 16) {
      if (count > 0) {
        return false;
      }
      throw new IllegalStateException("a record of " + size + " bytes does not fit in a sort buffer");
    }
    if (newData != data.length) {
      data = Arrays.copyOf(data, (int) newData);
    }
    if (newMeta != meta.length) {
      meta = Arrays.copyOf(meta, (int) newMeta);
    }
    return true;
  }

  /** Bytes used by the arrays: data, metadata, and the sort's two index arrays and its longs. */
  private static long footprint(long dataLength, long metaLength) {
    return dataLength + (metaLength / META_INTS) * (META_INTS + 4) * 4L;
  }

  /** The first four bytes of a key, big-endian, zero-padded: orders like the bytes, ties aside. */
  private static int prefix(byte[] k, int off, int len) {
    int p = 0;
    for (int i = 0; i < 4; i++) {
      p = (p << 8) | (i < len ? k[off + i] & 0xff : 0);
    }
    return p;
  }

  /** Bytes of record data held. */
  public long dataBytes() {
    return used;
  }

  /**
   * Sorts the records by (partition, key bytes), stably. Records are first bucketed by partition
   * (a counting sort); each partition is then sorted as an array of longs, the key's four-byte
   * prefix above the record number, by the JDK's primitive sort, which touches neither the
   * metadata nor the data; only runs of equal prefixes are merge-sorted on the whole key bytes.
   * The record number in the low bits keeps equal keys in emit order.
   */
  public void sort() {
    int capacity = meta.length / META_INTS;
    if (order == null || order.length < capacity) {
      order = new int[capacity];
      scratch = new int[capacity];
      sortKeys = new long[capacity];
    }
    int[] starts = new int[partitions + 1];
    for (int i = 0; i < count; i++) {
      starts[meta[i * META_INTS] + 1]++;
    }
    for (int p = 0; p < partitions; p++) {
      starts[p + 1] += starts[p];
    }
    int[] next = Arrays.copyOf(starts, partitions);
    for (int i = 0; i < count; i++) {
      int m = i * META_INTS;
      sortKeys[next[meta[m]]++] = ((long) (meta[m + 4] ^ Integer.MIN_VALUE) << 32) | i;
    }
    for (int p = 0; p < partitions; p++) {
      Arrays.sort(sortKeys, starts[p], starts[p + 1]);
    }
    for (int i = 0; i < count; i++) {
      order[i] = (int) sortKeys[i];
    }
    int run = 0;
    for (int i = 1; i <= count; i++) {
      if (i == count || (sortKeys[i] >>> 32) != (sortKeys[run] >>> 32)
          || meta[order[i] * META_INTS] != meta[order[run] * META_INTS]) {
        if (i - run > 1) {
          sortTies(run, i, 4);
        }
        run = i;
      }
    }
  }

  /**
   * Sorts {@code order[from, to)}, records of one partition whose keys agree (zero-padded) on
   * their first {@code depth} bytes, by the next four bytes with the primitive sort, recursing
   * into runs that agree on those too; small or deep runs are merge-sorted on the whole keys.
   * Zero padding never inverts two keys, it only makes a key tie with its extensions by zeros,
   * which the final merge sort settles. The record number below the chunk keeps the sort stable.
   */
  private void sortTies(int from, int to, int depth) {
    if (to - from <= 16 || depth >= MAX_TIE_DEPTH) {
      mergeSort(order, scratch, from, to);
      return;
    }
    int shortest = Integer.MAX_VALUE;
    int longest = 0;
    for (int i = from; i < to; i++) {
      int r = order[i];
      int length = meta[r * META_INTS + 2];
      shortest = Math.min(shortest, length);
      longest = Math.max(longest, length);
      sortKeys[i] = ((long) (chunk(r, depth) ^ Integer.MIN_VALUE) << 32) | r;
    }
    if (longest <= depth) {
      // Every key ended within the bytes they agree on: equal keys (a repeated word) are done,
      // already in record order; keys that differ only by trailing zeros are merge-sorted. Going
      // deeper would sort the same run again at every depth (the sort of many equal keys).
      if (shortest != longest) {
        mergeSort(order, scratch, from, to);
      }
      return;
    }
    Arrays.sort(sortKeys, from, to);
    int run = from;
    for (int i = from; i <= to; i++) {
      if (i < to) {
        order[i] = (int) sortKeys[i];
      }
      if (i == to || (sortKeys[i] >>> 32) != (sortKeys[run] >>> 32)) {
        if (i - run > 1) {
          sortTies(run, i, depth + 4);
        }
        run = i;
      }
    }
  }

  /** Four key bytes of a record from {@code at}, big-endian, zero-padded past the key's end. */
  private int chunk(int record, int at) {
    int m = record * META_INTS;
    int start = meta[m + 1];
    int length = meta[m + 2];
    int c = 0;
    for (int i = at; i < at + 4; i++) {
      c = (c << 8) | (i < length ? data[start + i] & 0xff : 0);
    }
    return c;
  }

  private void mergeSort(int[] a, int[] tmp, int from, int to) {
    if (to - from <= 16) {
      for (int i = from + 1; i < to; i++) {
        int x = a[i];
        int j = i - 1;
        while (j >= from && compare(a[j], x) > 0) {
          a[j + 1] = a[j];
          j--;
        }
        a[j + 1] = x;
      }
      return;
    }
    int mid = (from + to) >>> 1;
    mergeSort(a, tmp, from, mid);
    mergeSort(a, tmp, mid, to);
    if (compare(a[mid - 1], a[mid]) <= 0) {
      return;
    }
    System.arraycopy(a, from, tmp, from, to - from);
    int i = from;
    int j = mid;
    for (int k = from; k < to; k++) {
      if (j >= to || (i < mid && compare(tmp[i], tmp[j]) <= 0)) {
        a[k] = tmp[i++];
      } else {
        a[k] = tmp[j++];
      }
    }
  }

  private int compare(int x, int y) {
    int mx = x * META_INTS;
    int my = y * META_INTS;
    int c = Integer.compare(meta[mx], meta[my]);
    if (c != 0) {
      return c;
    }
    c = Integer.compareUnsigned(meta[mx + 4], meta[my + 4]);
    if (c != 0) {
      return c;
    }
    int kx = meta[mx + 1];
    int ky = meta[my + 1];
    return Arrays.compareUnsigned(data, kx, kx + meta[mx + 2], data, ky, ky + meta[my + 2]);
  }

  /** The sorted records of one partition, after {@link #sort()}. */
  public RecordStream partition(int partition) {
    int lo = 0;
    int hi = count;
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (meta[order[mid] * META_INTS] < partition) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    int first = lo;
    return new RecordStream() {
      private int i = first - 1;
      private int m;

      @Override
      public boolean next() {
        if (i + 1 < count && meta[order[i + 1] * META_INTS] == partition) {
          i++;
          m = order[i] * META_INTS;
          return true;
        }
        i = count;
        return false;
      }

      @Override
      public byte[] keyArray() {
        return data;
      }

      @Override
      public int keyOffset() {
        return meta[m + 1];
      }

      @Override
      public int keyLength() {
        return meta[m + 2];
      }

      @Override
      public byte[] valueArray() {
        return data;
      }

      @Override
      public int valueOffset() {
        return meta[m + 1] + meta[m + 2];
      }

      @Override
      public int valueLength() {
        return meta[m + 3];
      }

      @Override
      public void close() {}
    };
  }

  /** Empties the buffer, keeping its arrays for the next round. */
  public void clear() {
    used = 0;
    count = 0;
    partitions = 0;
  }
}

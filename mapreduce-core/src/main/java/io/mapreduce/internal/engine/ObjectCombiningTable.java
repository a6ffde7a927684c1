package io.mapreduce.internal.engine;

import java.util.Arrays;
import java.util.NoSuchElementException;
import java.util.function.ToIntFunction;

/**
 * The map-side combining table for value-like keys and values (strings, numbers, records of
 * those), held as objects and keyed by {@code equals}, as Spark's map-side combine does: nothing
 * is encoded until the table is combined, so a word count encodes a few thousand keys per flush
 * instead of every word.
 *
 * <p>A key's values are kept as <em>runs</em>: a value and how many times in a row it was emitted
 * for the key. A word count emits the same boxed {@code 1L} for every word, so adding a value is
 * an {@code int} increment, with no reference stored, no array grown and no combiner called per
 * word; the combiner runs once per key when the table is combined, over the values replayed in
 * the order they were emitted. Values are value-like (immutable, compared by {@code equals}), so
 * an equal value may stand in for the one emitted. When a key's value changes, its current run
 * moves to a log of closed runs, chained per key.
 *
 * <p>A key's entry is one small object that holds the key and its current run, found from one
 * slot array: a lookup touches the slot, the entry and the key (which, copied together by the
 * collector, tend to share cache lines) and nothing else. Parallel arrays per field, the other
 * layout, touch a line per array for every word whose entry is out of the cache.
 *
 * <p>Not thread-safe: one map attempt's thread.
 */
final class ObjectCombiningTable<K, V> {
  /** Rough heap cost of an entry (slots, entry object, key object) and of a closed run. */
  static final long ENTRY_BYTES = 96;
  static final long RUN_BYTES = 40;
  private static final int NONE = -1;

  private final ToIntFunction<V> valueSize;

  /** Open addressing over the entries; null when empty. */
  private Entry[] slots = new Entry[1024];
  /** The entries in the order their keys came. */
  private Entry[] entries = new Entry[256];
  private int size;

  /** Closed runs: value, length, next run of the same entry. */
  private Object[] logValues = new Object[256];
  private int[] logLengths = new int[256];
  private int[] logNext = new int[256];
  private int logSize;

  private long footprint;
  private long inputs;
  private long inputBytes;
  private final RunValues values = new RunValues();

  /**
   * @param valueSize a value's encoded size, for the {@code MAP_OUTPUT_BYTES} counter, which
   *     counts what was emitted, before combining
   */
  ObjectCombiningTable(ToIntFunction<V> valueSize) {
    this.valueSize = valueSize;
  }

  /** Receives each key with its values, once per key, when the table is combined. */
  interface Combine<K, V> {
    void combine(K key, Iterable<V> values);
  }

  /** A key, its encoded size, its current run and its chain of closed runs. */
  private static final class Entry {
    final int hash;
    final Object key;
    final int keySize;
    /** The current run: its value (null when none) and length. */
    Object runValue;
    int runLength;
    int firstRun = NONE;
    int lastRun = NONE;

    Entry(int hash, Object key, int keySize) {
      this.hash = hash;
      this.key = key;
      this.keySize = keySize;
    }
  }

  int size() {
    return size;
  }

  boolean isEmpty() {
    return size == 0;
  }

  /** Values added since the table was last emptied. */
  long inputs() {
    return inputs;
  }

  /** Rough heap bytes held: entries, key encodings counted twice, closed runs. */
  long footprint() {
    return footprint;
  }

  /**
   * Adds a value for a key; {@code keySize} computes the key's encoded size when the key is new.
   */
  void add(K k, V v, ToIntFunction<K> keySize) {
    inputs++;
    int h = k.hashCode();
    Entry[] t = slots;
    int mask = t.length - 1;
    int i = spread(h) & mask;
    Entry e;
    while ((e = t[i]) != null && (e.hash != h || !k.equals(e.key))) {
      i = (i + 1) & mask;
    }
    if (e == null) {
      e = insert(k, h, i, keySize.applyAsInt(k));
    }
    Object run = e.runValue;
    if ((run == v || (run != null && run.equals(v))) && e.runLength != Integer.MAX_VALUE) {
      e.runLength++;
      return;
    }
    if (run != null) {
      closeRun(e);
    }
    e.runValue = v;
    e.runLength = 1;
  }

  /**
   * Calls {@code combine} with every key and its values, in the order they were added, then
   * empties the table.
   */
  @SuppressWarnings("unchecked")
  void combineAll(Combine<K, V> combine) {
    for (int n = 0; n < size; n++) {
      values.reset(entries[n]);
      combine.combine((K) entries[n].key, values);
    }
    clear();
  }

  /** The encoded bytes of what was added since the last {@link #resetInputBytes()}. */
  long inputBytes() {
    return inputBytes;
  }

  void resetInputBytes() {
    inputBytes = 0;
  }

  private Entry insert(K k, int h, int slot, int keySize) {
    if (size == entries.length) {
      entries = Arrays.copyOf(entries, size * 2);
    }
    Entry e = new Entry(h, k, keySize);
    entries[size++] = e;
    slots[slot] = e;
    footprint += ENTRY_BYTES + 2L * keySize;
    if (size * 2 > slots.length) {
      rehash();
    }
    return e;
  }

  /** Moves an entry's current run to the end of its chain in the log. */
  private void closeRun(Entry e) {
    if (logSize == logValues.length) {
      int n = logSize * 2;
      logValues = Arrays.copyOf(logValues, n);
      logLengths = Arrays.copyOf(logLengths, n);
      logNext = Arrays.copyOf(logNext, n);
    }
    int r = logSize++;
    logValues[r] = e.runValue;
    logLengths[r] = e.runLength;
    logNext[r] = NONE;
    if (e.lastRun == NONE) {
      e.firstRun = r;
    } else {
      logNext[e.lastRun] = r;
    }
    e.lastRun = r;
    footprint += RUN_BYTES;
    countBytes(e, e.runValue, e.runLength);
  }

  @SuppressWarnings("unchecked")
  private void countBytes(Entry e, Object value, int length) {
    inputBytes += (long) length * (e.keySize + valueSize.applyAsInt((V) value));
  }

  private void clear() {
    Arrays.fill(slots, null);
    Arrays.fill(entries, 0, size, null);
    Arrays.fill(logValues, 0, logSize, null);
    size = 0;
    logSize = 0;
    footprint = 0;
    inputs = 0;
  }

  private void rehash() {
    Entry[] t = new Entry[slots.length * 2];
    int mask = t.length - 1;
    for (int n = 0; n < size; n++) {
      int i = spread(entries[n].hash) & mask;
      while (t[i] != null) {
        i = (i + 1) & mask;
      }
      t[i] = entries[n];
    }
    slots = t;
  }

  private static int spread(int h) {
    h ^= h >>> 16;
    h *= 0x85ebca6b;
    return h ^ (h >>> 13);
  }

  /**
   * An entry's values for the combiner: its closed runs, then its current run, each value
   * repeated as often as it was emitted in a row. Reused for every key, iterable once.
   */
  private final class RunValues extends ValuesOnce<V> {
    private int nextRun;
    private Object value;
    private int left;
    private Entry entry;
    private boolean currentDone;

    void reset(Entry e) {
      entry = e;
      nextRun = e.firstRun;
      value = null;
      left = 0;
      currentDone = false;
      rearm();
      // The current run is counted here, once, as closed runs are when they close.
      if (e.runValue != null) {
        countBytes(e, e.runValue, e.runLength);
      }
    }

    // The common step (more of the same run) is kept tiny so that the combiner's loop inlines it.
    @Override
    public boolean hasNext() {
      return left > 0 || nextRunStarted();
    }

    @SuppressWarnings("unchecked")
    @Override
    public V next() {
      if (left == 0 && !nextRunStarted()) {
        throw new NoSuchElementException();
      }
      left--;
      return (V) value;
    }

    private boolean nextRunStarted() {
      if (nextRun != NONE) {
        value = logValues[nextRun];
        left = logLengths[nextRun];
        nextRun = logNext[nextRun];
        return true;
      }
      if (!currentDone) {
        currentDone = true;
        value = entry.runValue;
        left = entry.runLength;
        return left > 0;
      }
      return false;
    }
  }
}

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
 * <p>Not thread-safe: one map attempt's thread.
 */
final class ObjectCombiningTable<K, V> {
  /** Rough heap cost of an entry (index slot, per-entry arrays, a key object) and of a closed run. */
  static final long ENTRY_BYTES = 96;
  static final long RUN_BYTES = 40;
  private static final int NONE = -1;

  private final ToIntFunction<V> valueSize;

  /** Open addressing: {@code hash << 32 | entry + 1}, 0 when empty; the hash is compared first. */
  private long[] slots = new long[1024];
  private int entries;
  private Object[] keys = new Object[256];
  private int[] keySizes = new int[256];
  /** Each entry's current run: its value (null when none) and length. */
  private Object[] runValues = new Object[256];
  private int[] runLengths = new int[256];
  /** Each entry's chain of closed runs in the log, oldest first. */
  private int[] firstRuns = new int[256];
  private int[] lastRuns = new int[256];

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

  int size() {
    return entries;
  }

  boolean isEmpty() {
    return entries == 0;
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
    int mask = slots.length - 1;
    int i = spread(h) & mask;
    int e = NONE;
    for (long s; (s = slots[i]) != 0; i = (i + 1) & mask) {
      if ((int) (s >>> 32) == h && k.equals(keys[(int) s - 1])) {
        e = (int) s - 1;
        break;
      }
    }
    if (e == NONE) {
      e = insert(k, h, i, keySize.applyAsInt(k));
    }
    Object run = runValues[e];
    if ((run == v || (run != null && run.equals(v))) && runLengths[e] != Integer.MAX_VALUE) {
      runLengths[e]++;
      return;
    }
    if (run != null) {
      closeRun(e);
    }
    runValues[e] = v;
    runLengths[e] = 1;
  }

  /**
   * Calls {@code combine} with every key and its values, in the order they were added, then
   * empties the table.
   */
  @SuppressWarnings("unchecked")
  void combineAll(Combine<K, V> combine) {
    for (int e = 0; e < entries; e++) {
      values.reset(e);
      combine.combine((K) keys[e], values);
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

  private int insert(K k, int h, int slot, int keySize) {
    if (entries == keys.length) {
      int n = entries * 2;
      keys = Arrays.copyOf(keys, n);
      keySizes = Arrays.copyOf(keySizes, n);
      runValues = Arrays.copyOf(runValues, n);
      runLengths = Arrays.copyOf(runLengths, n);
      firstRuns = Arrays.copyOf(firstRuns, n);
      lastRuns = Arrays.copyOf(lastRuns, n);
    }
    int e = entries++;
    keys[e] = k;
    keySizes[e] = keySize;
    runValues[e] = null;
    runLengths[e] = 0;
    firstRuns[e] = NONE;
    lastRuns[e] = NONE;
    slots[slot] = ((long) h << 32) | (e + 1);
    footprint += ENTRY_BYTES + 2L * keySize;
    if (entries * 2 > slots.length) {
      rehash();
    }
    return e;
  }

  /** Moves an entry's current run to the end of its chain in the log. */
  private void closeRun(int e) {
    if (logSize == logValues.length) {
      int n = logSize * 2;
      logValues = Arrays.copyOf(logValues, n);
      logLengths = Arrays.copyOf(logLengths, n);
      logNext = Arrays.copyOf(logNext, n);
    }
    int r = logSize++;
    logValues[r] = runValues[e];
    logLengths[r] = runLengths[e];
    logNext[r] = NONE;
    if (lastRuns[e] == NONE) {
      firstRuns[e] = r;
    } else {
      logNext[lastRuns[e]] = r;
    }
    lastRuns[e] = r;
    footprint += RUN_BYTES;
    countBytes(e, runValues[e], runLengths[e]);
  }

  @SuppressWarnings("unchecked")
  private void countBytes(int e, Object value, int length) {
    inputBytes += (long) length * (keySizes[e] + valueSize.applyAsInt((V) value));
  }

  private void clear() {
    Arrays.fill(slots, 0);
    Arrays.fill(keys, 0, entries, null);
    Arrays.fill(runValues, 0, entries, null);
    Arrays.fill(logValues, 0, logSize, null);
    entries = 0;
    logSize = 0;
    footprint = 0;
    inputs = 0;
  }

  private void rehash() {
    long[] old = slots;
    slots = new long[old.length * 2];
    int mask = slots.length - 1;
    for (long s : old) {
      if (s != 0) {
        int i = spread((int) (s >>> 32)) & mask;
        while (slots[i] != 0) {
          i = (i + 1) & mask;
        }
        slots[i] = s;
      }
    }
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
    private int entry;
    private boolean currentDone;

    void reset(int e) {
      entry = e;
      nextRun = firstRuns[e];
      value = null;
      left = 0;
      currentDone = false;
      rearm();
      // The current run is counted here, once, as closed runs are when they close.
      if (runValues[e] != null) {
        countBytes(e, runValues[e], runLengths[e]);
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
        value = runValues[entry];
        left = runLengths[entry];
        return left > 0;
      }
      return false;
    }
  }
}

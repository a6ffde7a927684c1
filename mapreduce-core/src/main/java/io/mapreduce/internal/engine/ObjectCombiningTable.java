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
 * <p>A long run is folded before the final combine rather than replayed value by value: the
 * combiner runs over {@link #FOLD} copies of the value and, when it gives back exactly one value
 * for the key, each {@code FOLD} copies are replaced by that value, and so on up; a run of a
 * million ones reaches the combiner as a few dozen values. This relies on what Hadoop asks of a
 * combiner (and this engine too, which combines again at every spill and merge): that it may run
 * any number of times, on any subset of a key's values and on its own output, and, as the paper
 * asks of map and reduce functions, that it is deterministic. A combiner that gives back nothing
 * for the copies drops them all; one that gives back more, or other keys, has its output kept as
 * it came and folding ends for the task.
 *
 * <p>A key's entry is one small object that holds the key and its current run, found from one
 * slot array: a lookup touches the slot, the entry and the key (which, copied together by the
 * collector, tend to share cache lines) and nothing else. Parallel arrays per field, the other
 * layout, touch a line per array for every word whose entry is out of the cache.
 *
 * <p>Not thread-safe: one map attempt's thread.
 */
final class ObjectCombiningTable<K, V> {
  /**
   * Rough heap cost of an entry (slots, entry object, key object) and of a closed run, beside
   * twice the encoded size of the key or the run's value.
   */
  static final long ENTRY_BYTES = 96;
  static final long RUN_BYTES = 40;
  private static final int NONE = -1;

  private final ToIntFunction<K> keySize;
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
  /** The next entry {@link #combineAll} combines. */
  private int nextToCombine;

  private long footprint;
  private long inputs;
  private long inputBytes;
  /** The values of the key being combined, and copies of one value being folded. */
  private final RunValues<V> values = new RunValues<>();
  private final RunValues<V> copies = new RunValues<>();
  /** Cleared for good when a fold gives back something other than one value or none. */
  private boolean foldable = true;

  /**
   * @param keySize a key's encoded size, computed when the key is new, and
   * @param valueSize a value's, for the budget and the {@code MAP_OUTPUT_BYTES} counter, which
   *     counts what was emitted, before combining
   */
  ObjectCombiningTable(ToIntFunction<K> keySize, ToIntFunction<V> valueSize) {
    this.keySize = keySize;
    this.valueSize = valueSize;
  }

  /** Receives each key with its values, once per key, when the table is combined. */
  interface Combine<K, V> {
    void combine(K key, Iterable<V> values);

    /**
     * Combines copies of one value: returns the one value the combiner gave back for {@code key},
     * {@link #NOTHING} when it gave back nothing, or null when it gave back anything else (which
     * has then gone on as combined output).
     */
    Object fold(K key, Iterable<V> copies);
  }

  /** What {@link Combine#fold} returns when the combiner gave back nothing. */
  static final Object NOTHING = new Object();

  /** Runs of at least twice this many copies are folded, this many copies at a time. */
  static final int FOLD = 16;

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

  /** Adds a value for a key. */
  void add(K k, V v) {
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
    if (e.runValue == v && e.runLength != Integer.MAX_VALUE) {
      e.runLength++;
    } else {
      addOther(e, v);
    }
  }

  /** Adds a value that is not the very object of the entry's run: it may still be an equal one. */
  private void addOther(Entry e, V v) {
    Object run = e.runValue;
    if (run != null && run.equals(v) && e.runLength != Integer.MAX_VALUE) {
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
   * Calls {@code combine} with every key and its values, then empties the table; returns the
   * encoded bytes of the pairs added since the last time it returned. The values come in the
   * order they were added, but for a folded run, whose few left-over copies come before the values
   * it was folded into.
   */
  @SuppressWarnings("unchecked")
  long combineAll(Combine<K, V> combine) {
    // A cursor, not a loop variable: if the combiner throws, a later call goes on after the key
    // it threw on, instead of combining the keys before it a second time.
    while (nextToCombine < size) {
      Entry e = entries[nextToCombine++];
      K key = (K) e.key;
      values.clear();
      for (int r = e.firstRun; r != NONE; r = logNext[r]) {
        addFolded(key, logValues[r], logLengths[r], combine);
      }
      if (e.runValue != null) {
        // The current run is counted here, once, as closed runs are when they close.
        countBytes(e, e.runValue, e.runLength);
        addFolded(key, e.runValue, e.runLength, combine);
      }
      values.rearm();
      combine.combine(key, values);
    }
    values.clear();
    clear();
    long bytes = inputBytes;
    inputBytes = 0;
    return bytes;
  }

  /** Adds a run to the values of the key being combined, folded when long (see the class). */
  private void addFolded(K key, Object value, int length, Combine<K, V> combine) {
    while (foldable && length >= 2 * FOLD) {
      copies.clear();
      copies.add(value, FOLD);
      copies.rearm();
      Object folded = combine.fold(key, copies);
      if (folded == null) {
        foldable = false;
        length -= FOLD;
        break;
      }
      if (length % FOLD > 0) {
        values.add(value, length % FOLD);
      }
      if (folded == NOTHING) {
        return;
      }
      value = folded;
      length /= FOLD;
    }
    if (length > 0) {
      values.add(value, length);
    }
  }

  private Entry insert(K k, int h, int slot, int encodedKeySize) {
    if (size == entries.length) {
      entries = Arrays.copyOf(entries, size * 2);
    }
    Entry e = new Entry(h, k, encodedKeySize);
    entries[size++] = e;
    slots[slot] = e;
    footprint += ENTRY_BYTES + 2L * encodedKeySize;
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
    // The run keeps its value alive: counted, as keys are, at twice its encoded size.
    int size = countBytes(e, e.runValue, e.runLength);
    footprint += RUN_BYTES + 2L * size;
  }

  /** Counts a run's encoded bytes as emitted; returns the encoded size of its value. */
  @SuppressWarnings("unchecked")
  private int countBytes(Entry e, Object value, int length) {
    int size = valueSize.applyAsInt((V) value);
    inputBytes += (long) length * (e.keySize + size);
    return size;
  }

  private void clear() {
    Arrays.fill(slots, null);
    Arrays.fill(entries, 0, size, null);
    Arrays.fill(logValues, 0, logSize, null);
    size = 0;
    nextToCombine = 0;
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
   * Values for the combiner as runs: each value repeated as often as it was emitted in a row.
   * Reused for every key, iterable once per {@link #rearm()}.
   */
  static final class RunValues<V> extends ValuesOnce<V> {
    private Object[] runValues = new Object[16];
    private int[] runLengths = new int[16];
    private int runs;
    private int next;
    private Object value;
    private int left;

    void clear() {
      Arrays.fill(runValues, 0, runs, null);
      runs = 0;
      next = 0;
      value = null;
      left = 0;
    }

    void add(Object v, int length) {
      if (runs == runValues.length) {
        runValues = Arrays.copyOf(runValues, runs * 2);
        runLengths = Arrays.copyOf(runLengths, runs * 2);
      }
      runValues[runs] = v;
      runLengths[runs] = length;
      runs++;
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
      if (next == runs) {
        return false;
      }
      value = runValues[next];
      left = runLengths[next];
      next++;
      return true;
    }
  }
}

package io.mapreduce.internal.engine;

import java.util.Arrays;
import java.util.function.BiConsumer;

/**
 * An open-addressing hash table from keys to values, for the map-side combine. Not the JDK's
 * {@code HashMap} on purpose: the equals call in HashMap's lookup is shared by every map in the
 * JVM and so is rarely inlined, where here it only ever sees one job's key type.
 */
final class SlotTable<K, S> {
  private Object[] keys = new Object[1024];
  private Object[] values = new Object[1024];
  private int[] hashes = new int[1024];
  private int size;

  int size() {
    return size;
  }

  boolean isEmpty() {
    return size == 0;
  }

  @SuppressWarnings("unchecked")
  S get(K key) {
    int h = spread(key.hashCode());
    int mask = keys.length - 1;
    for (int i = h & mask; ; i = (i + 1) & mask) {
      Object k = keys[i];
      if (k == null) {
        return null;
      }
      if (hashes[i] == h && key.equals(k)) {
        return (S) values[i];
      }
    }
  }

  /** Adds a key that is not in the table. */
  void put(K key, S value) {
    if ((size + 1) * 2 > keys.length) {
      grow();
    }
    insert(key, value, spread(key.hashCode()));
    size++;
  }

  private void insert(Object key, Object value, int h) {
    int mask = keys.length - 1;
    int i = h & mask;
    while (keys[i] != null) {
      i = (i + 1) & mask;
    }
    keys[i] = key;
    values[i] = value;
    hashes[i] = h;
  }

  private void grow() {
    Object[] oldKeys = keys;
    Object[] oldValues = values;
    int[] oldHashes = hashes;
    keys = new Object[oldKeys.length * 2];
    values = new Object[oldKeys.length * 2];
    hashes = new int[oldKeys.length * 2];
    for (int i = 0; i < oldKeys.length; i++) {
      if (oldKeys[i] != null) {
        insert(oldKeys[i], oldValues[i], oldHashes[i]);
      }
    }
  }

  @SuppressWarnings("unchecked")
  void forEach(BiConsumer<K, S> action) {
    for (int i = 0; i < keys.length; i++) {
      if (keys[i] != null) {
        action.accept((K) keys[i], (S) values[i]);
      }
    }
  }

  /** Empties the table, keeping its capacity. */
  void clear() {
    Arrays.fill(keys, null);
    Arrays.fill(values, null);
    size = 0;
  }

  private static int spread(int h) {
    return h ^ (h >>> 16);
  }
}

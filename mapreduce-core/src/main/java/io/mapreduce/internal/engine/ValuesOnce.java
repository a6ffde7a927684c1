package io.mapreduce.internal.engine;

import java.util.Iterator;

/**
 * The values of one key as user code gets them (a reducer's, or a combiner's): an
 * {@link Iterable} that is its own iterator, so its {@code iterator()} may be called once.
 */
abstract class ValuesOnce<V> implements Iterable<V>, Iterator<V> {
  private boolean iterated;

  @Override
  public final Iterator<V> iterator() {
    if (iterated) {
      throw new IllegalStateException("the values of a key can be iterated only once");
    }
    iterated = true;
    return this;
  }

  /** Makes it iterable once more: for an instance reused for the next key. */
  final void rearm() {
    iterated = false;
  }
}

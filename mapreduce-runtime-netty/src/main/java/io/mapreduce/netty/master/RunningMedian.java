package io.mapreduce.netty.master;

import java.util.Collections;
import java.util.PriorityQueue;

/**
 * The median of the values added so far, in O(log n) per value: the lower half in a max-heap, the
 * upper half in a min-heap. (Sorting every finished duration at every tick, as the backup check
 * did, cost O(n log n) per second at the paper's scale.) Values are never removed: the durations
 * of maps whose output was later lost were real durations all the same.
 */
final class RunningMedian {
  private final PriorityQueue<Long> lower = new PriorityQueue<>(Collections.reverseOrder());
  private final PriorityQueue<Long> upper = new PriorityQueue<>();

  void add(long value) {
    if (lower.isEmpty() || value <= lower.peek()) {
      lower.add(value);
    } else {
      upper.add(value);
    }
    if (lower.size() > upper.size() + 1) {
      upper.add(lower.poll());
    } else if (upper.size() > lower.size()) {
      lower.add(upper.poll());
    }
  }

  int size() {
    return lower.size() + upper.size();
  }

  /**
   * The upper median (element {@code n / 2} of the values in order, as the backup check took it).
   *
   * @throws java.util.NoSuchElementException when empty
   */
  long median() {
    if (size() == 0) {
      throw new java.util.NoSuchElementException("no values");
    }
    // Element n/2 in order: with n odd the lower heap holds it; with n even, the upper heap's least.
    return size() % 2 == 1 ? lower.peek() : upper.peek();
  }
}

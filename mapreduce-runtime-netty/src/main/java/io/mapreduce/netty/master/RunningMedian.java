package io.mapreduce.netty.master;

import java.util.Arrays;

/**
 * The median of the values added so far, in O(log n) per value: the lower half in a max-heap, the
 * upper half in a min-heap. (Sorting every finished duration at every tick, as the backup check
 * did, cost O(n log n) per second at the paper's scale.) Values are never removed: the durations
 * of maps whose output was later lost were real durations all the same. The heaps hold primitive
 * longs: 8 bytes a value, where a {@code Long} in a {@code PriorityQueue} took about 28 (5 MB of the
 * master's heap for a job of 200,000 maps).
 */
final class RunningMedian {
  /** The lower half, negated: a min-heap of negated values is a max-heap of the values. */
  private final LongHeap lower = new LongHeap();
  private final LongHeap upper = new LongHeap();

  void add(long value) {
    if (lower.isEmpty() || value <= -lower.peek()) {
      lower.add(-value);
    } else {
      upper.add(value);
    }
    if (lower.size() > upper.size() + 1) {
      upper.add(-lower.poll());
    } else if (upper.size() > lower.size()) {
      lower.add(-upper.poll());
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
    return size() % 2 == 1 ? -lower.peek() : upper.peek();
  }

  /** A binary min-heap of longs. */
  private static final class LongHeap {
    private long[] heap = new long[16];
    private int size;

    boolean isEmpty() {
      return size == 0;
    }

    int size() {
      return size;
    }

    long peek() {
      return heap[0];
    }

    void add(long v) {
      if (size == heap.length) {
        heap = Arrays.copyOf(heap, size * 2);
      }
      int i = size++;
      while (i > 0 && heap[(i - 1) / 2] > v) {
        heap[i] = heap[(i - 1) / 2];
        i = (i - 1) / 2;
      }
      heap[i] = v;
    }

    long poll() {
      long top = heap[0];
      long last = heap[--size];
      int i = 0;
      while (2 * i + 1 < size) {
        int child = 2 * i + 1;
        if (child + 1 < size && heap[child + 1] < heap[child]) {
          child++;
        }
        if (heap[child] >= last) {
          break;
        }
        heap[i] = heap[child];
        i = child;
      }
      heap[i] = last;
      return top;
    }
  }
}

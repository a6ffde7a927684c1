package io.mapreduce.netty.master;

import java.util.Arrays;

/** A growable list of ints, four bytes each (a {@code List<Integer>} takes about twenty). */
final class IntList {
  private int[] values = new int[8];
  private int size;

  void add(int value) {
    if (size == values.length) {
      values = Arrays.copyOf(values, size * 2);
    }
    values[size++] = value;
  }

  int get(int i) {
    if (i >= size) {
      throw new IndexOutOfBoundsException(i + " of " + size);
    }
    return values[i];
  }

  int size() {
    return size;
  }
}

package io.mapreduce.netty.master;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Random;
import org.junit.jupiter.api.Test;

class RunningMedianTest {
  @Test
  void afterEveryValue_isElementHalfTheCountOfTheSortedValues() {
    Random random = new Random(7);
    RunningMedian median = new RunningMedian();
    List<Long> values = new ArrayList<>();
    for (int i = 0; i < 2_000; i++) {
      // Repeats, negatives and a skew, as task durations have.
      long v = i % 10 == 0 ? 5 : (long) (Math.exp(random.nextGaussian() * 2) * 1000) - 200;
      median.add(v);
      values.add(v);
      List<Long> sorted = new ArrayList<>(values);
      sorted.sort(null);
      assertThat(median.median()).as("after %d values", values.size()).isEqualTo(sorted.get(sorted.size() / 2));
      assertThat(median.size()).isEqualTo(values.size());
    }
  }

  @Test
  void empty_hasNoMedian() {
    assertThatThrownBy(() -> new RunningMedian().median()).isInstanceOf(NoSuchElementException.class);
  }
}

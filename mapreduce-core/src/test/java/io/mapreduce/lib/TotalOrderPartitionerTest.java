package io.mapreduce.lib;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

class TotalOrderPartitionerTest {
  public record Point(String name, long x) {}

  @Test
  void fromSamples_recordKeys_partitionsAreOrderedRanges() {
    Random r = new Random(1);
    List<Point> samples = new ArrayList<>();
    for (int i = 0; i < 1000; i++) {
      samples.add(new Point("n" + r.nextInt(50), r.nextInt(100)));
    }
    TotalOrderPartitioner<Point> p = TotalOrderPartitioner.fromSamples(Point.class, samples, 5, false);
    List<Point> sorted = new ArrayList<>(samples);
    sorted.sort(java.util.Comparator.comparing((Point q) -> q.name()).thenComparingLong(Point::x));
    int previous = 0;
    for (Point q : sorted) {
      int part = p.partition(q, 5);
      assertThat(part).as("%s", q).isGreaterThanOrEqualTo(previous).isBetween(0, 4);
      previous = part;
    }
    assertThat(previous).isEqualTo(4);
  }

  /** The embedded engine's map tasks share one partitioner: concurrent calls must not mix keys up. */
  @Test
  void partition_fromManyThreadsAtOnce_givesWhatOneThreadGives() throws Exception {
    Random r = new Random(2);
    List<Long> keys = new ArrayList<>();
    for (int i = 0; i < 200_000; i++) {
      keys.add(r.nextLong());
    }
    TotalOrderPartitioner<Long> p = TotalOrderPartitioner.fromSamples(Long.class, keys.subList(0, 1000), 16, true);
    int[] expected = new int[keys.size()];
    for (int i = 0; i < keys.size(); i++) {
      expected[i] = p.partition(keys.get(i), 16);
    }
    TotalOrderPartitioner<Long> shared = TotalOrderPartitioner.fromSamples(Long.class, keys.subList(0, 1000), 16, true);
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try {
      List<Future<Integer>> wrong = new ArrayList<>();
      for (int t = 0; t < 8; t++) {
        wrong.add(pool.submit(() -> {
          int bad = 0;
          for (int i = 0; i < keys.size(); i++) {
            if (shared.partition(keys.get(i), 16) != expected[i]) {
              bad++;
            }
          }
          return bad;
        }));
      }
      for (Future<Integer> f : wrong) {
        assertThat(f.get()).isZero();
      }
    } finally {
      pool.shutdownNow();
    }
  }
}

package io.mapreduce.internal.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ObjectCombiningTableTest {
  /** A combine that records every key's values and folds by summing, as a Long-sum combiner would. */
  private static ObjectCombiningTable.Combine<String, Long> summing(java.util.function.BiConsumer<String, Iterable<Long>> sink) {
    return new ObjectCombiningTable.Combine<>() {
      @Override
      public void combine(String key, Iterable<Long> values) {
        sink.accept(key, values);
      }

      @Override
      public Object fold(String key, Iterable<Long> copies) {
        long sum = 0;
        for (long c : copies) {
          sum += c;
        }
        return sum;
      }
    };
  }

  private static int size(String s) {
    return s.length() + 1;
  }

  private static int size(Long v) {
    return 8;
  }

  /** A combine that collects every value it gets, and whose folds all give {@code foldResult}, counted. */
  private static ObjectCombiningTable.Combine<String, Long> foldingInto(List<Long> seen, int[] folds, Object foldResult) {
    return new ObjectCombiningTable.Combine<>() {
      @Override
      public void combine(String key, Iterable<Long> values) {
        values.forEach(seen::add);
      }

      @Override
      public Object fold(String key, Iterable<Long> copies) {
        folds[0]++;
        return foldResult;
      }
    };
  }

  private static ObjectCombiningTable<String, Long> newTable() {
    return new ObjectCombiningTable<String, Long>(k -> size(k), v -> size(v));
  }

  /** Every key's values come back once, in the order they were added, runs and changes alike. */
  @Test
  void combineAll_replaysEachKeysValuesInTheirOrder_againstAListPerKey() {
    ObjectCombiningTable<String, Long> table = newTable();
    Map<String, List<Long>> oracle = new LinkedHashMap<>();
    Random random = new Random(7);
    long bytes = 0;
    for (int i = 0; i < 200_000; i++) {
      // Thousands of keys (the index grows and rehashes); values often repeat, as counts do, in
      // runs too short to be folded, so that the values come back exactly as they were added.
      String key = "k" + random.nextInt(3000);
      Long value = random.nextInt(10) < 8 ? Long.valueOf(random.nextInt(3)) : Long.valueOf(random.nextInt(1000) + 1000);
      table.add(key, value);
      oracle.computeIfAbsent(key, k -> new ArrayList<>()).add(value);
      bytes += size(key) + size(value);
    }
    assertThat(table.size()).isEqualTo(oracle.size());
    assertThat(table.inputs()).isEqualTo(200_000);
    Map<String, List<Long>> seen = new LinkedHashMap<>();
    long combinedBytes = table.combineAll(summing((k, values) -> {
      List<Long> got = new ArrayList<>();
      values.forEach(got::add);
      assertThat(seen.put(k, got)).as("key %s combined twice", k).isNull();
    }));
    assertThat(seen).isEqualTo(oracle);
    assertThat(combinedBytes).isEqualTo(bytes);
    assertThat(table.isEmpty()).isTrue();
    assertThat(table.footprint()).isZero();
  }

  /** A value equal to the run's, but another object, joins the run: values are value-like. */
  @Test
  void add_equalValueOfAnotherIdentity_extendsTheRunWithoutGrowingTheTable() {
    ObjectCombiningTable<String, Long> table = newTable();
    table.add("w", 5000L);
    long afterFirst = table.footprint();
    for (int i = 0; i < 1000; i++) {
      table.add("w", Long.valueOf(5000L));
    }
    assertThat(table.footprint()).isEqualTo(afterFirst);
    table.add("w", 7L);
    // The closed run of 5000s: its entry, and its value at twice its encoded size (8 here).
    assertThat(table.footprint()).isEqualTo(afterFirst + ObjectCombiningTable.RUN_BYTES + 2 * 8);
    List<Long> got = new ArrayList<>();
    table.combineAll(summing((k, values) -> values.forEach(got::add)));
    // One run of 1001 equal values (folded by the sum), then the 7.
    assertThat(got).hasSizeLessThan(40).endsWith(7L);
    assertThat(got.stream().mapToLong(Long::longValue).sum()).isEqualTo(1001 * 5000L + 7);
  }

  @Test
  void combineAll_valuesIterateOnce_asAReduceGroupsDo() {
    ObjectCombiningTable<String, Long> table = newTable();
    table.add("a", 1L);
    table.combineAll(summing((k, values) -> {
      values.iterator().next();
      assertThatThrownBy(values::iterator).isInstanceOf(IllegalStateException.class);
    }));
  }

  /** The table is reused after a combine: the same keys start afresh. */
  @Test
  void add_afterCombineAll_startsFromAnEmptyTable() {
    ObjectCombiningTable<String, Long> table = newTable();
    long firstBytes = 0;
    for (int i = 0; i < 5000; i++) {
      table.add("k" + (i % 100), 1L);
      firstBytes += size("k" + (i % 100)) + 8;
    }
    assertThat(table.combineAll(summing((k, values) -> { }))).isEqualTo(firstBytes);
    table.add("k1", 2L);
    Map<String, List<Long>> seen = new LinkedHashMap<>();
    long bytes = table.combineAll(summing((k, values) -> {
      List<Long> got = new ArrayList<>();
      values.forEach(got::add);
      seen.put(k, got);
    }));
    assertThat(seen).containsExactly(Map.entry("k1", List.of(2L)));
    assertThat(bytes).isEqualTo(size("k1") + 8);
  }

  /** A long run reaches the combiner folded: a few values with the same sum, not every copy. */
  @Test
  void combineAll_longRunsFoldedBySum_fewValuesWithTheSameSum() {
    ObjectCombiningTable<String, Long> table = newTable();
    for (int i = 0; i < 1_000_003; i++) {
      table.add("the", 1L);
      if (i % 1000 == 0) {
        table.add("rare", 5L);
      }
    }
    table.add("the", 7L);
    Map<String, List<Long>> seen = new LinkedHashMap<>();
    long bytes = table.combineAll(summing((k, values) -> {
      List<Long> got = new ArrayList<>();
      values.forEach(got::add);
      seen.put(k, got);
    }));
    assertThat(seen.get("the").stream().mapToLong(Long::longValue).sum()).isEqualTo(1_000_003 + 7);
    assertThat(seen.get("the")).hasSizeLessThan(100).endsWith(7L);
    assertThat(seen.get("rare").stream().mapToLong(Long::longValue).sum()).isEqualTo(1001 * 5);
    // The emitted bytes are counted as emitted, not as folded.
    assertThat(bytes).isEqualTo((1_000_004L) * (size("the") + 8) + 1001L * (size("rare") + 8));
  }

  /**
   * A combiner that gives back nothing for the copies drops them; one that gives back anything
   * but one value (its output has gone on) ends folding: the rest of the run is replayed.
   */
  @Test
  void combineAll_foldGivingNothingOrMore_dropsTheRunOrReplaysTheRest() {
    ObjectCombiningTable<String, Long> table = newTable();
    for (int i = 0; i < 100; i++) {
      table.add("dropped", 1L);
    }
    List<Long> seen = new ArrayList<>();
    int[] folds = new int[1];
    table.combineAll(foldingInto(seen, folds, ObjectCombiningTable.NOTHING));
    // 100 = 6 * 16 + 4: one fold said the copies give nothing, so all 96 go; the four left come through.
    assertThat(seen).containsExactly(1L, 1L, 1L, 1L);
    assertThat(folds[0]).isEqualTo(1);

    for (int i = 0; i < 100; i++) {
      table.add("more", 1L);
    }
    for (int i = 0; i < 40; i++) {
      table.add("later", 2L);
    }
    seen.clear();
    folds[0] = 0;
    table.combineAll(foldingInto(seen, folds, null));
    // One fold was tried and went on as output of its own: the other 84 ones and every later
    // value are replayed as they came.
    assertThat(folds[0]).isEqualTo(1);
    assertThat(seen).hasSize(84 + 40);
  }

  /** A combiner that throws on one key: the next combine goes on after it, never repeating a key. */
  @Test
  void combineAll_afterTheCombinerThrew_goesOnAfterTheKeyItThrewOn() {
    ObjectCombiningTable<String, Long> table = newTable();
    for (String k : List.of("a", "b", "c")) {
      table.add(k, 1L);
    }
    List<String> combined = new ArrayList<>();
    assertThatThrownBy(() -> table.combineAll(summing((k, values) -> {
      if (k.equals("b")) {
        throw new IllegalStateException("bad b");
      }
      combined.add(k);
    }))).hasMessage("bad b");
    long bytes = table.combineAll(summing((k, values) -> combined.add(k)));
    assertThat(combined).containsExactly("a", "c");
    assertThat(table.isEmpty()).isTrue();
    // The bytes counted before the combiner threw are returned, once, by the call that finished.
    assertThat(bytes).isEqualTo(3L * (size("a") + 8));
  }
}

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
  private static int size(String s) {
    return s.length() + 1;
  }

  private static int size(Long v) {
    return 8;
  }

  /** Every key's values come back once, in the order they were added, runs and changes alike. */
  @Test
  void combineAll_replaysEachKeysValuesInTheirOrder_againstAListPerKey() {
    ObjectCombiningTable<String, Long> table = new ObjectCombiningTable<>(ObjectCombiningTableTest::size);
    Map<String, List<Long>> oracle = new LinkedHashMap<>();
    Random random = new Random(7);
    long bytes = 0;
    for (int i = 0; i < 200_000; i++) {
      // Thousands of keys (the index grows and rehashes); values mostly repeat, as counts do.
      String key = "k" + random.nextInt(3000);
      Long value = random.nextInt(10) < 8 ? Long.valueOf(1) : Long.valueOf(random.nextInt(1000) + 1000);
      table.add(key, value, ObjectCombiningTableTest::size);
      oracle.computeIfAbsent(key, k -> new ArrayList<>()).add(value);
      bytes += size(key) + size(value);
    }
    assertThat(table.size()).isEqualTo(oracle.size());
    assertThat(table.inputs()).isEqualTo(200_000);
    Map<String, List<Long>> seen = new LinkedHashMap<>();
    table.combineAll((k, values) -> {
      List<Long> got = new ArrayList<>();
      values.forEach(got::add);
      assertThat(seen.put(k, got)).as("key %s combined twice", k).isNull();
    });
    assertThat(seen).isEqualTo(oracle);
    assertThat(table.inputBytes()).isEqualTo(bytes);
    assertThat(table.isEmpty()).isTrue();
    assertThat(table.footprint()).isZero();
  }

  /** A value equal to the run's, but another object, joins the run: values are value-like. */
  @Test
  void add_equalValueOfAnotherIdentity_extendsTheRunWithoutGrowingTheTable() {
    ObjectCombiningTable<String, Long> table = new ObjectCombiningTable<>(ObjectCombiningTableTest::size);
    table.add("w", 5000L, ObjectCombiningTableTest::size);
    long afterFirst = table.footprint();
    for (int i = 0; i < 1000; i++) {
      table.add("w", Long.valueOf(5000L), ObjectCombiningTableTest::size);
    }
    assertThat(table.footprint()).isEqualTo(afterFirst);
    table.add("w", 7L, ObjectCombiningTableTest::size);
    assertThat(table.footprint()).isEqualTo(afterFirst + ObjectCombiningTable.RUN_BYTES);
    List<Long> got = new ArrayList<>();
    table.combineAll((k, values) -> values.forEach(got::add));
    assertThat(got).hasSize(1002).startsWith(5000L, 5000L).endsWith(5000L, 7L);
  }

  @Test
  void combineAll_valuesIterateOnce_asAReduceGroupsDo() {
    ObjectCombiningTable<String, Long> table = new ObjectCombiningTable<>(ObjectCombiningTableTest::size);
    table.add("a", 1L, ObjectCombiningTableTest::size);
    table.combineAll((k, values) -> {
      values.iterator().next();
      assertThatThrownBy(values::iterator).isInstanceOf(IllegalStateException.class);
    });
  }

  /** The table is reused after a combine: the same keys start afresh. */
  @Test
  void add_afterCombineAll_startsFromAnEmptyTable() {
    ObjectCombiningTable<String, Long> table = new ObjectCombiningTable<>(ObjectCombiningTableTest::size);
    for (int i = 0; i < 5000; i++) {
      table.add("k" + (i % 100), 1L, ObjectCombiningTableTest::size);
    }
    table.combineAll((k, values) -> { });
    table.resetInputBytes();
    table.add("k1", 2L, ObjectCombiningTableTest::size);
    Map<String, List<Long>> seen = new LinkedHashMap<>();
    table.combineAll((k, values) -> {
      List<Long> got = new ArrayList<>();
      values.forEach(got::add);
      seen.put(k, got);
    });
    assertThat(seen).containsExactly(Map.entry("k1", List.of(2L)));
    assertThat(table.inputBytes()).isEqualTo(size("k1") + 8);
  }
}

package io.mapreduce.internal.shuffle;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class KeyTableTest {

  private static int hash(byte[] k) {
    return Arrays.hashCode(k);
  }

  private static Map<String, List<String>> contents(KeyTable table) {
    Map<String, List<String>> m = new HashMap<>();
    for (int e = 0; e < table.size(); e++) {
      String key = new String(table.keyArray(), table.keyOffset(e), table.keyLength(e), UTF_8);
      List<String> values = new ArrayList<>();
      for (int n = table.firstValue(e); n >= 0; n = table.nextValue(n)) {
        values.add(new String(table.valueArray(), table.valueOffset(n), table.valueLength(n), UTF_8));
      }
      assertThat(values).hasSize(table.valueCount(e));
      assertThat(m.put(key, values)).as("key %s in two entries", key).isNull();
    }
    return m;
  }

  @Test
  void add_randomKeys_groupsValuesInEmitOrderLikeAHashMap() {
    Random random = new Random(7);
    KeyTable table = new KeyTable();
    Map<String, List<String>> oracle = new HashMap<>();
    for (int i = 0; i < 50_000; i++) {
      String key = "k" + random.nextInt(3000) + (random.nextBoolean() ? "" : "\0");
      String value = "v" + i;
      byte[] k = key.getBytes(UTF_8);
      byte[] v = value.getBytes(UTF_8);
      table.add(k, 0, k.length, hash(k), v, 0, v.length);
      oracle.computeIfAbsent(key, x -> new ArrayList<>()).add(value);
    }
    assertThat(contents(table)).isEqualTo(oracle);
  }

  @Test
  void add_keysWithEqualHashes_stayApart() {
    KeyTable table = new KeyTable();
    for (String key : List.of("a", "b", "c", "a", "ab")) {
      byte[] k = key.getBytes(UTF_8);
      table.add(k, 0, k.length, 42, k, 0, k.length);
    }
    assertThat(contents(table)).containsOnlyKeys("a", "b", "c", "ab").containsEntry("a", List.of("a", "a"));
  }

  @Test
  void resetValuesThenAppend_replacesTheChain() {
    KeyTable table = new KeyTable();
    byte[] k = {1, 2};
    int e = table.add(k, 0, 2, 5, new byte[] {'x'}, 0, 1);
    table.add(k, 0, 2, 5, new byte[] {'y'}, 0, 1);
    long before = table.footprint();
    table.resetValues(e);
    assertThat(table.valueCount(e)).isZero();
    assertThat(table.firstValue(e)).isNegative();
    table.append(e, new byte[] {'z'}, 0, 1);
    assertThat(table.valueCount(e)).isEqualTo(1);
    assertThat(table.valueArray()[table.valueOffset(table.firstValue(e))]).isEqualTo((byte) 'z');
    assertThat(table.footprint()).as("replaced values stay as garbage until clear").isGreaterThan(before);
  }

  @Test
  void clear_emptiesAndFreesTheFootprintForReuse() {
    KeyTable table = new KeyTable();
    for (int i = 0; i < 10_000; i++) {
      byte[] k = ("key" + i).getBytes(UTF_8);
      table.add(k, 0, k.length, hash(k), k, 0, k.length);
    }
    long full = table.footprint();
    table.clear();
    assertThat(table.size()).isZero();
    assertThat(table.footprint()).isLessThan(full / 4);
    byte[] k = "again".getBytes(UTF_8);
    table.add(k, 0, k.length, hash(k), k, 0, k.length);
    assertThat(contents(table)).containsExactly(Map.entry("again", List.of("again")));
  }
}

package io.mapreduce.internal.shuffle;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class LongSumTableTest {
  private static Map<String, Long> contents(LongSumTable t) {
    Map<String, Long> m = new LinkedHashMap<>();
    for (int e = 0; e < t.size(); e++) {
      m.put(new String(t.keyArray(), t.keyOffset(e), t.keyLength(e), StandardCharsets.ISO_8859_1), t.sum(e));
    }
    return m;
  }

  @Test
  void add_manyKeysOfAnyLength_sumsEqualAHashMapsAndKeysKeepFirstSeenOrder() {
    Random random = new Random(3);
    LongSumTable table = new LongSumTable();
    Map<String, Long> oracle = new LinkedHashMap<>();
    byte[] buffer = new byte[64];
    for (int i = 0; i < 200_000; i++) {
      // Keys at an offset in a larger array, 0 to 40 bytes, many shared prefixes and repeats.
      int length = random.nextInt(random.nextBoolean() ? 6 : 41);
      int offset = random.nextInt(8);
      for (int j = 0; j < length; j++) {
        buffer[offset + j] = (byte) (random.nextInt(3) == 0 ? random.nextInt(256) : 'a' + random.nextInt(3));
      }
      long value = random.nextInt(5) - 1 + (random.nextInt(100) == 0 ? Long.MAX_VALUE : 0);
      table.add(buffer, offset, length, value);
      oracle.merge(new String(buffer, offset, length, StandardCharsets.ISO_8859_1), value, Long::sum);
    }
    assertThat(table.size()).isEqualTo(oracle.size()).isGreaterThan(10_000);
    assertThat(contents(table)).containsExactlyEntriesOf(oracle);
    assertThat(table.footprint()).isGreaterThan(oracle.size() * 20L);
  }

  @Test
  void clear_emptiesAndTheTableWorksAgain() {
    LongSumTable table = new LongSumTable();
    byte[] a = "word".getBytes(StandardCharsets.US_ASCII);
    table.add(a, 0, 4, 2);
    table.add(a, 0, 4, 3);
    table.add(a, 0, 0, 7);
    Map<String, Long> expected = new LinkedHashMap<>();
    expected.put("word", 5L);
    expected.put("", 7L);
    assertThat(contents(table)).containsExactlyEntriesOf(expected);
    table.clear();
    assertThat(table.size()).isZero();
    table.add(a, 1, 3, 1);
    assertThat(contents(table)).containsExactlyEntriesOf(Map.of("ord", 1L));
  }
}

package io.mapreduce.internal.shuffle;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The map-side buffer: a stable sort by (partition, unsigned key bytes) within a byte budget. */
class SortBufferTest {
  private static final int PARTITIONS = 5;

  @ParameterizedTest(name = "{0} records")
  @ValueSource(ints = {0, 1, 2, 16, 17, 33, 100, 1000, 5000})
  void sort_randomRecords_eachPartitionEqualsStableOracleSort(int count) throws IOException {
    Random r = new Random(count);
    List<Rec> records = Rec.random(r, count, PARTITIONS);
    SortBuffer buffer = new SortBuffer(64 << 20);
    addAll(buffer, records);
    assertThat(buffer.count()).isEqualTo(count);
    assertThat(buffer.isEmpty()).isEqualTo(count == 0);
    assertThat(buffer.dataBytes()).isEqualTo(dataBytes(records));

    buffer.sort();
    assertThat(sortedContents(buffer)).containsExactlyElementsOf(Rec.stableSorted(records, Rec.BY_PARTITION_THEN_KEY));
  }

  @ParameterizedTest(name = "seed {0}")
  @ValueSource(ints = {1, 2, 3})
  void sort_keysSharingLongPrefixesAndZeroTails_equalsStableOracleSort(int seed) throws IOException {
    // Ties past the 4-byte prefix go through chunked sorts at every depth; zero bytes and keys
    // that extend others by zeros are what zero padding must not misorder.
    Random r = new Random(seed);
    byte[][] stems = {"common-prefix-of-many-lines:".getBytes(), "common-prefix-".getBytes(), new byte[40], {}};
    List<Rec> records = new ArrayList<>();
    for (int i = 0; i < 3000; i++) {
      byte[] stem = stems[r.nextInt(stems.length)];
      byte[] key = java.util.Arrays.copyOf(stem, stem.length + r.nextInt(6));
      for (int j = stem.length; j < key.length; j++) {
        key[j] = (byte) (r.nextInt(4) == 0 ? 0 : r.nextInt(3) + 'a');
      }
      records.add(new Rec(r.nextInt(2), key, Integer.toString(i).getBytes()));
    }
    SortBuffer buffer = new SortBuffer(64 << 20);
    addAll(buffer, records);
    buffer.sort();
    assertThat(sortedContents(buffer)).containsExactlyElementsOf(Rec.stableSorted(records, Rec.BY_PARTITION_THEN_KEY));
  }

  @Test
  void sort_repeatedWordsAndTheirZeroExtensions_equalsStableOracleSort() throws IOException {
    // Runs of one repeated key end the tie sorts early; keys that extend them by zeros must still
    // come after them, at every length around the 4-byte chunks.
    byte[][] words = {"ab".getBytes(), {'a', 'b', 0}, {'a', 'b', 0, 0}, "abcd".getBytes(), {'a', 'b', 'c', 'd', 0},
        "abcdefgh".getBytes(), {'a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 0}, "abcdefghi".getBytes(), {}, {0}};
    Random r = new Random(9);
    List<Rec> records = new ArrayList<>();
    for (int i = 0; i < 5000; i++) {
      records.add(new Rec(r.nextInt(2), words[r.nextInt(words.length)].clone(), Integer.toString(i).getBytes()));
    }
    SortBuffer buffer = new SortBuffer(64 << 20);
    addAll(buffer, records);
    buffer.sort();
    assertThat(sortedContents(buffer)).containsExactlyElementsOf(Rec.stableSorted(records, Rec.BY_PARTITION_THEN_KEY));
  }

  @Test
  void sort_allKeysEqual_keepsEmissionOrder() throws IOException {
    List<Rec> records = new ArrayList<>();
    for (int i = 0; i < 300; i++) {
      records.add(new Rec(i % 2, new byte[] {7, 7}, ("v" + i).getBytes()));
    }
    SortBuffer buffer = new SortBuffer(1 << 20);
    addAll(buffer, records);
    buffer.sort();
    assertThat(Rec.drain(buffer.partition(0), 0)).containsExactlyElementsOf(records.stream().filter(x -> x.partition() == 0).toList());
    assertThat(Rec.drain(buffer.partition(1), 1)).containsExactlyElementsOf(records.stream().filter(x -> x.partition() == 1).toList());
  }

  @Test
  void sort_keysDifferingOnlyInHighBytes_compareUnsigned() throws IOException {
    SortBuffer buffer = new SortBuffer(1 << 20);
    byte[][] keys = {{(byte) 0xff}, {0x7f}, {(byte) 0x80}, {}, {0}, {0, 0}, {(byte) 0x80, 0}};
    for (byte[] k : keys) {
      buffer.add(0, k, 0, k.length, new byte[0], 0, 0);
    }
    buffer.sort();
    List<Rec> sorted = Rec.drain(buffer.partition(0), 0);
    assertThat(sorted).extracting(Rec::key).containsExactly(
        new byte[] {}, new byte[] {0}, new byte[] {0, 0}, new byte[] {0x7f}, new byte[] {(byte) 0x80},
        new byte[] {(byte) 0x80, 0}, new byte[] {(byte) 0xff});
  }

  @Test
  void add_recordsAtOffsetsInLargerArrays_copiesOnlyTheirRanges() throws IOException {
    byte[] k = "XXkeyXX".getBytes();
    byte[] v = "YYYvalueYYY".getBytes();
    SortBuffer buffer = new SortBuffer(1 << 20);
    buffer.add(3, k, 2, 3, v, 3, 5);
    buffer.sort();
    assertThat(Rec.drain(buffer.partition(3), 3)).containsExactly(new Rec(3, "key".getBytes(), "value".getBytes()));
    assertThat(buffer.dataBytes()).isEqualTo(8);
  }

  @Test
  void partition_unusedPartitions_areEmpty() throws IOException {
    SortBuffer buffer = new SortBuffer(1 << 20);
    buffer.add(2, new byte[] {1}, 0, 1, new byte[] {2}, 0, 1);
    buffer.sort();
    assertThat(Rec.drain(buffer.partition(0), 0)).isEmpty();
    assertThat(Rec.drain(buffer.partition(1), 1)).isEmpty();
    assertThat(Rec.drain(buffer.partition(2), 2)).hasSize(1);
    assertThat(Rec.drain(buffer.partition(3), 3)).isEmpty();
    assertThat(Rec.drain(buffer.partition(99), 99)).isEmpty();
  }

  @Test
  void add_budgetFull_returnsFalseAndAddsNothing() throws IOException {
    long budget = 10_000;
    SortBuffer buffer = new SortBuffer(budget);
    List<Rec> accepted = new ArrayList<>();
    Random r = new Random(12);
    Rec refused = null;
    for (int i = 0; i < 10_000 && refused == null; i++) {
      Rec rec = new Rec(r.nextInt(3), new byte[] {(byte) r.nextInt(256)}, new byte[99]);
      long before = buffer.dataBytes();
      if (buffer.add(rec.partition(), rec.key(), 0, 1, rec.value(), 0, 99)) {
        accepted.add(rec);
      } else {
        refused = rec;
        assertThat(buffer.count()).isEqualTo(accepted.size());
        assertThat(buffer.dataBytes()).isEqualTo(before);
      }
    }
    assertThat(refused).as("the buffer filled up").isNotNull();
    // The records' bytes alone never exceed the budget, and the budget is not mostly wasted.
    assertThat(buffer.dataBytes()).isLessThanOrEqualTo(budget).isGreaterThanOrEqualTo(budget / 4);
    // Refused again: nothing was freed.
    assertThat(buffer.add(0, new byte[1], 0, 1, new byte[99], 0, 99)).isFalse();

    buffer.sort();
    assertThat(sortedContents(buffer)).containsExactlyElementsOf(Rec.stableSorted(accepted, Rec.BY_PARTITION_THEN_KEY));
  }

  @Test
  void add_oversizedRecordIntoEmptyBuffer_isAcceptedAndThenTheBufferIsFull() throws IOException {
    SortBuffer buffer = new SortBuffer(100);
    byte[] big = new byte[10_000];
    new Random(13).nextBytes(big);
    assertThat(buffer.add(1, big, 0, 10, big, 10, 9_990)).isTrue();
    assertThat(buffer.count()).isEqualTo(1);
    assertThat(buffer.add(1, new byte[1], 0, 1, new byte[0], 0, 0)).isFalse();
    assertThat(buffer.count()).isEqualTo(1);

    buffer.sort();
    List<Rec> out = Rec.drain(buffer.partition(1), 1);
    assertThat(out).hasSize(1);
    assertThat(out.get(0).key()).isEqualTo(Arrays.copyOfRange(big, 0, 10));
    assertThat(out.get(0).value()).isEqualTo(Arrays.copyOfRange(big, 10, 10_000));
  }

  @Test
  void clear_thenReuse_holdsOnlyTheNewRecordsSorted() throws IOException {
    SortBuffer buffer = new SortBuffer(50_000);
    Random r = new Random(14);
    for (int round = 0; round < 5; round++) {
      List<Rec> accepted = new ArrayList<>();
      // Rounds alternate between filling the buffer and using a little of it.
      int attempts = round % 2 == 0 ? 100_000 : 1 + r.nextInt(30);
      for (Rec rec : Rec.random(r, attempts, PARTITIONS)) {
        if (!buffer.add(rec.partition(), rec.key(), 0, rec.key().length, rec.value(), 0, rec.value().length)) {
          break;
        }
        accepted.add(rec);
      }
      assertThat(buffer.count()).isEqualTo(accepted.size());
      assertThat(buffer.dataBytes()).isEqualTo(dataBytes(accepted));
      buffer.sort();
      assertThat(sortedContents(buffer)).as("round %d", round)
          .containsExactlyElementsOf(Rec.stableSorted(accepted, Rec.BY_PARTITION_THEN_KEY));

      buffer.clear();
      assertThat(buffer.isEmpty()).isTrue();
      assertThat(buffer.count()).isZero();
      assertThat(buffer.dataBytes()).isZero();
      buffer.sort();
      assertThat(sortedContents(buffer)).isEmpty();
    }
  }

  @Test
  void sort_twice_sameResult() throws IOException {
    List<Rec> records = Rec.random(new Random(15), 200, PARTITIONS);
    SortBuffer buffer = new SortBuffer(1 << 20);
    addAll(buffer, records);
    buffer.sort();
    List<Rec> first = sortedContents(buffer);
    buffer.sort();
    assertThat(sortedContents(buffer)).isEqualTo(first);
  }

  private static void addAll(SortBuffer buffer, List<Rec> records) {
    for (Rec rec : records) {
      assertThat(buffer.add(rec.partition(), rec.key(), 0, rec.key().length, rec.value(), 0, rec.value().length))
          .isTrue();
    }
  }

  /** All partitions' records, in partition order; also checks that each stream stays in its partition. */
  private static List<Rec> sortedContents(SortBuffer buffer) throws IOException {
    List<Rec> out = new ArrayList<>();
    for (int p = 0; p < PARTITIONS; p++) {
      RecordStream s = buffer.partition(p);
      out.addAll(Rec.drain(s, p));
      assertThat(s.next()).isFalse();
    }
    return out;
  }

  private static long dataBytes(List<Rec> records) {
    return records.stream().mapToLong(x -> x.key().length + x.value().length).sum();
  }
}

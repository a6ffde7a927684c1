package io.mapreduce.internal.io;

import static io.mapreduce.internal.io.PairsFiles.expected;
import static io.mapreduce.internal.io.PairsFiles.readSplits;
import static org.assertj.core.api.Assertions.assertThat;

import io.mapreduce.internal.io.PairsFiles.Pair;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.TreeSet;
import java.util.stream.LongStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A pairs file cut into splits anywhere: the splits' records, concatenated in split order, are
 * exactly the records written, in order, each once. The oracle is the list that was written.
 */
class PairsSplitsTest {
  private static byte[] file;
  private static List<Pair> written;

  /** About 1 MB: short and long keys (one- and two-byte varints), and two records over a block. */
  @BeforeAll
  static void writeFile() throws IOException {
    Random random = new Random(3);
    List<String> keys = new ArrayList<>();
    List<Long> values = new ArrayList<>();
    int bytes = 0;
    while (bytes < 1_000_000) {
      int length = random.nextInt(50) == 0 ? 100 + random.nextInt(200) : 1 + random.nextInt(12);
      if (keys.size() == 20_000 || keys.size() == 20_001) {
        length = PairsFormat.BLOCK_SIZE + random.nextInt(1000);
      }
      StringBuilder key = new StringBuilder();
      for (int i = 0; i < length; i++) {
        key.append((char) ('a' + random.nextInt(26)));
      }
      keys.add(key.toString());
      values.add(random.nextLong());
      bytes += length + 10;
    }
    file = PairsFiles.write(String.class, Long.class, keys, values);
    written = expected(keys, values);
    assertThat(PairsFiles.parse(file).blocks()).hasSizeGreaterThan(14);
  }

  @Test
  void splits_ofFixedSizes_coverEveryRecordOnceInOrder() throws IOException {
    int[] sizes = {1, 7, 1000, PairsFormat.BLOCK_SIZE - 1, PairsFormat.BLOCK_SIZE, PairsFormat.BLOCK_SIZE + 1,
        3 * PairsFormat.BLOCK_SIZE + 17, file.length - 1, file.length, file.length + 1};
    for (int size : sizes) {
      long[] cuts = LongStream.iterate(0, c -> c < file.length, c -> c + size).toArray();
      cuts = append(cuts, file.length);
      assertSameRecords(readSplits(file, cuts, String.class, Long.class), "splits of " + size + " bytes");
    }
  }

  @Test
  void splits_atRandomCutPoints_coverEveryRecordOnceInOrder() throws IOException {
    Random random = new Random(4);
    for (int round = 0; round < 20; round++) {
      TreeSet<Long> cuts = new TreeSet<>(List.of(0L, (long) file.length));
      int n = 1 + random.nextInt(40);
      for (int i = 0; i < n; i++) {
        cuts.add((long) random.nextInt(file.length));
      }
      long[] points = cuts.stream().mapToLong(Long::longValue).toArray();
      assertSameRecords(readSplits(file, points, String.class, Long.class), "cuts " + cuts);
    }
  }

  @Test
  void splits_cutAroundEveryBlockBoundaryAndInsideMarkers_coverEveryRecordOnce() throws IOException {
    // A split may start inside the header, at a marker, inside one, or just after it.
    TreeSet<Long> cuts = new TreeSet<>(List.of(0L, (long) file.length));
    for (PairsFiles.Block b : PairsFiles.parse(file).blocks()) {
      for (int d : new int[] {-1, 0, 1, 8, 15, 16, 17}) {
        cuts.add((long) b.offset() + d);
      }
    }
    cuts.add(3L);
    long[] points = cuts.stream().mapToLong(Long::longValue).toArray();
    assertSameRecords(readSplits(file, points, String.class, Long.class), "cuts " + cuts);
  }

  @Test
  void split_endingInsideTheHeader_ownsNoBlock() throws IOException {
    int headerLength = PairsFiles.parse(file).headerLength();
    assertThat(readSplits(file, new long[] {0, headerLength}, String.class, Long.class)).isEmpty();
    assertThat(readSplits(file, new long[] {5, headerLength + 1}, String.class, Long.class))
        .isEqualTo(readSplits(file, new long[] {0, headerLength + 1}, String.class, Long.class))
        .isNotEmpty();
  }

  /** Like AssertJ's containsExactly, in linear time, and saying where the lists first differ. */
  private static void assertSameRecords(List<Pair> read, String what) {
    int same = 0;
    while (same < Math.min(read.size(), written.size()) && read.get(same).equals(written.get(same))) {
      same++;
    }
    assertThat(same == read.size() && same == written.size())
        .as("%s: read %d records, wrote %d; first difference at record %d: read %s, wrote %s", what, read.size(),
            written.size(), same, same < read.size() ? read.get(same) : "nothing",
            same < written.size() ? written.get(same) : "nothing")
        .isTrue();
  }

  private static long[] append(long[] cuts, long last) {
    long[] out = java.util.Arrays.copyOf(cuts, cuts.length + 1);
    out[cuts.length] = last;
    return out;
  }
}

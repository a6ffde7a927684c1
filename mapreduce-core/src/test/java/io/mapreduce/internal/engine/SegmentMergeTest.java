package io.mapreduce.internal.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.mapreduce.internal.shuffle.MergingStream;
import io.mapreduce.internal.shuffle.RunWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Merges of many segments: in one pass when few files and little memory, else in passes; always sorted and whole. */
class SegmentMergeTest {
  @TempDir
  Path dir;

  private final TaskAttempt attempt = new TaskAttempt("job", "r-00000", 1, null, 1, () -> false);

  private static byte[] key(int i) {
    return String.format("key-%06d", i).getBytes(StandardCharsets.UTF_8);
  }

  /** {@code segments} segments in {@code files} run files, segment s holding keys s, s + n, s + 2n... */
  private List<Segment> write(int segments, int files, int keysEach) throws IOException {
    List<Segment> out = new ArrayList<>();
    int perFile = segments / files;
    for (int f = 0; f < files; f++) {
      Path run = dir.resolve("run-" + f);
      RunWriter w = new RunWriter(run, perFile);
      try (w) {
        for (int p = 0; p < perFile; p++) {
          w.startPartition(p);
          int s = f * perFile + p;
          for (int k = 0; k < keysEach; k++) {
            byte[] key = key(s + k * segments);
            w.append(key, 0, key.length, new byte[] {1}, 0, 1);
          }
        }
      }
      for (int p = 0; p < perFile; p++) {
        out.add(new Segment(run, w.index(), p));
      }
    }
    return out;
  }

  private static List<String> keys(MergingStream merged) throws IOException {
    List<String> keys = new ArrayList<>();
    try (merged) {
      while (merged.next()) {
        keys.add(new String(merged.keyArray(), merged.keyOffset(), merged.keyLength(), StandardCharsets.UTF_8));
      }
    }
    return keys;
  }

  private static List<String> expected(int n) {
    return Stream.iterate(0, i -> i + 1).limit(n).map(i -> new String(key(i), StandardCharsets.UTF_8)).toList();
  }

  private long passFiles() throws IOException {
    Path passes = dir.resolve("passes");
    if (!Files.exists(passes)) {
      return 0;
    }
    try (var files = Files.list(passes)) {
      return files.count();
    }
  }

  @Test
  void thousandsOfSmallSegmentsInOneFile_mergeInOnePass() throws IOException {
    List<Segment> segments = write(2000, 1, 3);
    List<Segment> left = Segment.mergeToFactor(segments, dir.resolve("passes"), "r", false, attempt);
    assertThat(left).hasSize(2000);
    assertThat(passFiles()).isZero();
    assertThat(keys(Segment.merge(left))).isEqualTo(expected(6000));
  }

  @Test
  void segmentsInMoreFilesThanOneMergeMayOpen_mergeInPasses() throws IOException {
    List<Segment> segments = write(Segment.MERGE_FILES + 44, Segment.MERGE_FILES + 44, 5);
    List<Segment> left = Segment.mergeToFactor(segments, dir.resolve("passes"), "r", false, attempt);
    assertThat(left.stream().map(Segment::data).distinct().count()).isLessThanOrEqualTo(Segment.MERGE_FILES);
    assertThat(passFiles()).isPositive();
    assertThat(keys(Segment.merge(left))).isEqualTo(expected((Segment.MERGE_FILES + 44) * 5));
  }

  @Test
  void moreTinySegmentsThanOneMergesMemoryHolds_mergeInFewLargePasses_notSixtyFourAtATime() throws IOException {
    int n = 100_000; // about 46 MB of readers at once: over MERGE_MEMORY
    List<Segment> segments = write(n, 1, 1);
    List<Segment> left = Segment.mergeToFactor(segments, dir.resolve("passes"), "r", false, attempt);
    assertThat(passFiles()).as("passes").isBetween(1L, 3L);
    assertThat(keys(Segment.merge(left))).isEqualTo(expected(n));
  }
}

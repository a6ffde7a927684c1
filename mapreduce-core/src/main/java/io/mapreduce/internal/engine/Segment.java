package io.mapreduce.internal.engine;

import io.mapreduce.internal.shuffle.MergingStream;
import io.mapreduce.internal.shuffle.RunIndex;
import io.mapreduce.internal.shuffle.RunWriter;
import io.mapreduce.internal.shuffle.SegmentReader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/** One sorted partition of a run file: what merges read. */
record Segment(Path data, RunIndex index, int partition) {
  /** At most this many segments are merged at once, so a merge holds a bounded number of files and buffers. */
  static final int MERGE_FACTOR = 64;
  static final int BUFFER_SIZE = 64 << 10;

  long length() {
    return index.lengths()[partition];
  }

  long records() {
    return index.records()[partition];
  }

  SegmentReader open() throws IOException {
    return new SegmentReader(data, index, partition, BUFFER_SIZE);
  }

  /** A merging stream over segments, which it opens (and closes when closed). */
  static MergingStream merge(List<Segment> segments) throws IOException {
    List<SegmentReader> readers = new ArrayList<>();
    MergingStream merged = new MergingStream(readers);
    try {
      for (Segment s : segments) {
        readers.add(s.open());
      }
    } catch (IOException | RuntimeException e) {
      merged.close();
      throw e;
    }
    return merged;
  }

  /**
   * Hadoop's multi-pass merge: while more than {@link #MERGE_FACTOR} segments remain, merges the
   * smallest {@code MERGE_FACTOR} of them into one single-partition run in {@code directory}.
   * Returns the segments left, at most {@code MERGE_FACTOR}; the runs it wrote are theirs to
   * delete with the directory.
   */
  static List<Segment> mergeToFactor(List<Segment> segments, Path directory, String prefix, boolean compress,
      TaskAttempt attempt) throws IOException {
    List<Segment> left = new ArrayList<>(segments);
    int pass = 0;
    while (left.size() > MERGE_FACTOR) {
      attempt.checkStopped();
      left.sort(Comparator.comparingLong(Segment::length));
      List<Segment> smallest = new ArrayList<>(left.subList(0, MERGE_FACTOR));
      left.subList(0, MERGE_FACTOR).clear();
      Files.createDirectories(directory);
      Path run = directory.resolve(prefix + "-merge-" + pass++);
      RunWriter out = new RunWriter(run, 1, compress);
      try (out; MergingStream in = merge(smallest)) {
        out.startPartition(0);
        while (in.next()) {
          out.append(in.keyArray(), in.keyOffset(), in.keyLength(), in.valueArray(), in.valueOffset(),
              in.valueLength());
        }
      }
      left.add(new Segment(run, out.index(), 0));
    }
    return left;
  }
}

package io.mapreduce.internal.engine;

import io.mapreduce.internal.shuffle.MergingStream;
import io.mapreduce.internal.shuffle.RunIndex;
import io.mapreduce.internal.shuffle.RunWriter;
import io.mapreduce.internal.shuffle.SegmentReader;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** One sorted partition of a run file: what merges read. */
record Segment(Path data, RunIndex index, int partition) {
  /** At most this many segments are merged at once, so a merge holds a bounded number of files and buffers. */
  static final int MERGE_FACTOR = 64;
  static final int BUFFER_SIZE = 64 << 10;
  /** Files one merge may hold open at once, however small its segments. */
  static final int MERGE_FILES = 256;
  /** The buffers one merge may hold, at most, however many segments it merges. */
  static final long MERGE_MEMORY = 32L << 20;
  /** A segment reader's own heap in a merge, its buffer aside. */
  private static final long READER_BYTES = 400;

  long length() {
    return index.lengths()[partition];
  }

  long records() {
    return index.records()[partition];
  }

  /**
   * A merging stream over segments, which it opens (and closes when closed): each file once, its
   * segments read from the one channel (a reducer's bundle holds thousands of segments).
   */
  static MergingStream merge(List<Segment> segments) throws IOException {
    List<SegmentReader> readers = new ArrayList<>();
    Map<Path, FileChannel> files = new LinkedHashMap<>();
    try {
      for (Segment s : segments) {
        FileChannel channel = files.get(s.data());
        if (channel == null) {
          channel = FileChannel.open(s.data(), StandardOpenOption.READ);
          files.put(s.data(), channel);
        }
        readers.add(new SegmentReader(channel, s.data(), s.index(), s.partition(), BUFFER_SIZE));
      }
    } catch (IOException | RuntimeException e) {
      closeAll(files.values(), e);
      throw e;
    }
    return new MergingStream(readers, new ArrayList<>(files.values()));
  }

  private static void closeAll(Iterable<FileChannel> channels, Exception cause) {
    for (FileChannel c : channels) {
      try {
        c.close();
      } catch (IOException e) {
        cause.addSuppressed(e);
      }
    }
  }

  /**
   * The heap one segment's reader takes in a merge: its buffer (a block more when compressed), and
   * the reader itself (its checksum, its name, its place in the merge's heap: about 400 bytes).
   */
  private static long mergeMemory(Segment s) {
    return READER_BYTES + Math.max(64, Math.min(BUFFER_SIZE, s.length()))
        + (s.index().compressed() ? 2L * BUFFER_SIZE : 0);
  }

  private static long mergeMemory(List<Segment> segments) {
    long bytes = 0;
    for (Segment s : segments) {
      bytes += mergeMemory(s);
    }
    return bytes;
  }

  /**
   * How many of these segments (smallest first) one pass merges: as many as fit in
   * {@link #MERGE_FILES} files and {@link #MERGE_MEMORY}, and {@link #MERGE_FACTOR} at least.
   */
  private static int passSize(List<Segment> smallestFirst) {
    java.util.Set<Path> files = new java.util.HashSet<>();
    long memory = 0;
    int n = 0;
    for (Segment s : smallestFirst) {
      files.add(s.data());
      memory += mergeMemory(s);
      if (files.size() > MERGE_FILES || memory > MERGE_MEMORY) {
        break;
      }
      n++;
    }
    return Math.max(MERGE_FACTOR, n);
  }

  private static int distinctFiles(List<Segment> segments) {
    return (int) segments.stream().map(Segment::data).distinct().count();
  }

  /**
   * Hadoop's multi-pass merge: while more than {@link #MERGE_FACTOR} segments remain, and merging
   * them all at once would hold more than {@link #MERGE_FILES} files open or more than
   * {@link #MERGE_MEMORY} of readers, merges the smallest of them, as many as fit in those bounds
   * ({@code MERGE_FACTOR} at least), into one single-partition run in {@code directory}. Returns the segments left; the runs it wrote are
   * theirs to delete with the directory. (Many small segments in few files, as a reducer's bundle
   * of fetched map outputs, merge in one pass: 20,000 segments of a 20,000-map job took some 300
   * passes, each a file written and read again.)
   */
  static List<Segment> mergeToFactor(List<Segment> segments, Path directory, String prefix, boolean compress,
      TaskAttempt attempt) throws IOException {
    List<Segment> left = new ArrayList<>(segments);
    int pass = 0;
    while (left.size() > MERGE_FACTOR
        && (distinctFiles(left) > MERGE_FILES || mergeMemory(left) > MERGE_MEMORY)) {
      attempt.checkStopped();
      left.sort(Comparator.comparingLong(Segment::length));
      int n = Math.min(left.size(), passSize(left));
      List<Segment> smallest = new ArrayList<>(left.subList(0, n));
      left.subList(0, n).clear();
      Files.createDirectories(directory);
      Path run = directory.resolve(prefix + "-merge-" + pass++);
      RunWriter out = new RunWriter(run, 1, compress);
      try (out; MergingStream in = merge(smallest)) {
        out.startPartition(0);
        while (in.next()) {
          // A long merge pass is progress too, for the task timeout.
          attempt.progressed();
          out.append(in.keyArray(), in.keyOffset(), in.keyLength(), in.valueArray(), in.valueOffset(),
              in.valueLength());
        }
      }
      left.add(new Segment(run, out.index(), 0));
    }
    return left;
  }
}

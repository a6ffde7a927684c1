package io.mapreduce.benchmarks;

import io.mapreduce.internal.shuffle.MergingStream;
import io.mapreduce.internal.shuffle.RecordStream;
import io.mapreduce.internal.shuffle.RunIndex;
import io.mapreduce.internal.shuffle.RunWriter;
import io.mapreduce.internal.shuffle.SegmentReader;
import io.mapreduce.internal.shuffle.SortBuffer;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The engine's spill and merge steps, as the shuffle benchmarks run them. */
final class ShuffleSteps {
  /** The reduce task's segment buffer (ReduceTask.SEGMENT_BUFFER). */
  static final int SEGMENT_BUFFER = 64 << 10;

  private ShuffleSteps() {}

  /** Writes a sorted buffer as a run file (uncompressed, the default) of {@code partitions} partitions. */
  static void writeRun(SortBuffer sorted, Path file, int partitions) throws IOException {
    try (RunWriter writer = new RunWriter(file, partitions)) {
      for (int p = 0; p < partitions; p++) {
        writer.startPartition(p);
        RecordStream s = sorted.partition(p);
        while (s.next()) {
          writer.append(s.keyArray(), s.keyOffset(), s.keyLength(), s.valueArray(), s.valueOffset(), s.valueLength());
        }
      }
    }
  }

  /** The merge of one partition of every run that has records in it, as a reduce task reads it. */
  static MergingStream merge(Path[] files, RunIndex[] indexes, int partition) throws IOException {
    List<SegmentReader> segments = new ArrayList<>(files.length);
    // Made first, so that closing it closes the readers opened before a failure.
    MergingStream merged = new MergingStream(segments);
    try {
      for (int r = 0; r < files.length; r++) {
        if (indexes[r].records()[partition] > 0) {
          segments.add(new SegmentReader(files[r], indexes[r], partition, SEGMENT_BUFFER));
        }
      }
    } catch (IOException | RuntimeException e) {
      try {
        merged.close();
      } catch (IOException suppressed) {
        e.addSuppressed(suppressed);
      }
      throw e;
    }
    return merged;
  }
}

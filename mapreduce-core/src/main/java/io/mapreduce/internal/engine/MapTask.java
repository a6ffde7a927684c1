package io.mapreduce.internal.engine;

import io.mapreduce.Counters;
import io.mapreduce.Emitter;
import io.mapreduce.Mapper;
import io.mapreduce.Reducer;
import io.mapreduce.internal.codec.ByteSink;
import io.mapreduce.internal.io.InputSplit;
import io.mapreduce.internal.io.LineReader;
import io.mapreduce.internal.io.TextOutputWriter;
import io.mapreduce.internal.shuffle.MergingStream;
import io.mapreduce.internal.shuffle.RecordStream;
import io.mapreduce.internal.shuffle.RunIndex;
import io.mapreduce.internal.shuffle.RunWriter;
import io.mapreduce.internal.shuffle.SegmentReader;
import io.mapreduce.internal.shuffle.SortBuffer;
import io.mapreduce.spi.JobOutput;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.LongAdder;

/**
 * One map task attempt: reads its split line by line, calls the mapper, and either sorts and
 * spills the output into one partition-indexed run (R &gt; 0) or writes it as the job's output
 * (map-only jobs).
 */
final class MapTask<K, V> {
  /** Progress is published every this many lines, to keep shared counters off the hot path. */
  private static final int PROGRESS_EVERY = 4096;
  private static final int MERGE_BUFFER = 64 << 10;

  private final JobPlan<K, V> plan;
  private final InputSplit split;
  private final TaskAttempt attempt;
  private final Path attemptDirectory;
  private final LongAdder bytesRead;
  private final LongAdder recordsRead;

  MapTask(JobPlan<K, V> plan, InputSplit split, TaskAttempt attempt, Path attemptDirectory,
      LongAdder bytesRead, LongAdder recordsRead) {
    this.plan = plan;
    this.split = split;
    this.attempt = attempt;
    this.attemptDirectory = attemptDirectory;
    this.bytesRead = bytesRead;
    this.recordsRead = recordsRead;
  }

  /** The run this map task produced: its data file and index. */
  record Output(Path data, RunIndex index) {}

  /** Runs the attempt; returns its run, or null for a map-only job (whose output it committed). */
  Output run() throws Exception {
    Mapper<K, V> mapper = plan.newMapper();
    mapper.setup(attempt);
    if (plan.reduceTasks() == 0) {
      try (JobOutput.TaskOutput out = plan.output.create(outputName(split.index()), attempt.attemptId())) {
        TextOutputWriter writer = new TextOutputWriter(out.stream());
        Emitter<K, V> emitter = (k, v) -> {
          plan.checkEmitted(k, v, "map");
          attempt.add(Counters.MAP_OUTPUT_RECORDS, 1);
          attempt.add(Counters.OUTPUT_RECORDS, 1);
          try {
            writer.write(k, v);
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
        };
        mapAll(mapper, emitter);
        writer.flush();
        out.commit();
      }
      return null;
    }
    Files.createDirectories(attemptDirectory);
    Collector collector = new Collector();
    mapAll(mapper, collector);
    return collector.finish();
  }

  static String outputName(int index) {
    return String.format("mr-out-%05d", index);
  }

  private void mapAll(Mapper<K, V> mapper, Emitter<K, V> emitter) throws Exception {
    long lines = 0;
    long bytes = 0;
    long unpublishedLines = 0;
    long unpublishedBytes = 0;
    String file = split.file().path();
    try (LineReader reader = LineReader.open(plan.inputStorage, split)) {
      while (reader.next()) {
        attempt.checkStopped();
        long offset = reader.offset();
        try {
          mapper.map(offset, reader.line(), emitter);
        } catch (Exception | Error e) {
          attempt.at(file + ":" + offset);
          throw e;
        }
        lines++;
        bytes += reader.bytes();
        unpublishedBytes += reader.bytes();
        if (++unpublishedLines == PROGRESS_EVERY) {
          recordsRead.add(unpublishedLines);
          bytesRead.add(unpublishedBytes);
          unpublishedLines = 0;
          unpublishedBytes = 0;
        }
      }
    }
    recordsRead.add(unpublishedLines);
    bytesRead.add(unpublishedBytes);
    attempt.add(Counters.MAP_INPUT_RECORDS, lines);
    attempt.add(Counters.MAP_INPUT_BYTES, bytes);
    mapper.cleanup(emitter);
  }

  /** Encodes, partitions and buffers map output; spills the buffer to a run when it is full. */
  private final class Collector implements Emitter<K, V> {
    private final ByteSink key = new ByteSink(64);
    private final ByteSink value = new ByteSink(64);
    private final SortBuffer buffer = new SortBuffer(plan.spec.sortBufferSize());
    private final List<Path> spills = new ArrayList<>();
    /** One combiner per attempt, set up again for each partition it combines (as Hadoop does). */
    private final Reducer<K, V> combiner = plan.newCombiner();
    private long outputRecords;
    private long outputBytes;

    @Override
    public void emit(K k, V v) {
      plan.checkEmitted(k, v, "map");
      key.clear();
      plan.keyCodec.write(k, key, false);
      value.clear();
      plan.valueCodec.write(v, value, false);
      int p = plan.partition(k, key.array(), key.length());
      outputRecords++;
      outputBytes += key.length() + value.length();
      if (!buffer.add(p, key.array(), 0, key.length(), value.array(), 0, value.length())) {
        spill();
        buffer.add(p, key.array(), 0, key.length(), value.array(), 0, value.length());
      }
    }

    private void spill() {
      try {
        buffer.sort();
        Path run = attemptDirectory.resolve("spill-" + spills.size());
        try (RunWriter writer = new RunWriter(run, plan.reduceTasks())) {
          for (int p = 0; p < plan.reduceTasks(); p++) {
            writer.startPartition(p);
            writePartition(buffer.partition(p), writer);
          }
          attempt.add(Counters.SPILLED_RECORDS, writer.written());
        }
        spills.add(run);
        buffer.clear();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    Output finish() throws Exception {
      attempt.add(Counters.MAP_OUTPUT_RECORDS, outputRecords);
      attempt.add(Counters.MAP_OUTPUT_BYTES, outputBytes);
      if (!buffer.isEmpty() || spills.isEmpty()) {
        spill();
      }
      if (spills.size() == 1) {
        Path run = spills.get(0);
        return new Output(run, RunIndex.read(RunWriter.indexOf(run)));
      }
      return merge();
    }

    /** Merges the spills, partition by partition, into one run (combining again). */
    private Output merge() throws Exception {
      List<RunIndex> indexes = new ArrayList<>();
      for (Path s : spills) {
        indexes.add(RunIndex.read(RunWriter.indexOf(s)));
      }
      Path run = attemptDirectory.resolve("map-output");
      try (RunWriter writer = new RunWriter(run, plan.reduceTasks())) {
        for (int p = 0; p < plan.reduceTasks(); p++) {
          attempt.checkStopped();
          writer.startPartition(p);
          List<SegmentReader> segments = new ArrayList<>();
          try (MergingStream merged = new MergingStream(segments)) {
            for (int s = 0; s < spills.size(); s++) {
              segments.add(new SegmentReader(spills.get(s), indexes.get(s), p, MERGE_BUFFER));
            }
            writePartition(merged, writer);
          }
        }
        attempt.add(Counters.SPILLED_RECORDS, writer.written());
      }
      for (Path s : spills) {
        Files.deleteIfExists(s);
        Files.deleteIfExists(RunWriter.indexOf(s));
      }
      return new Output(run, RunIndex.read(RunWriter.indexOf(run)));
    }

    /** Copies one sorted partition into the writer, through the combiner when there is one. */
    private void writePartition(RecordStream in, RunWriter writer) throws IOException {
      if (combiner == null) {
        while (in.next()) {
          writer.append(in.keyArray(), in.keyOffset(), in.keyLength(),
              in.valueArray(), in.valueOffset(), in.valueLength());
        }
        return;
      }
      ByteSink k = new ByteSink(64);
      ByteSink v = new ByteSink(64);
      long[] emitted = new long[1];
      Emitter<K, V> out = (ck, cv) -> {
        plan.checkEmitted(ck, cv, "combiner");
        k.clear();
        plan.keyCodec.write(ck, k, false);
        v.clear();
        plan.valueCodec.write(cv, v, false);
        emitted[0]++;
        try {
          writer.append(k.array(), 0, k.length(), v.array(), 0, v.length());
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      };
      Groups<K, V> groups = new Groups<>(in, plan.keyCodec, plan.valueCodec);
      try {
        combiner.setup(attempt);
        while (groups.nextGroup()) {
          combiner.reduce(groups.key(), groups.values(), out);
        }
        combiner.cleanup(out);
      } catch (IOException | RuntimeException e) {
        throw e;
      } catch (Exception e) {
        throw new CombinerException(e);
      }
      attempt.add(Counters.COMBINE_INPUT_RECORDS, groups.records());
      attempt.add(Counters.COMBINE_OUTPUT_RECORDS, emitted[0]);
    }
  }

  /** Carries a checked exception of the combiner out of the emitter's unchecked path. */
  static final class CombinerException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    CombinerException(Exception cause) {
      super("combiner failed: " + cause, cause);
    }
  }
}

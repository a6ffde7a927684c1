package io.mapreduce.internal.engine;

import io.mapreduce.Counters;
import io.mapreduce.Emitter;
import io.mapreduce.Mapper;
import io.mapreduce.PairMapper;
import io.mapreduce.format.RecordReader;
import io.mapreduce.format.RecordWriter;
import io.mapreduce.internal.io.LineRecords;
import io.mapreduce.internal.shuffle.RunIndex;
import io.mapreduce.spi.InputSplit;
import io.mapreduce.spi.JobOutput;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.LongAdder;

/**
 * One map task attempt: reads its split's records through the job's input format, calls the
 * mapper, and either hands the output to a {@link MapOutputCollector}, which sorts and spills it
 * into one partition-indexed run (R &gt; 0), or writes it as the job's output (map-only jobs).
 */
final class MapTask<K, V> {
  private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(MapTask.class);
  /** Progress is published every this many lines, to keep shared counters off the hot path. */
  private static final int PROGRESS_EVERY = 4096;

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
    return attempt.watched(plan.spec.taskTimeout(), this::runWatched);
  }

  private Output runWatched() throws Exception {
    PairMapper<Object, Object, K, V> mapper = plan.newMapper();
    try {
      return run(mapper);
    } finally {
      closeIfCloseable(mapper, attempt);
    }
  }

  /**
   * Closes a mapper, reducer or combiner copy that is {@link AutoCloseable} (a streaming one stops
   * its program), once its attempt has ended either way; a failure to close is logged, not thrown,
   * so that it cannot hide the attempt's own failure.
   */
  static void closeIfCloseable(Object userObject, TaskAttempt attempt) {
    if (userObject instanceof AutoCloseable c) {
      try {
        c.close();
      } catch (Exception e) {
        log.warn("task {}: closing {} failed: {}", attempt.attemptId(), userObject.getClass().getName(), e.toString());
      }
    }
  }

  private Output run(PairMapper<Object, Object, K, V> mapper) throws Exception {
    mapper.setup(attempt);
    if (plan.reduceTasks() == 0) {
      try (JobOutput.TaskOutput out = plan.output.create(plan.outputName(split.index()), attempt.attemptId());
          SideOutputs sides = attempt.allowSideOutputs(plan, split.index());
          RecordWriter<Object, Object> writer = plan.outputFormat.open(out.stream(), plan.outputKeyType,
              plan.outputValueType)) {
        boolean lineOutput = mapper instanceof LineOutput;
        long[] written = new long[1];
        Emitter<K, V> emitter = (k, v) -> {
          plan.checkEmitted(k, v, "map");
          attempt.progressed();
          written[0]++;
          try {
            writer.write(k, lineOutput ? null : v);
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
        };
        mapAll(mapper, emitter);
        attempt.add(Counters.MAP_OUTPUT_RECORDS, written[0]);
        attempt.add(Counters.OUTPUT_RECORDS, written[0]);
        writer.finish();
        attempt.commit(out, written[0] > 0 || !plan.spec.lazyOutput());
      }
      return null;
    }
    Files.createDirectories(attemptDirectory);
    MapOutputCollector<K, V> collector = new MapOutputCollector<>(plan, attempt, attemptDirectory);
    try {
      mapAll(mapper, collector);
      return collector.finish();
    } finally {
      collector.close();
    }
  }

  /**
   * Reads the split's records and maps each: a line {@link Mapper} gets the offset and string, a
   * {@link LineBytesMapper} the line's bytes, any other mapper the format's key and value objects.
   */
  private void mapAll(PairMapper<Object, Object, K, V> mapper, Emitter<K, V> emitter) throws Exception {
    long records = 0;
    long bytes = 0;
    long unpublished = 0;
    long publishedTo = 0;
    @SuppressWarnings("unchecked")
    LineBytesMapper<K, V> bytesMapper = mapper instanceof LineBytesMapper<?, ?> m ? (LineBytesMapper<K, V>) m : null;
    @SuppressWarnings("unchecked")
    Mapper<K, V> lineMapper = (Object) mapper instanceof Mapper<?, ?> m ? (Mapper<K, V>) m : null;
    try (RecordReader<Object, Object> reader = plan.inputFormat.open(plan.inputStorage, split)) {
      LineRecords lines = reader instanceof LineRecords l ? l : null;
      if ((bytesMapper != null || lineMapper != null) && lines == null) {
        throw new IllegalStateException("the mapper " + mapper.getClass().getName() + " reads lines, but the input"
            + " format " + plan.inputFormat + " does not give lines");
      }
      String file = null;
      while (reader.next()) {
        attempt.checkStopped();
        long id = reader.recordId();
        if (attempt.skips(id)) {
          attempt.skipped(reader.file() + ":" + reader.offset());
          continue;
        }
        if (reader.file() != file) {
          file = reader.file();
          attempt.inputFile(file);
        }
        try {
          if (bytesMapper != null) {
            bytesMapper.mapBytes(lines.lineOffset(), lines.lineArray(), lines.lineStart(), (int) lines.lineBytes(),
                lines.lineLength(), emitter);
          } else if (lineMapper != null) {
            lineMapper.map(lines.lineOffset(), lines.line(), emitter);
          } else {
            mapper.map(reader.key(), reader.value(), emitter);
          }
        } catch (Exception | Error e) {
          attempt.at(reader.file() + ":" + reader.offset(), id);
          throw e;
        }
        records++;
        bytes += reader.recordBytes();
        if (++unpublished == PROGRESS_EVERY) {
          recordsRead.add(unpublished);
          // Progress is in the files' bytes (compressed ones for a compressed file), as input sizes are.
          long consumed = reader.consumed();
          bytesRead.add(consumed - publishedTo);
          publishedTo = consumed;
          unpublished = 0;
        }
      }
      recordsRead.add(unpublished);
      bytesRead.add(Math.max(0, Math.min(reader.consumed(), split.length()) - publishedTo));
    }
    attempt.add(Counters.MAP_INPUT_RECORDS, records);
    attempt.add(Counters.MAP_INPUT_BYTES, bytes);
    mapper.cleanup(emitter);
  }

  /** Carries a checked exception of the combiner out of the emitter's unchecked path. */
  static final class CombinerException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    CombinerException(Exception cause) {
      super("combiner failed: " + cause, cause);
    }
  }
}

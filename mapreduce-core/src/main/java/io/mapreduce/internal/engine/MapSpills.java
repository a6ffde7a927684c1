package io.mapreduce.internal.engine;

import io.mapreduce.Emitter;
import io.mapreduce.Reducer;
import io.mapreduce.internal.codec.ByteSink;
import io.mapreduce.internal.io.LocalStorage;
import io.mapreduce.internal.shuffle.MergingStream;
import io.mapreduce.internal.shuffle.RecordStream;
import io.mapreduce.internal.shuffle.RunIndex;
import io.mapreduce.internal.shuffle.RunWriter;
import io.mapreduce.internal.shuffle.SortBuffer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * The map task's sort buffer and what becomes of it: records go into one half of the buffer while
 * the other is sorted and written as a spill run on a background thread (through the combiner when
 * there is one), and when the task ends the spills are merged into the one map output, combining
 * again. {@link MapOutputCollector} puts encoded, partitioned records in; this class owns the
 * halves, the spill thread and the files.
 */
final class MapSpills<K, V> {
  private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(MapSpills.class);

  private final JobPlan<K, V> plan;
  private final TaskAttempt attempt;
  /** Where the attempt's spills and its map output go. */
  private final Path attemptDirectory;
  /** The spills' combiner (null if none), set up again for each partition it combines, as Hadoop does. */
  private final Reducer<K, V> combiner;
  /**
   * The sort buffer in two halves: while one is sorted and spilled by the spill thread, the
   * mapper fills the other, so a spill starts when half the budget is used (Hadoop starts at
   * 80% of one circular buffer; two halves keep every record contiguous and lock-free).
   */
  private final SortBuffer[] halves = new SortBuffer[2];
  private SortBuffer buffer;
  private final List<Path> spills = new ArrayList<>();
  /** Each spill's index, as its writer made it (a spill may be written on the spill thread). */
  private final Map<Path, RunIndex> spillIndexes = new java.util.concurrent.ConcurrentHashMap<>();
  private ExecutorService spillThread;
  private Future<?> spilling;
  /** Counted by the spill thread, read after it is joined. */
  private long combineInputs;
  private long combineOutputs;
  private long spilledRecords;

  MapSpills(JobPlan<K, V> plan, TaskAttempt attempt, Path attemptDirectory, Reducer<K, V> combiner, long budget) {
    this.plan = plan;
    this.attempt = attempt;
    this.attemptDirectory = attemptDirectory;
    this.combiner = combiner;
    halves[0] = new SortBuffer(budget / 2);
    halves[1] = new SortBuffer(budget / 2);
    buffer = halves[0];
  }

  /** Adds an encoded record of partition {@code p}, spilling the half first if it is full. */
  void add(int p, ByteSink k, ByteSink v) {
    if (!buffer.add(p, k.array(), 0, k.length(), v.array(), 0, v.length())) {
      startSpill();
      buffer.add(p, k.array(), 0, k.length(), v.array(), 0, v.length());
    }
  }

  /**
   * Spills what is left, merges the spills into the map output and adds the spill side's
   * counters to the attempt's.
   */
  MapTask.Output finish() throws Exception {
    awaitSpill();
    if (!buffer.isEmpty() || spills.isEmpty()) {
      Path run = attemptDirectory.resolve("spill-" + spills.size());
      spills.add(run);
      writeSpill(buffer, run);
    }
    MapTask.Output output;
    if (spills.size() == 1) {
      Path run = spills.get(0);
      output = new MapTask.Output(run, spillIndexes.get(run));
    } else {
      output = merge();
    }
    attempt.add(io.mapreduce.Counters.COMBINE_INPUT_RECORDS, combineInputs);
    attempt.add(io.mapreduce.Counters.COMBINE_OUTPUT_RECORDS, combineOutputs);
    attempt.add(io.mapreduce.Counters.SPILLED_RECORDS, spilledRecords);
    return output;
  }

  /** Stops the spill thread and waits for it, so it writes nothing after the attempt ends. */
  void close() {
    if (spillThread != null) {
      spillThread.shutdownNow();
      boolean interrupted = false;
      try {
        while (!spillThread.awaitTermination(10, TimeUnit.SECONDS)) {
          log.warn("task {}: still waiting for its spill thread to stop", attempt.attemptId());
        }
      } catch (InterruptedException e) {
        interrupted = true;
      }
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /** Hands the full half to the spill thread (after the previous spill ends) and switches. */
  private void startSpill() {
    awaitSpill();
    SortBuffer full = buffer;
    buffer = full == halves[0] ? halves[1] : halves[0];
    Path run = attemptDirectory.resolve("spill-" + spills.size());
    spills.add(run);
    if (spillThread == null) {
      spillThread = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, Thread.currentThread().getName() + "-spill");
        t.setDaemon(true);
        return t;
      });
    }
    spilling = spillThread.submit(() -> {
      writeSpill(full, run);
      return null;
    });
  }

  private void awaitSpill() {
    if (spilling == null) {
      return;
    }
    Future<?> f = spilling;
    spilling = null;
    try {
      f.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new TaskAttempt.JobStoppedException();
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof RuntimeException re) {
        throw re;
      }
      if (cause instanceof Error err) {
        throw err;
      }
      throw new UncheckedIOException(cause instanceof IOException io ? io : new IOException(cause));
    }
  }

  /** Sorts a half and writes it as a run, through the combiner. Runs on the spill thread. */
  private void writeSpill(SortBuffer half, Path run) throws IOException {
    half.sort();
    RunWriter writer = new RunWriter(run, plan.reduceTasks(), plan.spec.compressIntermediate());
    try (writer) {
      for (int p = 0; p < plan.reduceTasks(); p++) {
        writer.startPartition(p);
        writePartition(p, half.partition(p), writer);
      }
      spilledRecords += writer.written();
    }
    spillIndexes.put(run, writer.index());
    half.clear();
  }

  /** Merges the spills, partition by partition, into one run (combining again). */
  private MapTask.Output merge() throws Exception {
    List<RunIndex> indexes = new ArrayList<>();
    for (Path s : spills) {
      indexes.add(spillIndexes.get(s));
    }
    Path run = attemptDirectory.resolve("map-output");
    RunWriter writer = new RunWriter(run, plan.reduceTasks(), plan.spec.compressIntermediate());
    try (writer) {
      for (int p = 0; p < plan.reduceTasks(); p++) {
        attempt.checkStopped();
        writer.startPartition(p);
        List<Segment> segments = new ArrayList<>();
        for (int s = 0; s < spills.size(); s++) {
          if (indexes.get(s).records()[p] > 0) {
            segments.add(new Segment(spills.get(s), indexes.get(s), p));
          }
        }
        Path passes = attemptDirectory.resolve("passes");
        try (MergingStream merged = Segment.merge(Segment.mergeToFactor(segments, passes, "p" + p, plan.spec.compressIntermediate(), attempt))) {
          writePartition(p, merged, writer);
        }
        LocalStorage.deleteRecursively(passes);
      }
      spilledRecords += writer.written();
    }
    for (Path s : spills) {
      Files.deleteIfExists(s);
      Files.deleteIfExists(RunWriter.indexOf(s));
    }
    return new MapTask.Output(run, writer.index());
  }

  /**
   * Copies one sorted partition into the writer, through the combiner when there is one. The
   * combiner's output is appended as it comes, so it must stay sorted and in the partition (a
   * combiner that emits the keys it is given, in order, does): this is checked, because a run out
   * of order would silently break the merges after it.
   */
  private void writePartition(int partition, RecordStream in, RunWriter writer) throws IOException {
    if (combiner == null) {
      while (in.next()) {
        attempt.progressed();
        writer.append(in.keyArray(), in.keyOffset(), in.keyLength(),
            in.valueArray(), in.valueOffset(), in.valueLength());
      }
      return;
    }
    ByteSink k = new ByteSink(64);
    ByteSink v = new ByteSink(64);
    ByteSink previous = new ByteSink(64);
    boolean[] any = new boolean[1];
    Emitter<K, V> out = (ck, cv) -> {
      plan.checkEmitted(ck, cv, "combiner");
      plan.encode(ck, cv, k, v);
      checkCombinerOutput(partition, ck, k, previous, any[0]);
      any[0] = true;
      previous.clear();
      previous.write(k.array(), 0, k.length());
      combineOutputs++;
      attempt.progressed();
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
      throw new MapTask.CombinerException(e);
    }
    combineInputs += groups.records();
  }

  private void checkCombinerOutput(int partition, K key, ByteSink encoded, ByteSink previous, boolean hasPrevious) {
    if (hasPrevious && Arrays.compareUnsigned(previous.array(), 0, previous.length(),
        encoded.array(), 0, encoded.length()) > 0) {
      throw new IllegalStateException("the combiner emitted key " + ReduceTask.keyInMessages(key) + " after a greater key:"
          + " a combiner's output must stay sorted (emit the keys it is given, in the order it gets them)");
    }
    int p = plan.partition(key, plan.partitionsByObject() ? 0 : JobPlan.keyHash(encoded.array(), 0, encoded.length()),
        encoded.array(), encoded.length());
    if (p != partition) {
      throw new IllegalStateException("the combiner emitted key " + ReduceTask.keyInMessages(key) + ", which belongs to partition "
          + p + ", while combining partition " + partition + ": a combiner must not change keys");
    }
  }
}

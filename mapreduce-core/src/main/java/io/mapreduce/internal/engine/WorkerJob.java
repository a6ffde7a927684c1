package io.mapreduce.internal.engine;

import io.mapreduce.MapReduceSpecification;
import io.mapreduce.spi.InputSplit;
import io.mapreduce.internal.io.LocalStorage;
import io.mapreduce.internal.io.Storages;
import io.mapreduce.internal.shuffle.RunIndex;
import io.mapreduce.internal.shuffle.RunWriter;
import io.mapreduce.spi.JobOutput;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.BooleanSupplier;

/**
 * One job as a cluster worker holds it: the embedded engine's map and reduce task code, run one
 * attempt at a time for the cluster runtime, which does the scheduling, the retries and the
 * moving of bytes between machines. Attempts may run concurrently on several threads.
 */
public final class WorkerJob {
  private final JobPlan<?, ?> plan;
  /** Where map outputs go when the job shares them (its {@code intermediate} setting), or null. */
  private final SharedMapOutputs shared;

  /**
   * Prepares a job: opens its output (prepared by the master) and makes its directory for map
   * outputs and merge passes.
   */
  public WorkerJob(String jobId, MapReduceSpecification<?, ?> spec, Path jobDirectory) throws IOException {
    JobOutput output = Storages.forPath(spec.output()).attachOutput(spec.output(), jobId);
    Files.createDirectories(jobDirectory);
    this.plan = new JobPlan<>(jobId, spec, Storages.forPath(spec.inputs().get(0)), List.of(), output, jobDirectory);
    this.shared = spec.intermediate().isPresent() && spec.reduceTasks() > 0
        ? new SharedMapOutputs(jobId, SharedMapOutputs.directory(spec.intermediate().get(), jobId), spec.reduceTasks())
        : null;
  }

  /** The job's shared map outputs, which reducers read from, or null when workers serve them. */
  public SharedMapOutputs sharedMapOutputs() {
    return shared;
  }

  public String jobId() {
    return plan.jobId;
  }

  public int reduceTasks() {
    return plan.reduceTasks();
  }

  /**
   * What a map attempt produced: its run file and the index beside it, for this worker to serve
   * (null for a map-only job, whose attempt committed its output file itself, and for a job that
   * keeps map outputs in shared storage, where the attempt published them), and its counters.
   */
  public record MapOutput(Path data, RunIndex index, Map<String, Long> counters) {}

  /**
   * Runs one map attempt; its files live under the job directory until {@link #close()}. A
   * map-only job's attempt commits its output file when {@code gate} lets it.
   */
  public MapOutput runMap(InputSplit split, int attempt, BooleanSupplier stopped, CommitGate gate,
      java.util.Set<Long> skip) throws Exception {
    String taskId = String.format("m-%05d", split.index());
    TaskAttempt a = new TaskAttempt(plan.jobId, taskId, attempt, split.file().path(), plan.reduceTasks(), stopped,
        gate);
    a.skip(skip);
    Path dir = plan.jobDirectory.resolve(taskId).resolve("attempt-" + attempt);
    try {
      MapTask.Output out = new MapTask<>(plan, split, a, dir, new LongAdder(), new LongAdder()).run();
      if (out != null && shared != null) {
        a.add(SharedMapOutputs.BYTES_WRITTEN,
            shared.publish(split.index(), attempt, out.data(), RunWriter.indexOf(out.data()), stopped));
        LocalStorage.deleteRecursively(dir);
        out = null;
      }
      return new MapOutput(out == null ? null : out.data(), out == null ? null : out.index(), a.counterValues());
    } catch (Throwable t) {
      LocalStorage.deleteRecursively(dir);
      throw withPosition(t, a);
    }
  }

  /**
   * Runs one reduce attempt over fetched segments, merged in the order given (which orders the
   * values of a key): each an entry of a run file's index (the index beside it, as {@link
   * RunWriter#indexOf} names it). Commits the attempt's output file when {@code gate} lets it.
   */
  public Map<String, Long> runReduceOnSegments(int partition, int attempt, List<SegmentFile> segmentFiles,
      BooleanSupplier stopped, CommitGate gate, java.util.Set<Long> skip) throws Exception {
    String taskId = String.format("r-%05d", partition);
    TaskAttempt a = new TaskAttempt(plan.jobId, taskId, attempt, null, plan.reduceTasks(), stopped, gate);
    a.skip(skip);
    List<Segment> segments = new ArrayList<>();
    Map<Path, RunIndex> indexes = new java.util.HashMap<>();
    for (SegmentFile f : segmentFiles) {
      RunIndex index = indexes.get(f.file());
      if (index == null) {
        index = RunIndex.read(RunWriter.indexOf(f.file()));
        indexes.put(f.file(), index);
      }
      if (f.entry() < 0 || f.entry() >= index.partitions()) {
        throw new IOException(f.file() + " has " + index.partitions() + " segments, not segment " + f.entry());
      }
      if (index.records()[f.entry()] > 0) {
        segments.add(new Segment(f.file(), index, f.entry()));
      }
    }
    try {
      new ReduceTask<>(plan, partition, segments, a).run();
    } catch (Throwable t) {
      throw withPosition(t, a);
    }
    return a.counterValues();
  }

  /** As {@link #runReduceOnSegments}, over files that each hold one segment. */
  public Map<String, Long> runReduce(int partition, int attempt, List<Path> segmentFiles, BooleanSupplier stopped,
      CommitGate gate, java.util.Set<Long> skip) throws Exception {
    return runReduceOnSegments(partition, attempt, segmentFiles.stream().map(f -> new SegmentFile(f, 0)).toList(),
        stopped, gate, skip);
  }

  /**
   * One sorted run a reduce attempt merges: entry {@code entry} of the run file {@code file}'s
   * index. A fetched map output is entry 0 of a file of its own; small ones share a file.
   */
  public record SegmentFile(Path file, int entry) {}

  /** A user-code failure, with where in the input it happened when the task knows. */
  private static Exception withPosition(Throwable t, TaskAttempt a) {
    Throwable cause = t instanceof MapTask.CombinerException c ? c.getCause() : t;
    if (a.position() != null) {
      return new TaskError(a.position(), a.record(), cause);
    }
    return cause instanceof Exception e ? e : new TaskError(null, -1, cause);
  }

  /** Whether a failure means the attempt was told to stop, not that it failed. */
  public static boolean isStop(Throwable t) {
    return t instanceof TaskAttempt.JobStoppedException;
  }

  /** A failure of an attempt, with the position (file:offset, or key) where user code threw. */
  public static final class TaskError extends Exception {
    private static final long serialVersionUID = 1L;
    private final String position;
    private final long record;

    TaskError(String position, long record, Throwable cause) {
      super(cause.toString(), cause);
      this.position = position;
      this.record = record;
    }

    /** Where user code failed, or null. */
    public String position() {
      return position;
    }

    /** The failing record's id within the task (for skipping mode), or -1. */
    public long record() {
      return record;
    }
  }

  /** Removes the job's directory: its map outputs and anything its attempts left. */
  public void close() {
    LocalStorage.deleteRecursively(plan.jobDirectory);
  }
}

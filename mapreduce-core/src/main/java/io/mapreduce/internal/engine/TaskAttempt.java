package io.mapreduce.internal.engine;

import io.mapreduce.TaskContext;
import java.time.Duration;
import java.util.HashMap;
import java.util.concurrent.Callable;
import java.util.Map;
import java.util.Objects;
import java.util.function.BooleanSupplier;

/**
 * One attempt of one task: its ids, its counters, and where it is in its input (for the error
 * message when user code throws). Confined to the thread that runs the attempt, but for its
 * progress, which the {@link AttemptWatchdog} reads and a streaming program's stderr reader bumps.
 */
final class TaskAttempt implements TaskContext, TaskProgress {
  private final String jobId;
  private final String taskId;
  private final int attempt;
  private String inputFile;
  private final int reduceTasks;
  private final BooleanSupplier stopped;
  private final CommitGate gate;
  private final Map<String, long[]> counters = new HashMap<>();
  private String position;
  private long record = -1;
  private java.util.Set<Long> skip = java.util.Set.of();
  /**
   * Bumped when the attempt reads or writes a record. Plain stores from the task's thread (the
   * hot path; any change will do, so a lost update costs nothing), read by the watchdog.
   */
  private final java.util.concurrent.atomic.AtomicLong progress = new java.util.concurrent.atomic.AtomicLong();
  /** The thread running the attempt while the watchdog watches it, else null. Guarded by itself. */
  private final Thread[] runner = new Thread[1];
  private final java.util.List<Runnable> onTimeout = new java.util.concurrent.CopyOnWriteArrayList<>();
  /** Why the watchdog killed this attempt, or null. */
  private volatile String timedOut;
  /** Null when this attempt may not write side outputs (a map task of a job with reduce tasks). */
  private SideOutputs sideOutputs;

  TaskAttempt(String jobId, String taskId, int attempt, String inputFile, int reduceTasks, BooleanSupplier stopped) {
    this(jobId, taskId, attempt, inputFile, reduceTasks, stopped, CommitGate.ALWAYS);
  }

  TaskAttempt(String jobId, String taskId, int attempt, String inputFile, int reduceTasks, BooleanSupplier stopped,
      CommitGate gate) {
    this.gate = gate;
    this.jobId = jobId;
    this.taskId = taskId;
    this.attempt = attempt;
    this.inputFile = inputFile;
    this.reduceTasks = reduceTasks;
    this.stopped = stopped;
  }

  @Override
  public String jobId() {
    return jobId;
  }

  @Override
  public String taskId() {
    return taskId;
  }

  @Override
  public int attempt() {
    return attempt;
  }

  @Override
  public String inputFile() {
    return inputFile;
  }

  /** The file being read now: a split of packed small files moves from one to the next. */
  void inputFile(String file) {
    inputFile = file;
  }

  @Override
  public int reduceTasks() {
    return reduceTasks;
  }

  /** The attempt's id, unique within the job: {@code m-00003_1}. */
  String attemptId() {
    return taskId + "_" + attempt;
  }

  @Override
  public Counter counter(String name) {
    Objects.requireNonNull(name, "name");
    long[] cell = counters.computeIfAbsent(name, n -> new long[1]);
    return amount -> cell[0] += amount;
  }

  void add(String name, long amount) {
    counters.computeIfAbsent(name, n -> new long[1])[0] += amount;
  }

  Map<String, Long> counterValues() {
    Map<String, Long> values = new HashMap<>();
    counters.forEach((k, v) -> values.put(k, v[0]));
    return values;
  }

  /** Lets the attempt write side output files numbered {@code index}; the caller closes them. */
  SideOutputs allowSideOutputs(JobPlan<?, ?> plan, int index) {
    sideOutputs = new SideOutputs(plan, index, attemptId());
    return sideOutputs;
  }

  @Override
  public <K, V> io.mapreduce.Emitter<K, V> sideOutput(String name) {
    Objects.requireNonNull(name, "name");
    if (sideOutputs == null) {
      throw new IllegalStateException("side output " + name + ": side outputs are written by reduce tasks, or by the"
          + " map tasks of a map-only job, not by task " + taskId);
    }
    return sideOutputs.emitter(name);
  }

  /** Remembers where the attempt is, for error messages: {@code file:offset} or a key. */
  void at(String where) {
    position = where;
  }

  /**
   * Remembers where user code failed: the position for messages, and the record's id within the
   * task (a map's line offset, a reduce's group ordinal), by which a later attempt may skip it.
   */
  void at(String where, long recordId) {
    position = where;
    record = recordId;
  }

  /** The id of the record user code failed on, or -1. */
  long record() {
    return record;
  }

  /** The records (by id) this attempt skips. */
  void skip(java.util.Set<Long> records) {
    skip = java.util.Set.copyOf(records);
  }

  /**
   * Whether to skip a record, which the caller then reports with {@link #skipped}. Two calls, so
   * that the common case (nothing to skip) builds no description: it runs once per input line.
   */
  boolean skips(long recordId) {
    return !skip.isEmpty() && skip.contains(recordId);
  }

  /** Counts and logs a record skipped, {@code where} saying which. */
  void skipped(String where) {
    add(io.mapreduce.Counters.SKIPPED_RECORDS, 1);
    org.slf4j.LoggerFactory.getLogger(TaskAttempt.class).warn("job {} task {} attempt {}: skipping the bad record at {}",
        jobId, taskId, attempt, where);
  }

  String position() {
    return position;
  }

  /**
   * Throws when the job was cancelled or failed elsewhere, so the attempt stops promptly. Only the
   * job's flag counts: user code may leave its thread's interrupt flag set for its own reasons.
   */
  void checkStopped() {
    progressed();
    if (stopped.getAsBoolean()) {
      throw new JobStoppedException();
    }
  }

  /**
   * Commits the attempt's output file if the gate lets it; unwinds the attempt as stopped if
   * another attempt commits the task.
   */
  void commit(io.mapreduce.spi.JobOutput.TaskOutput out) throws Exception {
    commit(out, true);
  }

  /**
   * Commits the attempt's files, its side outputs first and its own file last (unless
   * {@code publish} is false: a lazy output's empty file), if the gate lets it.
   */
  void commit(io.mapreduce.spi.JobOutput.TaskOutput out, boolean publish) throws Exception {
    java.util.List<io.mapreduce.spi.JobOutput.TaskOutput> files = new java.util.ArrayList<>();
    if (sideOutputs != null) {
      files.addAll(sideOutputs.finish());
    }
    if (publish) {
      files.add(out);
    }
    if (files.isEmpty()) {
      return;
    }
    if (!gate.mayCommit()) {
      files.forEach(io.mapreduce.spi.JobOutput.TaskOutput::abort);
      throw new JobStoppedException();
    }
    for (io.mapreduce.spi.JobOutput.TaskOutput f : files) {
      try {
        f.commit();
      } catch (java.nio.file.FileAlreadyExistsException e) {
        if (!gate.arbitrated()) {
          throw e;
        }
        // An earlier attempt that was granted the commit published this file (atomically) and
        // then went silent: it is whole, and this attempt's would be the same. Its other files
        // may not all be there: this attempt publishes the rest.
        f.abort();
      }
    }
  }

  /** Notes progress: a record read or written. Cheap enough for every record. */
  @Override
  public void progressed() {
    progress.setOpaque(progress.getPlain() + 1);
  }

  /** Progress from another thread than the attempt's (a streaming program's reporter lines). */
  @Override
  public void progressedElsewhere() {
    progress.incrementAndGet();
  }

  long progress() {
    return progress.getOpaque();
  }

  @Override
  public void onTimeout(Runnable kill) {
    onTimeout.add(kill);
  }

  /** Runs {@code body} as this attempt on the calling thread, killed if it makes no progress for {@code timeout}. */
  <T> T watched(Duration timeout, Callable<T> body) throws Exception {
    try (AttemptWatchdog.Watch w = AttemptWatchdog.shared().watch(this, timeout)) {
      return body.call();
    } catch (Exception | Error e) {
      String why = timedOut;
      if (why != null && !(e instanceof JobStoppedException)) {
        throw new TaskTimeoutException(why, e);
      }
      throw e;
    } finally {
      if (timedOut != null) {
        // The watchdog's interrupt must not reach what the thread does next.
        Thread.interrupted();
      }
    }
  }

  void runBy(Thread thread) {
    synchronized (runner) {
      runner[0] = thread;
    }
  }

  void ended() {
    synchronized (runner) {
      runner[0] = null;
    }
  }

  /**
   * Kills the attempt for making no progress for {@code timeout}: runs what it registered to stop
   * its programs, and interrupts its thread, unless it has ended meanwhile.
   */
  void timeOut(Duration timeout) {
    synchronized (runner) {
      if (runner[0] == null) {
        return;
      }
      long ms = timeout.toMillis();
      timedOut = "task " + taskId + " attempt " + attempt + " made no progress for "
          + (ms % 1000 == 0 ? ms / 1000 + " s" : ms + " ms") + " (mapreduce.task.timeout): killed";
      org.slf4j.LoggerFactory.getLogger(TaskAttempt.class).warn("job {}: {}", jobId, timedOut);
      for (Runnable kill : onTimeout) {
        try {
          kill.run();
        } catch (RuntimeException e) {
          org.slf4j.LoggerFactory.getLogger(TaskAttempt.class).warn("task {}: stopping it failed: {}", attemptId(),
              e.toString());
        }
      }
      runner[0].interrupt();
    }
  }

  /** Why the watchdog killed this attempt, or null if it did not. */
  String timedOut() {
    return timedOut;
  }

  /** Unwinds an attempt whose job no longer runs; never retried. */
  static final class JobStoppedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    JobStoppedException() {
      super("job stopped", null, false, false);
    }
  }
}

package io.mapreduce.internal.engine;

import io.mapreduce.Counters;
import io.mapreduce.Job;
import io.mapreduce.JobProgress;
import io.mapreduce.JobResult;
import io.mapreduce.MapReduceException;
import io.mapreduce.MapReduceSpecification;
import io.mapreduce.TaskFailedException;
import io.mapreduce.internal.engine.TaskAttempt.JobStoppedException;
import io.mapreduce.spi.InputSplit;
import io.mapreduce.internal.io.LocalStorage;
import io.mapreduce.spi.InputFile;
import io.mapreduce.spi.JobOutput;
import io.mapreduce.spi.Storage;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorCompletionService;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One job in the embedded engine. A driver thread plans the job, runs all map tasks on the pool
 * (several at once), then all reduce tasks, then commits; each task is retried up to the
 * specification's attempts. Whatever happens, the job directory is removed at the end, and the
 * output is published only by the commit.
 */
final class EmbeddedJob<K, V> extends Job {
  private static final Logger log = LoggerFactory.getLogger(EmbeddedJob.class);

  /** How long to wait for attempts that ignore the job's stop (user code stuck inside a record). */
  private static final long TASK_STOP_TIMEOUT_SECONDS = 30;

  private final MapReduceSpecification<K, V> spec;
  private final Map<String, Long> counters = new HashMap<>();
  private final AtomicInteger mapsCompleted = new AtomicInteger();
  private final AtomicInteger reducesCompleted = new AtomicInteger();
  private final LongAdder bytesRead = new LongAdder();
  private final LongAdder recordsRead = new LongAdder();
  private final ExecutorService pool;
  private final Thread driver;
  private volatile boolean stopped;
  private volatile int mapsTotal;
  private volatile long inputBytes;

  @SuppressWarnings("unchecked")
  EmbeddedJob(String id, MapReduceSpecification<?, ?> spec) {
    super(id);
    this.spec = (MapReduceSpecification<K, V>) spec;
    String shortId = id.substring(0, 8);
    AtomicInteger threads = new AtomicInteger();
    this.pool = Executors.newFixedThreadPool(spec.parallelism(), r -> {
      Thread t = new Thread(r, "mapreduce-" + shortId + "-task-" + threads.incrementAndGet());
      t.setDaemon(true);
      return t;
    });
    this.driver = new Thread(this::drive, "mapreduce-" + shortId + "-driver");
  }

  void start() {
    driver.start();
  }

  @Override
  public JobProgress progress() {
    return new JobProgress(mapsTotal, mapsCompleted.get(), spec.reduceTasks(), reducesCompleted.get(),
        inputBytes, bytesRead.sum(), recordsRead.sum());
  }

  @Override
  protected void onCancel() {
    stopped = true;
    pool.shutdownNow();
    driver.interrupt();
  }

  private void drive() {
    long start = System.nanoTime();
    JobOutput output = null;
    Path jobDirectory = spec.workDirectory().resolve("jobs").resolve(id());
    JobResult result = null;
    MapReduceException failure = null;
    try {
      Storage inputStorage = JobFiles.storageOf(spec.inputs());
      List<InputFile> files = JobFiles.listInputs(inputStorage, spec.inputs());
      List<InputSplit> splits = JobFiles.split(spec.inputFormat(), inputStorage, files, spec.splitSize());
      mapsTotal = splits.size();
      inputBytes = splits.stream().mapToLong(InputSplit::length).sum();
      output = JobFiles.createOutput(spec.output(), id());
      // The default work directory has a predictable name under $TMPDIR: another user's is refused.
      io.mapreduce.internal.io.PrivateDirectories.ensure(spec.workDirectory());
      Files.createDirectories(jobDirectory);
      JobPlan<K, V> plan = new JobPlan<>(id(), spec, inputStorage, splits, output, jobDirectory);
      log.info("job {} ({}): {} map tasks over {} bytes, {} reduce tasks", id(), spec.name(), splits.size(),
          inputBytes, spec.reduceTasks());
      spec.intermediate().ifPresent(dir -> log.info("job {}: intermediate {} is for clusters; this JVM keeps its"
          + " map outputs in {}", id(), dir, jobDirectory));

      List<MapTask.Output> mapOutputs = runMaps(plan);
      long mapsDone = System.nanoTime();
      long reducesDone = mapsDone;
      if (spec.reduceTasks() > 0) {
        runReduces(plan, mapOutputs);
        reducesDone = System.nanoTime();
      }
      if (!beginFinishing()) {
        throw new JobStoppedException();
      }
      // Side outputs are beside the main files, which the result lists.
      List<URI> outputFiles = output.commit().stream().filter(f -> JobFiles.isMainOutput(f, spec.outputBaseName())).toList();
      output = null;
      result = new JobResult(id(), outputFiles, Counters.of(counters),
          Duration.ofNanos(mapsDone - start), Duration.ofNanos(reducesDone - mapsDone),
          Duration.ofNanos(System.nanoTime() - start));
      log.info("job {} succeeded in {} ms", id(), result.total().toMillis());
    } catch (Throwable t) {
      // From here a cancel can no longer turn this failure into a cancellation.
      beginFinishing();
      failure = asFailure(t);
      if (!isDone()) {
        log.warn("job {} failed: {}", id(), failure.getMessage());
      }
    } finally {
      stopped = true;
      pool.shutdownNow();
      // Attempts still unwinding could write again into what is removed below.
      awaitTasks();
      if (output != null) {
        output.abort();
      }
      LocalStorage.deleteRecursively(jobDirectory);
    }
    // Completed only after the cleanup, so a caller of get() finds no leftovers.
    terminated();
    if (result != null) {
      succeed(result);
    } else {
      fail(failure);
    }
  }

  private void awaitTasks() {
    boolean interrupted = Thread.interrupted();
    try {
      if (!pool.awaitTermination(TASK_STOP_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
        log.warn("job {}: user code still running {} s after the job stopped; cleaning up without it", id(),
            TASK_STOP_TIMEOUT_SECONDS);
      }
    } catch (InterruptedException e) {
      interrupted = true;
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }

  private MapReduceException asFailure(Throwable t) {
    if (t instanceof MapReduceException e) {
      return e;
    }
    if (t instanceof JobStoppedException || t instanceof InterruptedException || isDone()) {
      return new MapReduceException("job " + id() + " was cancelled");
    }
    return new MapReduceException("job " + id() + " failed: " + t, t);
  }

  private List<MapTask.Output> runMaps(JobPlan<K, V> plan) throws Exception {
    List<Task<MapTask.Output>> tasks = new ArrayList<>();
    for (InputSplit split : plan.splits) {
      String taskId = String.format("m-%05d", split.index());
      tasks.add(new Task<>(taskId, split.file().path(), attempt -> {
        Path dir = plan.jobDirectory.resolve(taskId).resolve("attempt-" + attempt.attempt());
        try {
          return new MapTask<>(plan, split, attempt, dir, bytesRead, recordsRead).run();
        } catch (Throwable t) {
          LocalStorage.deleteRecursively(dir);
          throw t;
        }
      }, mapsCompleted));
    }
    return runAll(tasks);
  }

  private void runReduces(JobPlan<K, V> plan, List<MapTask.Output> mapOutputs) throws Exception {
    List<Task<Void>> tasks = new ArrayList<>();
    for (int r = 0; r < plan.reduceTasks(); r++) {
      int partition = r;
      tasks.add(new Task<>(String.format("r-%05d", r), null, attempt -> {
        new ReduceTask<>(plan, partition, ReduceTask.segmentsOf(mapOutputs, partition), attempt).run();
        return null;
      }, reducesCompleted));
    }
    runAll(tasks);
  }

  /** The "no space left on device" (ENOSPC) in a failure's causes, or null. */
  static IOException diskFull(Throwable t) {
    for (Throwable c = t; c != null; c = c.getCause()) {
      if (c instanceof IOException io && io.getMessage() != null
          && io.getMessage().contains("No space left on device")) {
        return io;
      }
    }
    return null;
  }

  interface TaskBody<T> {
    T run(TaskAttempt attempt) throws Exception;
  }

  /** A task and its retries. */
  private final class Task<T> {
    final String id;
    final String inputFile;
    final TaskBody<T> body;
    final AtomicInteger completed;

    Task(String id, String inputFile, TaskBody<T> body, AtomicInteger completed) {
      this.id = id;
      this.inputFile = inputFile;
      this.body = body;
      this.completed = completed;
    }

    T runWithRetries() throws Exception {
      Throwable last = null;
      String where = null;
      BadRecords bad = new BadRecords(spec.skipBadRecords());
      for (int n = 1; n <= spec.maxTaskAttempts(); n++) {
        TaskAttempt attempt = new TaskAttempt(id(), id, n, inputFile, spec.reduceTasks(), () -> stopped);
        attempt.skip(bad.skip());
        attempt.checkStopped();
        // An interrupt left by an earlier attempt's user code must not fail this one.
        Thread.interrupted();
        try {
          T result = body.run(attempt);
          synchronized (counters) {
            attempt.counterValues().forEach((name, v) -> counters.merge(name, v, Long::sum));
          }
          completed.incrementAndGet();
          return result;
        } catch (JobStoppedException e) {
          throw e;
        } catch (Exception | Error e) {
          if (stopped) {
            throw new JobStoppedException();
          }
          IOException full = diskFull(e);
          if (full != null) {
            // Retrying on a full disk only fills it again: fail the job now, saying so.
            throw new MapReduceException("disk full: no space left on device while task " + id + " wrote its files"
                + " (work directory " + spec.workDirectory() + ", output " + spec.output() + "): " + full.getMessage(),
                full);
          }
          last = e instanceof MapTask.CombinerException c ? c.getCause() : e;
          where = attempt.position();
          bad.failedAt(attempt.record());
          log.warn("task {} attempt {} of job {} failed{}: {}", id, n, id(), where == null ? "" : " at " + where,
              last.toString());
        }
      }
      throw new TaskFailedException(id(), id, spec.maxTaskAttempts(), where, last);
    }
  }

  /**
   * Runs tasks on the pool, all at once, and returns their results in order. The first task to
   * fail for good stops the others and fails the job.
   */
  private <T> List<T> runAll(List<Task<T>> tasks) throws Exception {
    ExecutorCompletionService<T> done = new ExecutorCompletionService<>(pool);
    Map<Future<T>, Integer> positions = new HashMap<>();
    for (int i = 0; i < tasks.size(); i++) {
      Task<T> task = tasks.get(i);
      positions.put(done.submit(task::runWithRetries), i);
    }
    List<T> results = new ArrayList<>(java.util.Collections.nCopies(tasks.size(), null));
    for (int i = 0; i < tasks.size(); i++) {
      Future<T> f = done.take();
      try {
        results.set(positions.get(f), f.get());
      } catch (ExecutionException e) {
        stopped = true;
        Throwable cause = e.getCause();
        if (cause instanceof Exception ex) {
          throw ex;
        }
        throw (Error) cause;
      } catch (CancellationException e) {
        throw new JobStoppedException();
      }
    }
    return results;
  }
}

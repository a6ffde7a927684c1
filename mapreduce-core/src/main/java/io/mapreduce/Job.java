package io.mapreduce;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A submitted job: a future of its {@link JobResult}, plus its id and live progress.
 *
 * <p>Cancelling the future stops the job's tasks and removes everything the job wrote; the output
 * directory is never created. A job that has begun its final commit can no longer be cancelled:
 * {@link #cancel} then returns false and the job completes normally. The cleanup after a cancel
 * runs in the background; {@link #awaitTermination} waits for it.
 *
 * <p>Engines subclass this class; applications only use it.
 */
public abstract class Job extends CompletableFuture<JobResult> {
  private static final int RUNNING = 0;
  private static final int STOPPED_FROM_OUTSIDE = 1;
  private static final int FINISHING = 2;

  private final String id;
  private final AtomicInteger state = new AtomicInteger(RUNNING);
  private final CountDownLatch terminated = new CountDownLatch(1);

  protected Job(String id) {
    this.id = id;
  }

  /** The job's id. */
  public final String id() {
    return id;
  }

  /** The job's progress now. */
  public abstract JobProgress progress();

  /**
   * Called once when the job is cancelled, or its future completed from outside, before it began
   * finishing; the engine stops the tasks and cleans up (possibly asynchronously).
   */
  protected abstract void onCancel();

  /**
   * The engine calls this once it knows how the job ends, right before it commits the output or
   * cleans up after a failure. Returns false if the job was cancelled (or its future completed
   * from outside) first, in which case the engine must not commit.
   */
  protected final boolean beginFinishing() {
    return state.compareAndSet(RUNNING, FINISHING);
  }

  /** Completes the future with the job's result; for the engine. */
  protected final boolean succeed(JobResult result) {
    return super.complete(result);
  }

  /** Completes the future with the job's failure; for the engine. */
  protected final boolean fail(Throwable failure) {
    return super.completeExceptionally(failure);
  }

  @Override
  public boolean cancel(boolean mayInterruptIfRunning) {
    if (!state.compareAndSet(RUNNING, STOPPED_FROM_OUTSIDE)) {
      return isCancelled();
    }
    boolean cancelled = super.cancel(mayInterruptIfRunning);
    onCancel();
    return cancelled;
  }

  /**
   * Completing a running job's future from outside (directly, or through {@code orTimeout}) stops
   * the job as {@link #cancel} does: the future then says the job is over, so it must not commit.
   */
  @Override
  public boolean complete(JobResult value) {
    if (!state.compareAndSet(RUNNING, STOPPED_FROM_OUTSIDE)) {
      return false;
    }
    boolean completed = super.complete(value);
    onCancel();
    return completed;
  }

  /** As {@link #complete}: stops the job first. */
  @Override
  public boolean completeExceptionally(Throwable failure) {
    if (!state.compareAndSet(RUNNING, STOPPED_FROM_OUTSIDE)) {
      return false;
    }
    boolean completed = super.completeExceptionally(failure);
    onCancel();
    return completed;
  }

  /** Not supported: a job's outcome cannot be rewritten. */
  @Override
  public void obtrudeValue(JobResult value) {
    throw new UnsupportedOperationException("a job's result cannot be obtruded");
  }

  /** Not supported: a job's outcome cannot be rewritten. */
  @Override
  public void obtrudeException(Throwable failure) {
    throw new UnsupportedOperationException("a job's failure cannot be obtruded");
  }

  /**
   * Waits until the job has stopped and removed its temporary files: at once for a job that
   * completed normally or failed, after the cleanup for a cancelled one.
   *
   * @return true if the job terminated within the timeout
   */
  public final boolean awaitTermination(Duration timeout) throws InterruptedException {
    return terminated.await(timeout.toNanos(), TimeUnit.NANOSECONDS);
  }

  /** The engine calls this once, when the job's tasks have stopped and its files are cleaned up. */
  protected final void terminated() {
    terminated.countDown();
  }

  /** Dependent stages are plain futures: cancelling one of them must not cancel the job. */
  @Override
  public <U> CompletableFuture<U> newIncompleteFuture() {
    return new CompletableFuture<>();
  }

  @Override
  public String toString() {
    return "Job[" + id + ", " + (isDone() ? (isCompletedExceptionally() ? "failed" : "succeeded") : "running") + "]";
  }
}

package io.mapreduce;

/**
 * A task failed on every attempt. The message names the job, the task, the attempt and the record
 * (file and byte offset for a map task, the key for a reduce task); the cause is the exception of
 * the last attempt, as user code threw it.
 */
public final class TaskFailedException extends MapReduceException {
  private static final long serialVersionUID = 1L;

  private final String taskId;
  private final int attempts;
  private final String record;

  public TaskFailedException(String jobId, String taskId, int attempts, String record, Throwable cause) {
    super("task " + taskId + " of job " + jobId + " failed after " + attempts
        + (attempts == 1 ? " attempt" : " attempts")
        + (record == null ? "" : ", at " + record) + ": " + cause, cause);
    this.taskId = taskId;
    this.attempts = attempts;
    this.record = record;
  }

  /** The failed task, as {@link TaskContext#taskId()}. */
  public String taskId() {
    return taskId;
  }

  /** How many attempts were made. */
  public int attempts() {
    return attempts;
  }

  /** Where the last attempt failed ({@code file:offset} or {@code key ...}), or null if not in a record. */
  public String record() {
    return record;
  }
}

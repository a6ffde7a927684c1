package io.mapreduce.internal.engine;

/**
 * Fails an attempt that the task timeout killed for making no progress; its cause is how the
 * attempt's code unwound (usually an interrupt, or a killed streaming program's exit status).
 */
final class TaskTimeoutException extends Exception {
  private static final long serialVersionUID = 1L;

  TaskTimeoutException(String message, Throwable cause) {
    super(message, cause);
  }
}

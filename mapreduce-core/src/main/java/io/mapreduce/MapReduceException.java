package io.mapreduce;

/** Thrown, or set as the cause of a failed job's future, when a job cannot run or fails. */
public class MapReduceException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public MapReduceException(String message) {
    super(message);
  }

  public MapReduceException(String message, Throwable cause) {
    super(message, cause);
  }
}

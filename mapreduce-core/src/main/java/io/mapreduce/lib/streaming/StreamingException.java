package io.mapreduce.lib.streaming;

import io.mapreduce.MapReduceException;

/**
 * A streaming program could not be started, exited with a status other than 0, or was killed. The
 * message names the program and its task attempt, and holds the exit status and the last lines of
 * its stderr.
 */
public class StreamingException extends MapReduceException {
  private static final long serialVersionUID = 1L;

  public StreamingException(String message) {
    super(message);
  }

  public StreamingException(String message, Throwable cause) {
    super(message, cause);
  }
}

package io.mapreduce.launcher;

import java.util.List;

/**
 * A remote step of a launcher failed: its message has one line per host at fault, each naming
 * the host, the step and why (so a command line prints them as they are, one per line).
 */
public final class StepFailedException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  StepFailedException(String message) {
    super(message);
  }

  /** One line per host at fault. */
  public List<String> lines() {
    return getMessage().lines().toList();
  }
}

package io.mapreduce.internal.engine;

/**
 * What library code running inside a task attempt (a streaming program's pumps) tells the task
 * timeout: that the attempt made progress, and how to stop what it started when it is killed.
 * Implemented by the {@code TaskContext} the engines pass to {@code setup}.
 */
public interface TaskProgress {
  /** Notes progress, from the attempt's own thread. */
  void progressed();

  /** Notes progress from another thread (a program's stderr reader). */
  void progressedElsewhere();

  /** Registers what to run when the attempt is killed for making no progress (before its thread is interrupted). */
  void onTimeout(Runnable kill);
}

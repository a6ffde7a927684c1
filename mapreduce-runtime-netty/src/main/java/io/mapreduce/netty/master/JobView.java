package io.mapreduce.netty.master;

import io.mapreduce.netty.protocol.Message.TaskKind;
import java.util.ArrayList;
import java.util.List;

/**
 * One job as its status page shows it: its counts and counters, the attempts it has running and
 * its last failed attempts. Bounded whatever the job's size: the running attempts are at most the
 * cluster's slots (a running task's attempts, not its tasks, are walked to build it), the failures
 * at most {@link RecentFailures#KEPT}. Immutable.
 *
 * @param status counts, counters, phase, elapsed time
 * @param running the attempts running, in the order their tasks started
 * @param recentFailures the last failed attempts, newest first
 * @param attemptsKept false for a job whose attempts the master no longer keeps (it ended)
 * @param takenAtNanos when it was built, on the master's clock
 */
record JobView(MasterState.Status.JobStatus status, List<RunningAttempt> running, List<FailedAttempt> recentFailures,
    boolean attemptsKept, long takenAtNanos) {
  JobView {
    running = List.copyOf(running);
    recentFailures = List.copyOf(recentFailures);
  }

  /** An attempt running, where, since when (on the master's clock). */
  record RunningAttempt(TaskKind kind, int index, int attempt, String worker, long startedAtNanos) {
    String task() {
      return taskName(kind, index);
    }
  }

  /**
   * A failed attempt and what its {@code TaskFailed} said: the failure ({@code class: message}) and
   * the record it failed at, if any, each cut to {@link RecentFailures#MAX_MESSAGE_CHARS}.
   */
  record FailedAttempt(TaskKind kind, int index, int attempt, String worker, long failedAtNanos, String position,
      String message) {
    String task() {
      return taskName(kind, index);
    }
  }

  /** Builds a running job's view; on the state thread, at the cost of its running attempts. */
  static JobView of(JobRun job, long now) {
    List<RunningAttempt> running = new ArrayList<>();
    for (Phase phase : List.of(job.mapPhase, job.reducePhase)) {
      for (Task t : phase.running) {
        for (Task.RunningAttempt a : t.running()) {
          running.add(new RunningAttempt(t.kind, t.index, a.attempt(), a.worker(), a.startedAt()));
        }
      }
    }
    return new JobView(job.status(now), running, job.recentFailures.newestFirst(), true, now);
  }

  /** A job of which only the counts are known (it ended: its attempts are gone with it). */
  static JobView countsOnly(MasterState.Status.JobStatus status, long now) {
    return new JobView(status, List.of(), List.of(), false, now);
  }

  /** As the master names tasks in its logs and messages ({@code m-00042}, {@code r-00007}). */
  static String taskName(TaskKind kind, int index) {
    String n = Integer.toString(index);
    StringBuilder b = new StringBuilder(8).append(kind == TaskKind.MAP ? "m-" : "r-");
    for (int i = n.length(); i < 5; i++) {
      b.append('0');
    }
    return b.append(n).toString();
  }
}

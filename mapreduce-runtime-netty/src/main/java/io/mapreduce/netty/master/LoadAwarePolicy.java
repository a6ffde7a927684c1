package io.mapreduce.netty.master;

import io.mapreduce.netty.protocol.Message.TaskKind;
import java.util.Comparator;
import java.util.List;

/**
 * Hands the next task to the least loaded worker, by what workers report: the fraction of its
 * slots in use, then its CPU load (a worker busy with other work gets less), then the order of
 * registration.
 */
final class LoadAwarePolicy implements SchedulingPolicy {
  private static final Comparator<WorkerView> LEAST_LOADED = Comparator
      .comparingDouble((WorkerView w) -> (double) w.runningTasks() / Math.max(1, w.slots()))
      .thenComparingDouble(w -> Math.max(0, w.cpuLoad()));
  /** Candidates compared: for the master simulation. */
  long loopSteps;

  @Override
  public WorkerView choose(String jobId, TaskKind kind, List<? extends WorkerView> candidates) {
    loopSteps += candidates.size();
    return candidates.stream().min(LEAST_LOADED).orElseThrow();
  }

  @Override
  public String name() {
    return "load-aware";
  }
}

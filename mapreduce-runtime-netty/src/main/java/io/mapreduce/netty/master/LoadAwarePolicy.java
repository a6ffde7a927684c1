package io.mapreduce.netty.master;

import io.mapreduce.netty.protocol.Message.TaskKind;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * Hands the next task to the least loaded worker, by what workers report: the fraction of its
 * slots in use, then its CPU load (a worker busy with other work gets less; an unknown load counts
 * as idle), then its seat. Keeps its own index of the free workers by load, told of every change,
 * so that a choice is its first entry (or the next, when the master leaves that one out).
 */
final class LoadAwarePolicy implements SchedulingPolicy {
  private record Load(double fraction, double cpu, int seat) {}

  private static final Comparator<Load> LEAST_LOADED = Comparator.comparingDouble(Load::fraction)
      .thenComparingDouble(Load::cpu).thenComparingInt(Load::seat);
  private final TreeMap<Load, WorkerView> free = new TreeMap<>(LEAST_LOADED);
  private final Map<String, Load> loads = new HashMap<>();
  /** Index updates and lookups (O(log W) each): for the master simulation. */
  long loopSteps;

  @Override
  public WorkerView choose(String jobId, TaskKind kind, FreeWorkers candidates) {
    // The least loaded of the candidates: the first in the index but for a worker the master
    // leaves out (the one a backup attempt must not run on).
    for (WorkerView w : free.values()) {
      loopSteps++;
      if (candidates.contains(w)) {
        return w;
      }
    }
    return null;
  }

  @Override
  public void workerChanged(WorkerView w) {
    workerGone(w);
    if (w.freeSlots() > 0) {
      loopSteps++;
      Load load = new Load((double) w.runningTasks() / Math.max(1, w.slots()), Math.max(0, w.cpuLoad()), w.seat());
      loads.put(w.id(), load);
      free.put(load, w);
    }
  }

  @Override
  public void workerGone(WorkerView w) {
    Load before = loads.remove(w.id());
    if (before != null) {
      loopSteps++;
      free.remove(before);
    }
  }

  @Override
  public String name() {
    return "load-aware";
  }
}

package io.mapreduce.netty.master;

import io.mapreduce.netty.protocol.Message.TaskKind;
import java.util.List;

/**
 * Pairs map and reduce work on different workers: a reduce goes preferably to a worker running no
 * map of its job, and a map to one running no reduce of its job, so reduces fetch on one machine
 * while maps compute on another. Falls back to dealing when no such worker has a slot.
 */
final class PairwisePolicy implements SchedulingPolicy {
  final CardDealingPolicy dealer = new CardDealingPolicy();
  /** Candidates filtered (the dealer counts its own): for the master simulation. */
  long loopSteps;

  @Override
  public WorkerView choose(String jobId, TaskKind kind, List<? extends WorkerView> candidates) {
    TaskKind other = kind == TaskKind.MAP ? TaskKind.REDUCE : TaskKind.MAP;
    loopSteps += candidates.size();
    List<? extends WorkerView> apart = candidates.stream().filter(w -> w.running(jobId, other) == 0).toList();
    return dealer.choose(jobId, kind, apart.isEmpty() ? candidates : apart);
  }

  @Override
  public String name() {
    return "pairwise";
  }
}

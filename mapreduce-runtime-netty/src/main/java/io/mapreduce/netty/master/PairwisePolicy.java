package io.mapreduce.netty.master;

import io.mapreduce.netty.protocol.Message.TaskKind;

/**
 * Pairs map and reduce work on different workers: a reduce goes preferably to a worker running no
 * map of its job, and a map to one running no reduce of its job, so reduces fetch on one machine
 * while maps compute on another. Looks round the table from where dealing stands, at most
 * {@link #LOOK_AHEAD} free workers (so a choice stays O(log W) in a cluster where no worker is
 * apart), and falls back to dealing when none of those is apart.
 */
final class PairwisePolicy implements SchedulingPolicy {
  /** Free workers looked at for one that runs nothing of the other kind, at most. */
  static final int LOOK_AHEAD = 64;
  final CardDealingPolicy dealer = new CardDealingPolicy();
  /** Workers looked at (the dealer counts its own lookups): for the master simulation. */
  long loopSteps;

  @Override
  public WorkerView choose(String jobId, TaskKind kind, FreeWorkers free) {
    TaskKind other = kind == TaskKind.MAP ? TaskKind.REDUCE : TaskKind.MAP;
    WorkerView start = dealer.next(free, dealer.lastSeat());
    WorkerView w = start;
    for (int i = 0; i < LOOK_AHEAD && w != null; i++) {
      loopSteps++;
      if (w.running(jobId, other) == 0) {
        dealer.dealtTo(w);
        return w;
      }
      w = dealer.next(free, w.seat());
      if (w == start) {
        break; // round the table
      }
    }
    return dealer.choose(jobId, kind, free);
  }

  @Override
  public String name() {
    return "pairwise";
  }
}

package io.mapreduce.netty.master;

import io.mapreduce.netty.protocol.Message.TaskKind;

/**
 * Deals tasks like cards: each to the next worker round the table after the one dealt to last,
 * skipping workers without a free slot. Spreads a job's tasks evenly whatever the workers' sizes.
 * Workers sit in the order they registered; a choice is a lookup in the master's index of free
 * workers by seat.
 */
final class CardDealingPolicy implements SchedulingPolicy {
  /** The seat dealt to last. */
  private int lastSeat = Integer.MIN_VALUE;
  /** Index lookups (O(log W) each): for the master simulation. */
  long loopSteps;

  @Override
  public WorkerView choose(String jobId, TaskKind kind, FreeWorkers free) {
    WorkerView next = next(free, lastSeat);
    if (next != null) {
      lastSeat = next.seat();
    }
    return next;
  }

  /** The next free worker round the table after {@code seat}, or null when none is free. */
  WorkerView next(FreeWorkers free, int seat) {
    loopSteps++;
    WorkerView next = free.after(seat);
    if (next == null) {
      loopSteps++;
      next = free.first();
    }
    return next;
  }

  /** Deals to this worker: the next deal starts after it. */
  void dealtTo(WorkerView w) {
    lastSeat = w.seat();
  }

  int lastSeat() {
    return lastSeat;
  }

  @Override
  public String name() {
    return "card-dealing";
  }
}

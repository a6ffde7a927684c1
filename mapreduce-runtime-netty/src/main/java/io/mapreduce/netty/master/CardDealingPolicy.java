package io.mapreduce.netty.master;

import io.mapreduce.netty.protocol.Message.TaskKind;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Deals tasks like cards: each to the next worker round the table after the one dealt to last,
 * skipping workers without a free slot. Spreads a job's tasks evenly whatever the workers' sizes.
 * A worker takes a seat at the table when first seen; a choice costs the candidates, not the table.
 */
final class CardDealingPolicy implements SchedulingPolicy {
  private final Map<String, Integer> seats = new HashMap<>();
  /** The seat dealt to last, or -1. */
  private int lastSeat = -1;
  /** Candidates looked at: for the master simulation. */
  long loopSteps;

  @Override
  public WorkerView choose(String jobId, TaskKind kind, List<? extends WorkerView> candidates) {
    // The next seat after the last one dealt to, round the table: the least seat above it, else
    // the least seat of all.
    WorkerView next = null;
    int nextSeat = Integer.MAX_VALUE;
    WorkerView first = null;
    int firstSeat = Integer.MAX_VALUE;
    for (WorkerView w : candidates) {
      loopSteps++;
      int seat = seats.computeIfAbsent(w.id(), id -> seats.size());
      if (seat > lastSeat && seat < nextSeat) {
        next = w;
        nextSeat = seat;
      }
      if (seat < firstSeat) {
        first = w;
        firstSeat = seat;
      }
    }
    WorkerView chosen = next != null ? next : first;
    lastSeat = next != null ? nextSeat : firstSeat;
    return chosen;
  }

  @Override
  public String name() {
    return "card-dealing";
  }
}

package io.mapreduce.netty.master;

import io.mapreduce.netty.protocol.Message.TaskKind;
import java.util.List;

/**
 * Deals tasks like cards: each to the next worker round the table after the one dealt to last,
 * skipping workers without a free slot. Spreads a job's tasks evenly whatever the workers' sizes.
 */
final class CardDealingPolicy implements SchedulingPolicy {
  private String lastDealt;
  private final java.util.ArrayList<String> table = new java.util.ArrayList<>();
  /** Steps of its loops and linear searches (a search counts the table's length): for the master simulation. */
  long loopSteps;

  @Override
  public WorkerView choose(String jobId, TaskKind kind, List<? extends WorkerView> candidates) {
    for (WorkerView w : candidates) {
      loopSteps += 1 + table.size();
      if (!table.contains(w.id())) {
        table.add(w.id());
      }
    }
    loopSteps += table.size();
    int start = lastDealt == null ? 0 : table.indexOf(lastDealt) + 1;
    for (int i = 0; i < table.size(); i++) {
      String id = table.get((start + i) % table.size());
      for (WorkerView w : candidates) {
        loopSteps++;
        if (w.id().equals(id)) {
          lastDealt = id;
          return w;
        }
      }
    }
    return candidates.get(0);
  }

  @Override
  public String name() {
    return "card-dealing";
  }
}

package io.mapreduce.netty.master;

import io.mapreduce.netty.protocol.Message.TaskKind;
import java.util.List;
import java.util.Locale;
import java.util.TreeMap;

/**
 * Chooses which worker runs the next task. The master asks once per task it could start, with a
 * view of the workers that have a free slot, by seat (the order they registered in); the policy
 * may return null to leave the task for later. A choice costs O(log W): the view answers "the
 * next free worker after this seat" from an index the master keeps, and a policy that orders
 * workers otherwise keeps its own index, told of each change ({@link #workerChanged}). Adding a
 * policy is one class and one line in {@link #named}.
 */
public interface SchedulingPolicy {

  /** A worker as a policy sees it. */
  interface WorkerView {
    String id();

    String host();

    /** Its place at the table: workers are seated in the order they registered. */
    int seat();

    int slots();

    int freeSlots();

    int runningTasks();

    /** Attempts of this job and kind running there. */
    int running(String jobId, TaskKind kind);

    /** The CPU load it reported in its last heartbeat (the one-minute load average per core), or -1. */
    double cpuLoad();
  }

  /** The workers with a free slot, by seat. */
  interface FreeWorkers {
    /** The free worker with the least seat above {@code seat}, or null. */
    WorkerView after(int seat);

    /** The free worker with the least seat, or null when none is free. */
    default WorkerView first() {
      return after(Integer.MIN_VALUE);
    }

    /** Whether this worker is one of them. */
    boolean contains(WorkerView worker);

    /** Every free worker, by seat: O(W), for a policy that must look at them all. */
    List<? extends WorkerView> all();

    /** A view of these workers (each with a free slot). */
    static FreeWorkers of(List<? extends WorkerView> workers) {
      TreeMap<Integer, WorkerView> bySeat = new TreeMap<>();
      for (WorkerView w : workers) {
        bySeat.put(w.seat(), w);
      }
      return new FreeWorkers() {
        @Override
        public WorkerView after(int seat) {
          var e = bySeat.higherEntry(seat);
          return e == null ? null : e.getValue();
        }

        @Override
        public boolean contains(WorkerView worker) {
          return bySeat.get(worker.seat()) == worker;
        }

        @Override
        public List<? extends WorkerView> all() {
          return List.copyOf(bySeat.values());
        }
      };
    }
  }

  /**
   * The worker for the next task of kind {@code kind} of job {@code jobId}, among {@code free}
   * (at least one), or null to wait.
   */
  WorkerView choose(String jobId, TaskKind kind, FreeWorkers free);

  /** A worker registered, or its running attempts or its reported load changed. */
  default void workerChanged(WorkerView worker) {}

  /** A worker is gone. */
  default void workerGone(WorkerView worker) {}

  /** The name the command line uses. */
  String name();

  /** The policy for a command-line name: {@code card-dealing}, {@code pairwise} or {@code load-aware}. */
  static SchedulingPolicy named(String name) {
    return switch (name.toLowerCase(Locale.ROOT)) {
      case "card-dealing" -> new CardDealingPolicy();
      case "pairwise" -> new PairwisePolicy();
      case "load-aware" -> new LoadAwarePolicy();
      default -> throw new IllegalArgumentException(
          "unknown scheduler '" + name + "': expected card-dealing, pairwise or load-aware");
    };
  }
}

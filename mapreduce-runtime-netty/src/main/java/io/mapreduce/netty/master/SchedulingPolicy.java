package io.mapreduce.netty.master;

import io.mapreduce.netty.protocol.Message.TaskKind;
import java.util.List;
import java.util.Locale;

/**
 * Chooses which worker runs the next task. The master asks once per task it could start, with the
 * workers that have a free slot, in the order they registered; the policy may return null to
 * leave the task for later. Adding a policy is one class and one line in {@link #named}.
 */
public interface SchedulingPolicy {

  /** A worker as a policy sees it. */
  interface WorkerView {
    String id();

    String host();

    int slots();

    int freeSlots();

    int runningTasks();

    /** Attempts of this job and kind running there. */
    int running(String jobId, TaskKind kind);

    /** The CPU load it reported in its last heartbeat (the one-minute load average per core), or -1. */
    double cpuLoad();
  }

  /**
   * The worker for the next task of kind {@code kind} of job {@code jobId}, among
   * {@code candidates} (non-empty, each with a free slot), or null to wait.
   */
  WorkerView choose(String jobId, TaskKind kind, List<? extends WorkerView> candidates);

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

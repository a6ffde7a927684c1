package io.mapreduce.netty.master;

import java.time.Duration;
import java.util.Locale;

/**
 * What {@link MasterSimulation} simulates: the cluster, the job, task times and faults. Issue 13's
 * scale is {@link #full()}: the paper's M = 200,000 maps and R = 5,000 reduces on 2,000 workers of
 * 2 slots; {@link #tenth()} divides workers, maps and reduces by ten and keeps everything else.
 *
 * @param slowWorkers the fraction of workers {@code slowdown} times slower (at least one)
 * @param mapMedian the median map time; times are lognormal with shape {@code sigma}
 * @param reduceMedian the median time of a reduce after its last fetch, to its commit request
 * @param mapPhaseLosses workers lost while maps remain, spread evenly over the maps' progress;
 *     alternately by a closed connection (the master hears at once) and silently (it finds out by
 *     missed heartbeats)
 * @param reducePhaseLosses workers lost once every map is done, alternating the same way, spread
 *     over the reduces' progress from 10% to 45% done (before the restart), or from 55% to 90%
 *     with {@code lossesAfterRestart}
 * @param restartAt the fraction of reduces done at which the master restarts from its journal
 *     (workers re-register after it and say which jobs' map outputs they hold); negative: never
 * @param lossesAfterRestart whether the reduce phase's losses come after the restart: then the
 *     outputs of maps restored from the journal are lost with their workers (see the report)
 */
record SimulationScenario(String name, int workers, int slots, int maps, int reduces, long seed, double slowWorkers,
    double slowdown, Duration mapMedian, Duration reduceMedian, double sigma, int mapPhaseLosses,
    int reducePhaseLosses, double restartAt, boolean lossesAfterRestart, String policy) {

  SimulationScenario {
    if (workers < 1 || slots < 1 || maps < 1 || reduces < 1) {
      throw new IllegalArgumentException("workers, slots, maps and reduces must be at least 1");
    }
    if (mapPhaseLosses + reducePhaseLosses >= workers) {
      throw new IllegalArgumentException("losing " + (mapPhaseLosses + reducePhaseLosses) + " of " + workers
          + " workers leaves none");
    }
    SchedulingPolicy.named(policy); // checks the name
  }

  /** Issue 13's scale: W = 2,000 workers of 2 slots, M = 200,000, R = 5,000. */
  static SimulationScenario full() {
    return new SimulationScenario("full", 2_000, 2, 200_000, 5_000, 1, 0.01, 5, Duration.ofSeconds(10),
        Duration.ofSeconds(20), 0.5, 20, 5, 0.5, false, "card-dealing");
  }

  /** One tenth: W = 200, M = 20,000, R = 500, the same faults. */
  static SimulationScenario tenth() {
    return full().scaled("tenth", 10);
  }

  /** {@code full} or {@code tenth}. */
  static SimulationScenario named(String scale) {
    return switch (scale.toLowerCase(Locale.ROOT)) {
      case "full" -> full();
      case "tenth" -> tenth();
      default -> throw new IllegalArgumentException("unknown scale '" + scale + "': expected full or tenth");
    };
  }

  /** Workers, maps and reduces divided by {@code divisor}; faults and times as they are. */
  SimulationScenario scaled(String newName, int divisor) {
    return new SimulationScenario(newName, workers / divisor, slots, maps / divisor, reduces / divisor, seed,
        slowWorkers, slowdown, mapMedian, reduceMedian, sigma, mapPhaseLosses, reducePhaseLosses, restartAt,
        lossesAfterRestart, policy);
  }

  SimulationScenario withSeed(long s) {
    return new SimulationScenario(name, workers, slots, maps, reduces, s, slowWorkers, slowdown, mapMedian,
        reduceMedian, sigma, mapPhaseLosses, reducePhaseLosses, restartAt, lossesAfterRestart, policy);
  }

  SimulationScenario withPolicy(String p) {
    return new SimulationScenario(name, workers, slots, maps, reduces, seed, slowWorkers, slowdown, mapMedian,
        reduceMedian, sigma, mapPhaseLosses, reducePhaseLosses, restartAt, lossesAfterRestart, p);
  }

  SimulationScenario withLossesAfterRestart(boolean after) {
    return new SimulationScenario(name, workers, slots, maps, reduces, seed, slowWorkers, slowdown, mapMedian,
        reduceMedian, sigma, mapPhaseLosses, reducePhaseLosses, restartAt, after, policy);
  }

  /** The share of issue 13's full scale, by maps: budgets that grow with the job are scaled by it. */
  double shareOfFull() {
    return maps / (double) full().maps();
  }

  @Override
  public String toString() {
    return String.format(Locale.ROOT, "%s: W=%,d workers x %d slots, M=%,d maps, R=%,d reduces, seed %d, policy %s;"
        + " task times lognormal (sigma %.2f), median map %d s, reduce %d s; %.0f%% of workers %.0fx slower;"
        + " faults: %d workers lost in the map phase, %d in the reduce phase %s the master's restart %s", name,
        workers, slots, maps, reduces, seed, policy, sigma, mapMedian.toSeconds(), reduceMedian.toSeconds(),
        slowWorkers * 100, slowdown, mapPhaseLosses, reducePhaseLosses, lossesAfterRestart ? "after" : "before",
        restartAt < 0 ? "none" : String.format(Locale.ROOT, "at %.0f%% of reduces done", restartAt * 100));
  }
}

package io.mapreduce.netty.master;

import static org.assertj.core.api.Assertions.assertThat;

import io.mapreduce.netty.master.SimulationMeter.Event;
import io.mapreduce.netty.master.SimulationMeter.EventStats;
import io.mapreduce.netty.master.SimulationMeter.MessageStats;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The master simulation at one tenth of issue 13's scale (W = 200, M = 20,000, R = 500, with its
 * faults), run once for the class: what must always hold, and the budgets that do not
 * depend on the machine (counted steps, messages and bytes, the journal, the heap by a walk of the
 * master's objects). Times (CPU, the slowest event) are printed in the report, not asserted: they
 * are measured by the benchmark script, on a quiet machine (BENCHMARKS.md).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MasterSimulationTest {
  private SimulationResult tenth;

  @BeforeAll
  void simulateOneTenthScale(@TempDir Path journalDir) throws Exception {
    tenth = new MasterSimulation(SimulationScenario.tenth(), journalDir, Duration.ofMinutes(5), false).run();
    System.out.print(SimulationReport.format(tenth));
  }

  @Test
  void oneTenth_jobSucceeds_withEveryMapAndReduceDoneAndCountedOnce() {
    assertThat(tenth.outcome()).isEqualTo("succeeded");
    assertThat(tenth.mapsDone()).isEqualTo(20_000);
    assertThat(tenth.reducesDone()).isEqualTo(500);
    assertThat(tenth.jobSucceededMessages()).isEqualTo(1);
    // Counters count the first successful attempt of each task only, across re-runs and the restart.
    assertThat(tenth.counters()).containsEntry("map.input.records", 20_000 * 1000L)
        .containsEntry("reduce.input.groups", 500 * 100L);
  }

  @Test
  void oneTenth_eachReduceOutputAndTheJobOutputAreCommittedOnce() {
    assertThat(tenth.published()).isEqualTo(500);
    assertThat(tenth.doubleGrants()).isZero();
    assertThat(tenth.commitsAsked()).isEqualTo(1);
    assertThat(tenth.aborts()).isZero();
  }

  @Test
  void oneTenth_noWorkerGetsMoreAttemptsThanSlots_norAnAttemptOfAJobItWasNotGiven() {
    assertThat(tenth.overbooked()).isZero();
    assertThat(tenth.withoutStartJob()).isZero();
    assertThat(tenth.liveWorkersDropped()).isZero();
  }

  @Test
  void oneTenth_everyFaultHappened_andTheMasterRecovered() {
    assertThat(tenth.mapPhaseLosses()).isEqualTo(20);
    assertThat(tenth.reducePhaseLosses()).isEqualTo(5);
    assertThat(tenth.restarted()).isTrue();
    assertThat(tenth.meter().events.get(Event.RESTART).count).isEqualTo(1);
    assertThat(tenth.meter().journalEntriesReplayed).isPositive();
    assertThat(tenth.fetchFailuresReported()).isPositive();
    assertThat(tenth.mapsLost()).isPositive();
    assertThat(tenth.counters()).containsKey(MasterState.BACKUP_ATTEMPTS);
  }

  // Issue 13's budgets at this scale (those that grow with the job, a tenth of the full one).

  @Test
  void oneTenth_budget_noMessageOverOneMiB() {
    assertThat(tenth.meter().largestMessageBytes).isLessThanOrEqualTo(1 << 20);
  }

  @Test
  void oneTenth_budget_atMost64LoopStepsPerEvent_onAverageOverAllEvents() {
    EventStats all = tenth.meter().total();
    assertThat(all.steps / (double) all.count).isLessThanOrEqualTo(64);
  }

  @Test
  void oneTenth_budget_journalCompactedOnceTheJobEnded() {
    // The simulated job's outcome lists no output files; a real one's lists each (see BENCHMARKS.md).
    assertThat(tenth.meter().journalBytesLeft).isLessThanOrEqualTo(10_000L);
  }

  @Test
  void oneTenth_budget_atMost64LoopStepsPerEvent_heartbeatsAside() {
    assertThat(tenth.meter().stepsPerNonHeartbeatEvent()).isLessThanOrEqualTo(64);
  }

  @Test
  void oneTenth_budget_masterSendsAtMostATenthOf3GB() {
    assertThat(tenth.meter().bytesToWorkers + tenth.meter().bytesToClient).isLessThanOrEqualTo(300_000_000L);
  }

  @Test
  void oneTenth_budget_journalAtMostATenthOf100MB() {
    assertThat(tenth.meter().journalBytes).isLessThanOrEqualTo(10_000_000L);
  }

  // The heap by JOL's walk of the master's objects: the same objects give the same bytes on any
  // machine with the same JVM settings (compressed pointers on: a heap under 32 GB).

  @Test
  void oneTenth_budget_masterHeapPerRunningJob_atMostATenthOf100MB() {
    assertThat(tenth.masterHeapRunningJob()).isPositive().isLessThanOrEqualTo(10_000_000L);
  }

  @Test
  void oneTenth_budget_masterHeapPerFinishedJob_atMost10KB() {
    assertThat(tenth.masterHeapFinishedJob()).isNotNegative().isLessThanOrEqualTo(10_000L);
  }

  @Test
  void sameScenarioAndSeed_sameDeterministicCounts(@TempDir Path a, @TempDir Path b) throws Exception {
    SimulationScenario small = new SimulationScenario("small", 40, 2, 2_000, 50, 3, 0.05, 5, Duration.ofSeconds(10),
        Duration.ofSeconds(20), 0.5, 4, 2, 0.5, false, "pairwise");
    SimulationResult first = new MasterSimulation(small, a, Duration.ofMinutes(2), false).run();
    SimulationResult second = new MasterSimulation(small, b, Duration.ofMinutes(2), false).run();

    assertThat(first.outcome()).isEqualTo("succeeded");
    assertThat(counts(second)).isEqualTo(counts(first));
    assertThat(second.simulatedNanos()).isEqualTo(first.simulatedNanos());
    assertThat(second.meter().journalBytes).isEqualTo(first.meter().journalBytes);
  }

  /** Events (count, loop steps) and messages (count, bytes) by type: what does not depend on the machine. */
  private static Map<String, String> counts(SimulationResult r) {
    Map<String, String> counts = new TreeMap<>();
    for (Map.Entry<Event, EventStats> e : r.meter().events.entrySet()) {
      counts.put(e.getKey().name(), e.getValue().count + " events, " + e.getValue().steps + " steps");
    }
    counts.putAll(r.meter().messages.entrySet().stream().collect(Collectors.toMap(Map.Entry::getKey,
        e -> countAndBytes(e.getValue()))));
    return counts;
  }

  private static String countAndBytes(MessageStats s) {
    return s.count + " messages, " + s.bytes + " bytes";
  }
}

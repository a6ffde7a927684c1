package io.mapreduce.netty.master;

import java.util.List;
import java.util.Map;

/**
 * How a {@link MasterSimulation} ended, and what it counted and measured.
 *
 * @param outcome {@code succeeded}, {@code failed: ...}, or why it stopped before the job ended
 * @param mapsDone maps done when it ended, as the master last told the client
 * @param mapsDoneAtNanos simulated time when every map was first done, or -1
 * @param counters the job's counters, from {@code JobSucceeded}
 * @param published reduce outputs published (by the first attempt granted each commit)
 * @param foundPublished granted attempts that found their task's output already published
 * @param doubleGrants commits granted while another granted attempt of the task still ran
 * @param overbooked attempts started on a worker with no free slot
 * @param withoutStartJob attempts started on a worker never sent the job
 * @param liveWorkersDropped live workers the master took for lost (it closed their connections)
 * @param mapsLost maps whose output was declared lost ({@code Journal.MapLost}): re-run
 */
record SimulationResult(SimulationScenario scenario, String outcome, boolean succeeded, int mapsDone, int reducesDone,
    long simulatedNanos, long mapsDoneAtNanos, long wallNanos, long events, SimulationMeter meter,
    Map<String, Long> counters, int jobSucceededMessages, int commitsAsked, int aborts, int published,
    int foundPublished, int doubleGrants, int deniedCommits, int overbooked, int withoutStartJob,
    int fetchFailuresReported, int messagesToDeadWorkers, int liveWorkersDropped, int mapsLost, int mapPhaseLosses,
    int reducePhaseLosses, boolean restarted, List<String> faults) {

  /** The master's heap with one job running (at the end of its map phase), or -1 if not measured. */
  long masterHeapRunningJob() {
    return meter.masterAtMapsDone < 0 || meter.masterBaseline < 0 ? -1 : meter.masterAtMapsDone - meter.masterBaseline;
  }

  /** What the master keeps of the finished job (its workers aside): after the job over before it, or -1. */
  long masterHeapFinishedJob() {
    return meter.masterJobsAfterJob < 0 || meter.masterJobsBaseline < 0 ? -1
        : meter.masterJobsAfterJob - meter.masterJobsBaseline;
  }
}

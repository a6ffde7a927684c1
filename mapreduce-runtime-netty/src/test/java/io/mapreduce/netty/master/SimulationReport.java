package io.mapreduce.netty.master;

import io.mapreduce.netty.master.SimulationMeter.Event;
import io.mapreduce.netty.master.SimulationMeter.EventStats;
import io.mapreduce.netty.master.SimulationMeter.MessageStats;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The text {@link MasterSimulation} prints, and issue 13's budgets checked against a result. */
final class SimulationReport {
  private static final double MB = 1e6;

  private SimulationReport() {}

  /**
   * One of issue 13's budgets at full scale: {@code limit} is scaled to the run's share of full
   * scale when the budget grows with the job ({@code scaled}), and {@code measured} is -1 when the
   * run did not get far enough to measure it. Deterministic budgets are the same on any machine.
   */
  record Budget(String name, double limit, double measured, String unit, boolean scaled, boolean deterministic) {
    boolean measuredAtAll() {
      return measured >= 0;
    }

    boolean holds() {
      return measuredAtAll() && measured <= limit;
    }
  }

  static List<Budget> budgets(SimulationResult r) {
    SimulationMeter m = r.meter();
    double share = r.scenario().shareOfFull();
    EventStats all = m.total();
    List<Budget> b = new ArrayList<>();
    double perEvent = all.steps / (double) Math.max(1, all.count);
    b.add(new Budget("loop steps per event, on average over all events", 64, perEvent, "steps", false, true));
    b.add(new Budget("loop steps per event, heartbeats aside", 64, m.stepsPerNonHeartbeatEvent(), "steps", false,
        true));
    b.add(new Budget("bytes sent by the master in all", 3e9 * share, m.bytesToWorkers + m.bytesToClient, "bytes", true,
        true));
    b.add(new Budget("largest message", 1 << 20, m.largestMessageBytes, "bytes", false, true));
    b.add(new Budget("journal bytes per job", 100 * MB * share, m.journalBytes, "bytes", true, true));
    b.add(new Budget("journal bytes left once the job ended (compacted)", 10_000, r.succeeded() ? m.journalBytesLeft : -1,
        "bytes", false, true));
    b.add(new Budget("slowest event (the restore, before the master listens, aside)", 50e6, m.latency.max(), "ns",
        false, false));
    b.add(new Budget("state-thread CPU for the job", 30e9 * share, all.cpuNanos, "ns", true, false));
    b.add(new Budget("master heap per running job", 100 * MB * share, r.masterHeapRunningJob(), "bytes", true, false));
    b.add(new Budget("master heap per finished job", 10_000, r.masterHeapFinishedJob(), "bytes", false, false));
    return b;
  }

  static String format(SimulationResult r) {
    StringBuilder out = new StringBuilder();
    SimulationMeter m = r.meter();
    line(out, "master simulation, %s", r.scenario());
    line(out, "outcome: %s; simulated %.1f s (every map done at %s); wall %.1f s; %,d simulated events", r.outcome(),
        r.simulatedNanos() / 1e9, r.mapsDoneAtNanos() < 0 ? "-" : String.format(Locale.ROOT, "%.1f s",
            r.mapsDoneAtNanos() / 1e9), r.wallNanos() / 1e9, r.events());
    line(out, "progress: maps %,d of %,d, reduces %,d of %,d done", r.mapsDone(), r.scenario().maps(), r.reducesDone(),
        r.scenario().reduces());
    line(out, "");
    line(out, "faults:");
    r.faults().forEach(f -> line(out, "  %s", f));
    line(out, "checks: reduce outputs published %,d of %,d (each once; %d granted attempts found theirs published),"
        + " commits granted twice at once %d, commits denied %d, job commits asked %d, JobSucceeded sent %d, aborts %d",
        r.published(), r.scenario().reduces(), r.foundPublished(), r.doubleGrants(), r.deniedCommits(),
        r.commitsAsked(), r.jobSucceededMessages(), r.aborts());
    line(out, "        attempts on a full worker %d, without StartJob %d; fetch failures reported %d; maps re-run for"
        + " lost outputs %d; messages to dead workers %,d; live workers taken for lost %d", r.overbooked(),
        r.withoutStartJob(), r.fetchFailuresReported(), r.mapsLost(), r.messagesToDeadWorkers(),
        r.liveWorkersDropped());
    line(out, "counters: %s", new java.util.TreeMap<>(r.counters()));
    line(out, "");
    events(out, m);
    line(out, "");
    messages(out, m);
    line(out, "");
    EventStats all = m.total();
    line(out, "state thread: %.2f s CPU in events (%.2f s wall), of which journal appends %.2f s wall; event"
        + " latency p50 %s, p99 %s, max %s (%s at %.1f s simulated); the restore from the journal (before the"
        + " restarted master listens) %s", all.cpuNanos / 1e9, all.wallNanos / 1e9,
        m.journalAppendNanos / 1e9, duration(m.latency.percentile(0.5)), duration(m.latency.percentile(0.99)),
        duration(m.latency.max()), m.slowestEvent, m.slowestAtNanos / 1e9, duration(m.restoreWallNanos));
    line(out, "heap after GC (whole JVM): %s before the job; %s with every map done, of which %s are the simulated"
        + " reducers' fetch sets; %s after the job; %s once the master is dropped", mb(m.heapBaseline),
        mb(m.heapAtMapsDone), mb(m.simulationBytesAtMapsDone), mb(m.heapAfterJob), mb(m.heapWithoutMaster));
    line(out, "master heap (JOL's walk of its objects): %s with the workers registered, %s with every map done"
        + " (the running job: %s); its workers aside, %s before the job and %s after it (the finished job kept: %s)",
        kb(m.masterBaseline), kb(m.masterAtMapsDone), kb(r.masterHeapRunningJob()), kb(m.masterJobsBaseline),
        kb(m.masterJobsAfterJob), kb(r.masterHeapFinishedJob()));
    line(out, "journal: %,d entries appended (on the state thread; written by its own), %s in all, %s left at the end"
        + " (compacted when no job runs), appends %.2f s wall; the restart read %,d entries in %.0f ms",
        m.journalEntries, mb(m.journalBytes), mb(m.journalBytesLeft), m.journalAppendNanos / 1e9,
        m.journalEntriesReplayed, m.journalReadNanos / 1e6);
    line(out, "");
    line(out, "budgets of issue 13 (full scale; those that grow with the job scaled by %.3g here):",
        r.scenario().shareOfFull());
    for (Budget b : budgets(r)) {
      // A job that did not end may still exceed a budget, but cannot meet one yet.
      String verdict = !b.measuredAtAll() ? "[not reached]" : !b.holds() ? "[FAILS]"
          : r.succeeded() ? "[holds]" : "[so far]";
      line(out, "  %-13s %-52s limit %-10s measured %-10s %s", verdict, b.name(), amount(b.limit(), b.unit()),
          amount(b.measured(), b.unit()), b.deterministic() ? "(deterministic)" : "(measured)");
    }
    return out.toString();
  }

  private static void events(StringBuilder out, SimulationMeter m) {
    line(out, "events (deterministic: counts and loop steps; measured: CPU and wall latency):");
    line(out, "  %-17s %11s %17s %13s %13s %10s %10s %10s %10s", "event", "count", "loop steps", "steps/event",
        "max steps", "CPU ms", "max CPU", "p99", "max");
    for (Map.Entry<Event, EventStats> e : m.events.entrySet()) {
      eventRow(out, e.getKey().name(), e.getValue(), e.getValue().latency);
    }
    eventRow(out, "all", m.total(), m.latency);
    line(out, "  loop steps per event: %.1f over all events, %.1f heartbeats aside",
        m.total().steps / (double) Math.max(1, m.total().count), m.stepsPerNonHeartbeatEvent());
    for (Map.Entry<Event, EventStats> e : m.events.entrySet()) {
      EventStats s = e.getValue();
      if (s.maxSteps > 10_000 || s.maxCpuNanos > 10_000_000) {
        line(out, "  %s: the most steps (%,d) at %.3f s simulated, the most CPU (%s) at %.3f s", e.getKey(),
            s.maxSteps, s.maxStepsAtNanos / 1e9, duration(s.maxCpuNanos), s.maxCpuAtNanos / 1e9);
      }
    }
  }

  private static void eventRow(StringBuilder out, String name, EventStats s, SimulationMeter.LatencyHistogram h) {
    line(out, "  %-17s %,11d %,17d %,13.1f %,13d %,10.0f %10s %10s %10s", name, s.count, s.steps,
        s.steps / (double) Math.max(1, s.count), s.maxSteps, s.cpuNanos / 1e6, duration(s.maxCpuNanos),
        duration(h.percentile(0.99)), duration(h.max()));
  }

  private static void messages(StringBuilder out, SimulationMeter m) {
    line(out, "messages sent by the master (framed bytes, by the protocol's encoder):");
    line(out, "  %-20s %11s %17s %13s", "type", "count", "bytes", "max bytes");
    for (Map.Entry<String, MessageStats> e : m.messagesByBytes()) {
      line(out, "  %-20s %,11d %,17d %,13d", e.getKey(), e.getValue().count, e.getValue().bytes, e.getValue().maxBytes);
    }
    line(out, "  to workers %,d messages, %,d bytes; to the client %,d messages, %,d bytes; largest %s of %,d bytes",
        m.messagesToWorkers, m.bytesToWorkers, m.messagesToClient, m.bytesToClient, m.largestMessage,
        m.largestMessageBytes);
  }

  private static String amount(double v, String unit) {
    if (v < 0) {
      return "-";
    }
    return switch (unit) {
      case "ns" -> duration((long) v);
      case "bytes" -> v >= MB ? String.format(Locale.ROOT, "%.1f MB", v / MB)
          : String.format(Locale.ROOT, "%.1f KB", v / 1e3);
      default -> String.format(Locale.ROOT, "%.1f", v);
    };
  }

  private static String duration(long nanos) {
    return nanos >= 1_000_000_000L ? String.format(Locale.ROOT, "%.2f s", nanos / 1e9)
        : nanos >= 1_000_000L ? String.format(Locale.ROOT, "%.1f ms", nanos / 1e6)
        : String.format(Locale.ROOT, "%.1f us", nanos / 1e3);
  }

  private static String kb(long bytes) {
    return bytes < 0 ? "-" : String.format(Locale.ROOT, "%,.1f KB", bytes / 1e3);
  }

  private static String mb(long bytes) {
    return bytes < 0 ? "-" : String.format(Locale.ROOT, "%.1f MB", bytes / MB);
  }

  private static void line(StringBuilder out, String format, Object... args) {
    out.append(String.format(Locale.ROOT, format, args)).append('\n');
  }
}

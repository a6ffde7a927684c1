package io.mapreduce.netty.master;

import io.mapreduce.internal.engine.ShippedJob;
import io.mapreduce.netty.protocol.Message;
import io.mapreduce.netty.protocol.Message.TaskKind;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One running job as the master tracks it: its tasks by kind ({@link Phase}), the transitions of
 * a task's attempts (the one place a task goes back to pending), the counts and counter totals
 * kept as tasks move, and its log of map completions. No Netty; confined to the state thread.
 */
final class JobRun {
  /** A map the journal says is done, by that attempt. */
  record Restored(Task map, int attempt) {}

  final String id;
  final ShippedJob job;
  final List<Message.Split> splits;
  final long inputBytes;
  final long startedAt;
  long mapsFinishedAt;
  boolean mapsFinished;
  int mapsDone;
  int reducesDone;
  int failedAttempts;
  /** Its last failed attempts and what they said, for its status page (a bounded ring). */
  final RecentFailures recentFailures = new RecentFailures();
  /** The counters of the tasks done, summed as they finish. */
  final Map<String, Long> counterTotals = new HashMap<>();
  /** The names of the counters its maps keep, numbered. */
  final Task.CounterNames counterNames = new Task.CounterNames();
  /** Maps restored from the journal as done, by the address of the worker that held them. */
  final Map<String, List<Restored>> restoredOn = new HashMap<>();
  /**
   * The maps done on each worker, whose outputs are lost with it, by index: appended as maps
   * finish; an index whose map ran again since (its doneOn is another worker, or none) is skipped.
   */
  final Map<String, IntList> mapsDoneOn = new HashMap<>();
  /** Workers running reduce attempts of this job, with how many: they hear of new map outputs. */
  final Map<String, Integer> reducersOn = new HashMap<>();
  final Phase mapPhase;
  final Phase reducePhase;
  boolean finishing;
  String outcome;
  int backups;
  List<String> jars = List.of();
  /**
   * Where map outputs are, in the order maps finished (a map run again appears again, later):
   * the log each worker running reduces of the job is sent from its own cursor.
   */
  final MapCompletionLog completions;
  /** For each worker that ran reduces of the job, how much of {@link #completions} it was sent. */
  final Map<String, Integer> sentTo = new HashMap<>();
  /** When map outputs were last sent out, on the injected clock, and how many there were then. */
  long lastFlush = Long.MIN_VALUE / 2;
  int flushedUpTo;
  final Set<String> startedOn = new HashSet<>();

  JobRun(String id, ShippedJob job, List<Message.Split> splits, long inputBytes, long startedAt) {
    this.id = id;
    this.job = job;
    // Kept as given (immutable, or the caller's to drop): copying 200,000 would cost the job's start.
    this.splits = java.util.Collections.unmodifiableList(splits);
    this.mapPhase = new Phase(TaskKind.MAP, splits.size());
    this.reducePhase = new Phase(TaskKind.REDUCE, job.reduceTasks());
    this.inputBytes = inputBytes;
    this.startedAt = startedAt;
    this.completions = new MapCompletionLog(id, (map, attempt) -> {
      Task t = mapPhase.task(map);
      return t.state == Task.Status.DONE && t.doneAttempt == attempt;
    });
  }

  /** A map's completion went into the log at {@code position}. */
  void logged(Task map, int position) {
    map.loggedAt = position;
  }

  /** How long map outputs wait to go out together: see {@link MasterState#MAP_OUTPUTS_EVERY_PER_WORKER}. */
  long flushInterval() {
    return Math.max(MasterState.MAP_OUTPUTS_EVERY.toNanos(),
        sentTo.size() * MasterState.MAP_OUTPUTS_EVERY_PER_WORKER.toNanos());
  }

  Task task(TaskKind kind, int index) {
    return phase(kind).task(index);
  }

  Phase phase(TaskKind kind) {
    return kind == TaskKind.MAP ? mapPhase : reducePhase;
  }

  /** An attempt of {@code t} started on {@code worker}. */
  void attemptStarted(Task t, int attempt, String worker, long now) {
    Phase phase = phase(t.kind);
    if (t.state == Task.Status.PENDING) {
      phase.pending--;
    }
    t.state = Task.Status.RUNNING;
    t.attemptRunning(attempt, worker, now);
    phase.running.add(t);
    if (t.kind == TaskKind.REDUCE) {
      reducersOn.merge(worker, 1, Integer::sum);
    }
  }

  /**
   * An attempt of {@code t} is gone (succeeded, failed, killed, lost): a task not done with no
   * attempt left is pending again. The one place a task goes back to its queue after running.
   */
  void attemptGone(Task t, int attempt) {
    Task.RunningAttempt ended = t.attemptEnded(attempt);
    if (ended == null) {
      return;
    }
    String worker = ended.worker();
    if (t.kind == TaskKind.REDUCE) {
      reducersOn.computeIfPresent(worker, (w, n) -> n == 1 ? null : n - 1);
    }
    if (t.runningCount() == 0) {
      phase(t.kind).running.remove(t);
      if (t.state != Task.Status.DONE) {
        pending(t);
      }
    }
  }

  /** Makes a task pending and queues it, unless it is queued already. */
  void pending(Task t) {
    Phase phase = phase(t.kind);
    if (t.state != Task.Status.PENDING) {
      phase.pending++;
    }
    t.state = Task.Status.PENDING;
    phase.queue(t);
  }

  /**
   * A task is done (its state set): counts, counters and, when it ran under this master (a task
   * restored from the journal has no duration: -1), durations follow. A map keeps its counters,
   * which a lost output takes back.
   */
  void done(Task t, long durationNanos, Map<String, Long> counters) {
    if (t.kind == TaskKind.MAP) {
      mapsDone++;
      t.keepCounters(counters, counterNames);
    } else {
      reducesDone++;
    }
    if (durationNanos >= 0) {
      phase(t.kind).durations.add(durationNanos);
    }
    counters.forEach((k, v) -> counterTotals.merge(k, v, Long::sum));
  }

  /** A done map's output is lost: it is pending again, and its counters no longer count. */
  void undone(Task m) {
    mapsDone--;
    m.counters(counterNames).forEach((k, v) -> counterTotals.merge(k, -v, Long::sum));
    m.forgetCounters();
    pending(m);
  }

  Map<String, Long> counters() {
    Map<String, Long> sum = new HashMap<>(counterTotals);
    if (backups > 0) {
      sum.put(MasterState.BACKUP_ATTEMPTS, (long) backups);
    }
    return sum;
  }

  MasterState.Status.JobStatus status(long now) {
    String phase = outcome != null ? outcome
        : finishing ? "committing" : mapsDone < mapPhase.size() ? "map" : "reduce";
    return new MasterState.Status.JobStatus(id, job.name(), phase, mapPhase.size(), mapsDone, reducePhase.size(), reducesDone,
        failedAttempts,
        counters(), Duration.ofNanos(now - startedAt).toMillis());
  }
}

package io.mapreduce.netty.master;

import io.mapreduce.thirdparty.com.esotericsoftware.kryo.io.Input;
import io.mapreduce.thirdparty.com.esotericsoftware.kryo.io.Output;
import io.mapreduce.internal.engine.BadRecords;
import io.mapreduce.netty.protocol.Message.TaskKind;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One map or reduce task of a running job, as the master tracks it. Kept small, because a job of
 * the paper's size has 205,000 of them: what only some tasks need (running attempts, the records
 * attempts failed on, a map's counters) is allocated when needed, and counters are kept encoded.
 * Confined to the master's state thread.
 */
final class Task {
  enum Status {
    PENDING,
    RUNNING,
    DONE
  }

  /** An attempt running, where, since when (on the master's clock). */
  record RunningAttempt(int attempt, String worker, long startedAt) {}

  private static final RunningAttempt[] NONE = new RunningAttempt[0];

  final TaskKind kind;
  final int index;
  Status state = Status.PENDING;
  /** The number of the last attempt started. */
  int attempts;
  int failures;
  /** Running attempts, oldest first: one, or two with a backup. */
  private RunningAttempt[] running = NONE;
  /** The worker holding the output of the attempt that succeeded (maps), or null. */
  String doneOn;
  int doneAttempt;
  /** The attempt last granted the commit, or 0. */
  int committer;
  /** Reducers' reports that this map's output could not be fetched. */
  int fetchFailures;
  /** Times its output was declared lost on reducers' reports, and the map ran again. */
  int outputsLost;
  /** Where its last completion is in the job's log (maps). */
  int loggedAt;
  /** Whether it got a backup attempt (once per task). */
  boolean backedUp;
  /** Whether it is in its phase's queue of pending tasks (maybe no longer pending: skipped then). */
  boolean queued;
  /** The records its attempts failed on, and those the next attempts skip; null until one fails on a record. */
  private BadRecords bad;
  /** The counters of the attempt that succeeded, encoded (maps: a lost output takes them back); or null. */
  private byte[] counters;

  Task(TaskKind kind, int index) {
    this.kind = kind;
    this.index = index;
  }

  String name() {
    return String.format("%s-%05d", kind == TaskKind.MAP ? "m" : "r", index);
  }

  // ---------------------------------------------------------------- running attempts

  /** The worker running this attempt, or null when it is not running. */
  String runningOn(int attempt) {
    RunningAttempt a = runningAttempt(attempt);
    return a == null ? null : a.worker;
  }

  /** Whether this attempt is running on that worker (only it may report or commit the attempt). */
  boolean isRunningOn(int attempt, String worker) {
    return worker.equals(runningOn(attempt));
  }

  /** This attempt, if it is running; or null. */
  RunningAttempt runningAttempt(int attempt) {
    for (RunningAttempt a : running) {
      if (a.attempt == attempt) {
        return a;
      }
    }
    return null;
  }

  int runningCount() {
    return running.length;
  }

  /** The running attempts, oldest first (a copy). */
  List<RunningAttempt> running() {
    return List.of(running);
  }

  void attemptRunning(int attempt, String worker, long now) {
    running = Arrays.copyOf(running, running.length + 1);
    running[running.length - 1] = new RunningAttempt(attempt, worker, now);
  }

  /** The attempt no longer runs; returns it, or null if it was not running. */
  RunningAttempt attemptEnded(int attempt) {
    for (int i = 0; i < running.length; i++) {
      if (running[i].attempt == attempt) {
        RunningAttempt ended = running[i];
        RunningAttempt[] rest = new RunningAttempt[running.length - 1];
        System.arraycopy(running, 0, rest, 0, i);
        System.arraycopy(running, i + 1, rest, i, rest.length - i);
        running = rest.length == 0 ? NONE : rest;
        return ended;
      }
    }
    return null;
  }

  // ---------------------------------------------------------------- bad records

  /** An attempt failed on this record (-1: not in a record). */
  void failedAt(long record, boolean skipping) {
    if (record >= 0) {
      if (bad == null) {
        bad = new BadRecords(skipping);
      }
      bad.failedAt(record);
    }
  }

  /** The records the next attempt skips. */
  List<Long> skip() {
    return bad == null ? new ArrayList<>() : new ArrayList<>(bad.skip());
  }

  // ---------------------------------------------------------------- counters

  /** Keeps the counters of the attempt that succeeded, their names numbered by {@code names}. */
  void keepCounters(Map<String, Long> values, CounterNames names) {
    if (values.isEmpty()) {
      counters = null;
      return;
    }
    Output out = new Output(8 + 6 * values.size(), -1);
    out.writeVarInt(values.size(), true);
    values.forEach((name, value) -> {
      out.writeVarInt(names.number(name), true);
      out.writeVarLong(value, false);
    });
    counters = out.toBytes();
  }

  /** The counters kept, decoded (empty when none). */
  Map<String, Long> counters(CounterNames names) {
    if (counters == null) {
      return Map.of();
    }
    Input in = new Input(counters);
    int n = in.readVarInt(true);
    Map<String, Long> values = new HashMap<>(n * 2);
    for (int i = 0; i < n; i++) {
      values.put(names.name(in.readVarInt(true)), in.readVarLong(false));
    }
    return values;
  }

  void forgetCounters() {
    counters = null;
  }

  /** A job's counter names, numbered as they first appear: tasks keep numbers, not names. */
  static final class CounterNames {
    private final List<String> names = new ArrayList<>();
    private final Map<String, Integer> numbers = new HashMap<>();

    int number(String name) {
      Integer n = numbers.get(name);
      if (n == null) {
        n = names.size();
        names.add(name);
        numbers.put(name, n);
      }
      return n;
    }

    String name(int number) {
      return names.get(number);
    }
  }
}

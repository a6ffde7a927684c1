package io.mapreduce.netty.master;

import io.mapreduce.netty.protocol.Message.TaskKind;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.PriorityQueue;
import java.util.Set;

/**
 * The tasks of one kind of a job, with what scheduling and backups need kept as tasks move: the
 * pending tasks in index order (O(log n) each way), how many are pending, which have attempts
 * running, and the durations of those done.
 *
 * <p>A job of 200,000 maps starts in O(1), not O(M): a task object is made when first asked for,
 * and the tasks never queued are those from a cursor on, in index order, so only tasks queued again
 * (re-run, failed, lost) go into the priority queue. Confined to the master's state thread.
 */
final class Phase {
  final TaskKind kind;
  private final Task[] tasks;
  /** Tasks from this index on have never left the queue of pending tasks they started in. */
  private int neverTaken;
  /** Tasks pending again (or still), lowest index first, as the tasks were numbered. */
  private final PriorityQueue<Task> queued = new PriorityQueue<>(Comparator.comparingInt(t -> t.index));
  /** Attempts of tasks made from now on are numbered above this (a restarted master's). */
  private int attemptFloor;
  int pending;
  final Set<Task> running = new LinkedHashSet<>();
  final RunningMedian durations = new RunningMedian();

  Phase(TaskKind kind, int size) {
    this.kind = kind;
    this.tasks = new Task[size];
    this.pending = size;
  }

  int size() {
    return tasks.length;
  }

  /** The task of this index (made now if it was not), or null when there is none. */
  Task task(int index) {
    if (index < 0 || index >= tasks.length) {
      return null;
    }
    Task t = tasks[index];
    if (t == null) {
      t = new Task(kind, index);
      t.attempts = attemptFloor;
      // Not yet taken from its first queue: it is queued, at the cursor's side.
      t.queued = index >= neverTaken;
      tasks[index] = t;
    }
    return t;
  }

  /** The queued task of the lowest index (maybe no longer pending: the caller skips it), or null. */
  Task peekQueued() {
    return nextIsNeverTaken() ? task(neverTaken) : queued.peek();
  }

  /** Takes {@link #peekQueued} off the queue. */
  void pollQueued() {
    Task t = nextIsNeverTaken() ? task(neverTaken++) : queued.poll();
    if (t != null) {
      t.queued = false;
    }
  }

  /** Whether the lowest queued index is the cursor's, not one queued again. */
  private boolean nextIsNeverTaken() {
    Task again = queued.peek();
    return neverTaken < tasks.length && (again == null || neverTaken < again.index);
  }

  /** Queues a task again, unless it is queued already. */
  void queue(Task t) {
    if (!t.queued) {
      t.queued = true;
      queued.add(t);
    }
  }

  /** Attempts started from now on are numbered above {@code floor}, in every task of the phase. */
  void numberAttemptsAbove(int floor) {
    attemptFloor = floor;
    for (Task t : tasks) {
      if (t != null) {
        t.attempts = Math.max(t.attempts, floor);
      }
    }
  }
}

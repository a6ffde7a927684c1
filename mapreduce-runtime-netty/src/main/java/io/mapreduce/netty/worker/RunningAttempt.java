package io.mapreduce.netty.worker;

import io.mapreduce.netty.protocol.Message.TaskKind;
import java.util.concurrent.CompletableFuture;

/**
 * An attempt running on this worker: what the master may stop, and the commit answer it waits for.
 * Written by the event loop (killed, answered), read by the attempt's task thread.
 */
final class RunningAttempt {
  final TaskKind kind;
  final int index;
  final int attempt;
  volatile boolean stopped;
  volatile CompletableFuture<Boolean> commitAnswer;

  RunningAttempt(TaskKind kind, int index, int attempt) {
    this.kind = kind;
    this.index = index;
    this.attempt = attempt;
  }

  /** The key the job's running attempts are kept under. */
  Key key() {
    return new Key(kind, index, attempt);
  }

  /** Stops the attempt; a commit request it is waiting on is denied. */
  void stop() {
    stopped = true;
    CompletableFuture<Boolean> answer = commitAnswer;
    if (answer != null) {
      answer.complete(false);
    }
  }

  /** The task's name, as the task's files and the master's logs spell it ({@code m-00003}). */
  String name() {
    return String.format("%s-%05d", kind == TaskKind.MAP ? "m" : "r", index);
  }

  record Key(TaskKind kind, int index, int attempt) {}
}

package io.mapreduce.netty.master;

import io.mapreduce.netty.protocol.Message;
import io.mapreduce.netty.protocol.Message.TaskKind;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * A job's last failed attempts and what they said, for its status page. A ring: a job whose tasks
 * fail by the thousand keeps the last {@link #KEPT}, each message cut to its first line and to
 * {@link #MAX_MESSAGE_CHARS}, so a bad job costs the master a few tens of KB at most. The page
 * says what failed (the exception's class and message, the record's position), not how: a
 * message's further lines (a streaming program's stderr, a wrapped cause's stack, paths of the
 * worker's files) stay in the workers' logs and in what the submitting client is told, out of
 * reach of whoever can read the page. Confined to the state thread, except for the lists {@link #newestFirst} hands
 * out, which are immutable.
 */
final class RecentFailures {
  /** Failed attempts kept per job. */
  static final int KEPT = 100;
  /** A failure's message (and the position it names) is cut to this many characters. */
  static final int MAX_MESSAGE_CHARS = 300;

  private final ArrayDeque<JobView.FailedAttempt> ring = new ArrayDeque<>();
  /**
   * {@link #ring}, newest first, as last handed out; null once a failure came since. Made once per
   * change, not once per status snapshot: a job's failures change far less often than the master
   * ticks.
   */
  private List<JobView.FailedAttempt> newestFirst = List.of();

  /** An attempt failed, saying this ({@code position}: the record it failed at, or null). */
  void add(TaskKind kind, int index, int attempt, String worker, long atNanos, String position,
      Message.Failure failure) {
    if (ring.size() == KEPT) {
      ring.removeFirst();
    }
    ring.addLast(new JobView.FailedAttempt(kind, index, attempt, worker, atNanos, cut(position),
        cut(failure == null ? "unknown failure" : failure.toString())));
    newestFirst = null;
  }

  /** The failed attempts kept, newest first (immutable). */
  List<JobView.FailedAttempt> newestFirst() {
    if (newestFirst == null) {
      List<JobView.FailedAttempt> list = new ArrayList<>(ring.size());
      for (Iterator<JobView.FailedAttempt> it = ring.descendingIterator(); it.hasNext(); ) {
        list.add(it.next());
      }
      newestFirst = List.copyOf(list);
    }
    return newestFirst;
  }

  /**
   * The first line, cut to {@link #MAX_MESSAGE_CHARS}, an ellipsis saying when something was left
   * out; never in the middle of a surrogate pair.
   */
  static String cut(String s) {
    if (s == null) {
      return null;
    }
    int newline = firstLineEnd(s);
    if (newline < s.length()) {
      s = s.substring(0, newline) + "\u2026";
    }
    if (s.length() <= MAX_MESSAGE_CHARS) {
      return s;
    }
    int end = MAX_MESSAGE_CHARS - 1;
    if (Character.isHighSurrogate(s.charAt(end - 1))) {
      end--;
    }
    return s.substring(0, end) + "\u2026";
  }

  private static int firstLineEnd(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '\n' || c == '\r') {
        return i;
      }
    }
    return s.length();
  }
}

package io.mapreduce.netty.master;

import java.time.Duration;

/**
 * When a status page connection must have taken its next step, or be closed. Every deadline is
 * absolute, set when a step begins and never moved by bytes arriving, so a client that sends a
 * byte a second gains nothing over one that sends none:
 * <ul>
 *   <li>a request (head and body) must arrive whole within {@link Limits#request()} of the
 *       connection's start, or of its first byte after an answer;
 *   <li>an answer must be taken by the client (written to the socket) within {@link
 *       Limits#answer()}: one that reads nothing cannot hold it longer;
 *   <li>between requests, a kept-alive connection may wait {@link Limits#idle()} for the next.
 * </ul>
 * Netty-free, on an injected clock (nanoseconds); confined to the connection's event loop.
 */
final class ConnectionDeadlines {
  /**
   * The status page's bounds on its connections.
   *
   * @param maxConnections connections open at once; more are refused (503) and closed
   * @param request the longest a request may take to arrive whole
   * @param answer the longest an answer may take to be written
   * @param idle the longest a kept-alive connection waits for its next request
   */
  record Limits(int maxConnections, Duration request, Duration answer, Duration idle) {
    /** 64 connections; 10 s for a request, 30 s for an answer, 30 s idle. */
    static final Limits DEFAULT = new Limits(64, Duration.ofSeconds(10), Duration.ofSeconds(30), Duration.ofSeconds(30));

    Limits {
      if (maxConnections < 1) {
        throw new IllegalArgumentException("maxConnections must be at least 1, was " + maxConnections);
      }
      for (Duration d : new Duration[] {request, answer, idle}) {
        if (d.isNegative() || d.isZero()) {
          throw new IllegalArgumentException("a status page deadline must be positive, was " + d);
        }
      }
    }
  }

  /** What the connection waits for. */
  enum Step {
    /** Its request: a deadline from the start of the connection, or from the first byte after idling. */
    REQUEST("a whole request"),
    /** The client to take its answer. */
    ANSWER("the client to read its answer"),
    /** Its next request's first byte. */
    IDLE("another request");

    final String waitingFor;

    Step(String waitingFor) {
      this.waitingFor = waitingFor;
    }
  }

  private final Limits limits;
  private Step step = Step.REQUEST;
  private long deadline;
  private long since;

  ConnectionDeadlines(Limits limits, long now) {
    this.limits = limits;
    start(Step.REQUEST, now);
  }

  /** Bytes arrived: after an idle wait they start a request; otherwise nothing moves. */
  void bytesArrived(long now) {
    if (step == Step.IDLE) {
      start(Step.REQUEST, now);
    }
  }

  /** A whole request arrived: its answer must now be written. */
  void requestArrived(long now) {
    start(Step.ANSWER, now);
  }

  /** The answer was written: the connection may idle until its next request. */
  void answered(long now) {
    start(Step.IDLE, now);
  }

  /** When the current step must be done by. */
  long deadline() {
    return deadline;
  }

  boolean expired(long now) {
    return now - deadline >= 0;
  }

  /** Why the connection is being closed, for the log: what it waited for and how long. */
  String expiry(long now) {
    return "waited " + Duration.ofNanos(now - since).toMillis() + " ms for " + step.waitingFor;
  }

  Step step() {
    return step;
  }

  private void start(Step s, long now) {
    step = s;
    since = now;
    Duration d = s == Step.REQUEST ? limits.request() : s == Step.ANSWER ? limits.answer() : limits.idle();
    deadline = now + d.toNanos();
  }
}

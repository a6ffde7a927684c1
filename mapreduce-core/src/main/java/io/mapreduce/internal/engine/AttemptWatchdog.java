package io.mapreduce.internal.engine;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Kills task attempts that make no progress for their job's task timeout (Hadoop's
 * {@code mapreduce.task.timeout}), so that a hung program cannot hang a job for ever. Attempts
 * bump a progress count (a plain store per record); the watchdog alone reads the clock: when it
 * finds an attempt's count unchanged for the timeout, it {@linkplain TaskAttempt#timeOut kills}
 * it, and the engine's usual retry runs the task again.
 *
 * <p>One per process ({@link #shared()}, one daemon thread checking every {@link #CHECK_EVERY}),
 * serving the embedded engine and a cluster worker alike, as both run attempts through
 * {@link MapTask} and {@link ReduceTask}. Tests make their own with a clock of their own and call
 * {@link #check()}.
 */
final class AttemptWatchdog {
  private static final Logger log = LoggerFactory.getLogger(AttemptWatchdog.class);
  /** How often the shared watchdog looks: a timeout is noticed at most this late. */
  static final Duration CHECK_EVERY = Duration.ofMillis(500);
  private static volatile AttemptWatchdog shared;

  private final LongSupplier nanoClock;
  private final Map<TaskAttempt, Watched> watched = new ConcurrentHashMap<>();

  AttemptWatchdog(LongSupplier nanoClock) {
    this.nanoClock = nanoClock;
  }

  /** The process's watchdog, its thread started on first use. */
  static AttemptWatchdog shared() {
    AttemptWatchdog w = shared;
    if (w == null) {
      synchronized (AttemptWatchdog.class) {
        w = shared;
        if (w == null) {
          w = new AttemptWatchdog(System::nanoTime);
          ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "mapreduce-task-watchdog");
            t.setDaemon(true);
            return t;
          });
          AttemptWatchdog self = w;
          timer.scheduleWithFixedDelay(() -> {
            try {
              self.check();
            } catch (RuntimeException e) {
              log.warn("task watchdog: {}", e.toString());
            }
          }, CHECK_EVERY.toMillis(), CHECK_EVERY.toMillis(), TimeUnit.MILLISECONDS);
          shared = w;
        }
      }
    }
    return w;
  }

  /** What the watchdog last saw of an attempt: its progress count, and when that changed. */
  private static final class Watched {
    final long timeoutNanos;
    long progress;
    long since;

    Watched(long timeoutNanos, long progress, long since) {
      this.timeoutNanos = timeoutNanos;
      this.progress = progress;
      this.since = since;
    }
  }

  /**
   * Watches {@code attempt}, run by the calling thread, until the returned handle is closed. A
   * zero timeout watches nothing, as Hadoop's 0 means never.
   */
  Watch watch(TaskAttempt attempt, Duration timeout) {
    if (timeout.isZero()) {
      return () -> {};
    }
    attempt.runBy(Thread.currentThread());
    watched.put(attempt, new Watched(timeout.toNanos(), attempt.progress(), nanoClock.getAsLong()));
    return () -> {
      watched.remove(attempt);
      attempt.ended();
    };
  }

  /** Kills the attempts that made no progress for their timeout. Called by one thread at a time. */
  void check() {
    long now = nanoClock.getAsLong();
    watched.forEach((attempt, w) -> {
      long progress = attempt.progress();
      if (progress != w.progress) {
        w.progress = progress;
        w.since = now;
      } else if (now - w.since >= w.timeoutNanos) {
        watched.remove(attempt);
        attempt.timeOut(Duration.ofNanos(w.timeoutNanos));
      }
    });
  }

  /** Ends the watch of one attempt: after close, the watchdog no longer interrupts its thread. */
  interface Watch extends AutoCloseable {
    @Override
    void close();
  }
}

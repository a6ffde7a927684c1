package io.mapreduce.internal.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The task timeout's watchdog, on a clock the test moves. */
class AttemptWatchdogTest {
  private long now = 1_000_000L;
  private final AttemptWatchdog watchdog = new AttemptWatchdog(() -> now);
  private final TaskAttempt attempt = new TaskAttempt("job-1", "m-00003", 1, null, 1, () -> false);
  private final AtomicInteger kills = new AtomicInteger();

  @AfterEach
  void clearInterrupt() {
    Thread.interrupted();
  }

  private void advance(Duration d) {
    now += d.toNanos();
  }

  @Test
  void check_noProgressForTheTimeout_killsAndInterruptsNamingTheTaskAndSetting() {
    attempt.onTimeout(kills::incrementAndGet);
    try (AttemptWatchdog.Watch w = watchdog.watch(attempt, Duration.ofMinutes(10))) {
      advance(Duration.ofSeconds(599));
      watchdog.check();
      assertThat(kills).hasValue(0);
      assertThat(Thread.currentThread().isInterrupted()).isFalse();

      advance(Duration.ofSeconds(1));
      watchdog.check();
      assertThat(kills).hasValue(1);
      assertThat(Thread.interrupted()).as("the attempt's thread was interrupted").isTrue();
      assertThat(attempt.timedOut())
          .isEqualTo("task m-00003 attempt 1 made no progress for 600 s (mapreduce.task.timeout): killed");

      // Killed once: the watchdog no longer watches it.
      advance(Duration.ofMinutes(20));
      watchdog.check();
      assertThat(kills).hasValue(1);
    }
  }

  @Test
  void check_progressWithinEachTimeout_neverKills() {
    attempt.onTimeout(kills::incrementAndGet);
    try (AttemptWatchdog.Watch w = watchdog.watch(attempt, Duration.ofSeconds(2))) {
      for (int i = 0; i < 100; i++) {
        advance(Duration.ofMillis(1500));
        if (i % 2 == 0) {
          attempt.progressed();
        } else {
          attempt.progressedElsewhere();
        }
        watchdog.check();
      }
      assertThat(kills).hasValue(0);
      assertThat(attempt.timedOut()).isNull();
      // Progress is counted from when the watchdog last saw it change.
      advance(Duration.ofMillis(1999));
      watchdog.check();
      assertThat(kills).hasValue(0);
      advance(Duration.ofMillis(1));
      watchdog.check();
      assertThat(kills).hasValue(1);
    }
  }

  @Test
  void check_zeroTimeout_neverKills() {
    attempt.onTimeout(kills::incrementAndGet);
    try (AttemptWatchdog.Watch w = watchdog.watch(attempt, Duration.ZERO)) {
      advance(Duration.ofDays(3));
      watchdog.check();
      assertThat(kills).hasValue(0);
    }
  }

  @Test
  void timeOut_afterTheAttemptEnded_interruptsNothing() {
    attempt.onTimeout(kills::incrementAndGet);
    watchdog.watch(attempt, Duration.ofSeconds(1)).close();
    attempt.timeOut(Duration.ofSeconds(1));
    advance(Duration.ofSeconds(5));
    watchdog.check();
    assertThat(kills).hasValue(0);
    assertThat(Thread.currentThread().isInterrupted()).isFalse();
    assertThat(attempt.timedOut()).isNull();
  }

  @Test
  void watched_killedAttempt_failsWithTheTimeoutMessageAndLeavesNoInterrupt() {
    Exception e = org.junit.jupiter.api.Assertions.assertThrows(TaskTimeoutException.class,
        () -> attempt.watched(Duration.ofMillis(300), () -> {
          Thread.sleep(60_000);
          return null;
        }));
    assertThat(e).hasMessage("task m-00003 attempt 1 made no progress for 300 ms (mapreduce.task.timeout): killed")
        .hasCauseInstanceOf(InterruptedException.class);
    assertThat(Thread.currentThread().isInterrupted()).isFalse();
  }
}

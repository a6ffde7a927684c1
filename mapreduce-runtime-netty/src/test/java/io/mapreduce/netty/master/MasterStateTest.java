package io.mapreduce.netty.master;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mapreduce.internal.engine.ShippedJob;
import io.mapreduce.spi.InputSplit;
import io.mapreduce.netty.protocol.Message;
import io.mapreduce.netty.protocol.Message.EndJob;
import io.mapreduce.netty.protocol.Message.Failure;
import io.mapreduce.netty.protocol.Message.JobProgressUpdate;
import io.mapreduce.netty.protocol.Message.MapLocation;
import io.mapreduce.netty.protocol.Message.MapOutputs;
import io.mapreduce.netty.protocol.MapOutputBook;
import io.mapreduce.netty.protocol.Message.RunMap;
import io.mapreduce.netty.protocol.Message.RunReduce;
import io.mapreduce.netty.protocol.Message.StartJob;
import io.mapreduce.netty.protocol.Message.TaskKind;
import io.mapreduce.spi.InputFile;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class MasterStateTest {
  private static final String J = "job-1";
  private static final String FILE = "/in/a.txt";
  private static final long SPLIT = 100;
  private static final String W1 = "worker-1";
  private static final String W2 = "worker-2";

  record ToWorker(String workerId, Object message) {}

  /** A {@code MapOutputs} message as the worker reads it: its outputs with their addresses. */
  record Locations(String jobId, List<MapLocation> locations) {}

  record ToClient(String jobId, Message message) {}

  /** The world as the state machine sees it: it records everything it is asked to do. */
  static final class RecordingOutbox implements MasterState.Outbox {
    final List<Integer> logEnds = new ArrayList<>();
    /** Each worker's copy of each job's shuffle addresses, as the real worker keeps them. */
    final Map<String, MapOutputBook> books = new java.util.HashMap<>();
    final List<List<Journal.Entry>> compactions = new ArrayList<>();

    @Override
    public void compactJournal(List<Journal.Entry> keep) {
      compactions.add(keep);
    }
    final List<ToWorker> workers = new ArrayList<>();
    final List<ToClient> clients = new ArrayList<>();
    final List<String> commits = new ArrayList<>();
    final List<String> aborts = new ArrayList<>();
    int scheduleMore;

    @Override
    public void scheduleMore() {
      scheduleMore++;
    }

    @Override
    public void toWorker(String workerId, Message message) {
      Object seen = message;
      if (message instanceof MapOutputs o) {
        // Tests compare locations, read as the worker reads them, and those sent to a worker in a
        // row as one (the master cuts what it sends where messages can be shared:
        // MapCompletionLogTest); how far into the log they reach is asserted on its own.
        logEnds.add(o.logEnd());
        List<MapLocation> locations = books.computeIfAbsent(workerId + "/" + o.jobId(), k -> new MapOutputBook())
            .take(o);
        ToWorker last = workers.isEmpty() ? null : workers.get(workers.size() - 1);
        if (last != null && last.workerId().equals(workerId) && last.message() instanceof Locations l
            && l.jobId().equals(o.jobId())) {
          List<MapLocation> both = new ArrayList<>(l.locations());
          both.addAll(locations);
          workers.set(workers.size() - 1, new ToWorker(workerId, new Locations(o.jobId(), both)));
          logEnds.remove(logEnds.size() - 2);
          return;
        }
        seen = new Locations(o.jobId(), locations);
      }
      workers.add(new ToWorker(workerId, seen));
    }

    @Override
    public void toClient(String jobId, Message message) {
      clients.add(new ToClient(jobId, message));
    }

    @Override
    public void commit(String jobId) {
      commits.add(jobId);
    }

    @Override
    public void abort(String jobId) {
      aborts.add(jobId);
    }

    List<ToWorker> takeWorkers() {
      List<ToWorker> t = List.copyOf(workers);
      workers.clear();
      return t;
    }

    List<Message> takeClients() {
      List<Message> t = new ArrayList<>();
      for (ToClient c : clients) {
        t.add(c.message());
      }
      clients.clear();
      return t;
    }
  }

  private final AtomicLong clock = new AtomicLong();
  private final RecordingOutbox out = new RecordingOutbox();
  private MasterState state = master("card-dealing", MasterState.Settings.defaults());

  private MasterState master(String policy, MasterState.Settings settings) {
    return new MasterState(settings, SchedulingPolicy.named(policy), clock::get, out);
  }

  private void at(long millis) {
    clock.set(Duration.ofMillis(millis).toNanos());
  }

  private static ShippedJob job(int reduces, int maxTaskAttempts) {
    return new ShippedJob("wc", List.of(FILE), "/out", reduces, SPLIT, maxTaskAttempts, false, "java.lang.String",
        "java.lang.Long", new byte[] {1, 2}, new byte[] {3}, null, null);
  }

  private static List<Message.Split> splits(int n) {
    return InputSplit.of(List.of(new InputFile(FILE, n * SPLIT)), SPLIT).stream().map(Message.Split::of).toList();
  }

  private static RunMap runMap(String job, int maps, int index, int attempt) {
    return new RunMap(job, index, attempt, FILE, maps * SPLIT, index * SPLIT, SPLIT);
  }

  private static ToWorker to(String worker, Object m) {
    return new ToWorker(worker, m);
  }

  private static Message.TaskSucceeded succeeded(TaskKind kind, int index, int attempt, Map<String, Long> counters) {
    return new Message.TaskSucceeded(J, kind, index, attempt, counters);
  }

  private static Message.TaskSucceeded mapDone(int index, int attempt) {
    return succeeded(TaskKind.MAP, index, attempt, Map.of("map.records", 10L));
  }

  private static Message.TaskSucceeded reduceDone(int index, int attempt) {
    return succeeded(TaskKind.REDUCE, index, attempt, Map.of("reduce.records", 3L));
  }

  private static MapLocation loc(int map, int attempt, String worker) {
    return worker.equals(W1) ? new MapLocation(map, attempt, "h1", 7001) : new MapLocation(map, attempt, "h2", 7002);
  }

  private void register(int slots1, int slots2) {
    assertThat(state.registerWorker("h1", 7001, slots1)).isEqualTo(W1);
    assertThat(state.registerWorker("h2", 7002, slots2)).isEqualTo(W2);
    out.takeWorkers();
  }

  // ---------------------------------------------------------------- workers

  @Test
  void registerWorker_sendsRegisteredWithItsIdAndTheHeartbeatInterval() {
    assertThat(state.registerWorker("h1", 7001, 2)).isEqualTo(W1);
    assertThat(state.registerWorker("h2", 7002, 4)).isEqualTo(W2);
    assertThat(out.takeWorkers()).containsExactly(to(W1, new Message.Registered(W1, 1000)),
        to(W2, new Message.Registered(W2, 1000)));
    assertThat(out.clients).isEmpty();
    assertThat(state.status().workers()).extracting(MasterState.Status.WorkerStatus::shuffleAddress)
        .containsExactly("h1:7001", "h2:7002");
  }

  // ---------------------------------------------------------------- a job's life

  @Test
  void jobPrepared_twoWorkersOfTwoSlotsAndFourSplits_startsTheJobOncePerWorkerAndFourMaps() {
    register(2, 2);
    ShippedJob job = job(2, 3);
    state.jobPrepared(J, job, splits(4));
    assertThat(out.takeWorkers()).containsExactly(
        to(W1, new StartJob(J, job, List.of())), to(W1, runMap(J, 4, 0, 1)),
        to(W2, new StartJob(J, job, List.of())), to(W2, runMap(J, 4, 1, 1)),
        to(W1, runMap(J, 4, 2, 1)),
        to(W2, runMap(J, 4, 3, 1)));
    assertThat(out.takeClients()).containsExactly(new JobProgressUpdate(J, 4, 0, 2, 0, 400));
    assertThat(out.clients).allMatch(c -> c.jobId().equals(J));
    assertThat(state.status().workers()).extracting(MasterState.Status.WorkerStatus::running).containsExactly(2, 2);
  }

  @Test
  void jobPrepared_beforeAnyWorker_startsWhenOneRegisters() {
    ShippedJob job = job(1, 3);
    state.jobPrepared(J, job, splits(2));
    assertThat(out.takeWorkers()).isEmpty();
    state.registerWorker("h1", 7001, 4);
    assertThat(out.takeWorkers()).containsExactly(to(W1, new Message.Registered(W1, 1000)),
        to(W1, new StartJob(J, job, List.of())), to(W1, runMap(J, 2, 0, 1)), to(W1, runMap(J, 2, 1, 1)));
  }

  /** Five maps on two workers of four slots: m0, m2, m4 on worker-1, m1, m3 on worker-2. */
  private ShippedJob fiveMapsTwoReduces() {
    register(4, 4);
    ShippedJob job = job(2, 3);
    state.jobPrepared(J, job, splits(5));
    assertThat(out.takeWorkers()).containsExactly(
        to(W1, new StartJob(J, job, List.of())), to(W1, runMap(J, 5, 0, 1)),
        to(W2, new StartJob(J, job, List.of())), to(W2, runMap(J, 5, 1, 1)),
        to(W1, runMap(J, 5, 2, 1)), to(W2, runMap(J, 5, 3, 1)), to(W1, runMap(J, 5, 4, 1)));
    out.takeClients();
    return job;
  }

  @Test
  void reduces_waitForSlowStartOfTheMaps_thenStartWithTheOutputsSoFar() {
    fiveMapsTwoReduces();
    // Slow start 0.8 of 5 maps: reduces wait for 4, though three slots are free.
    state.taskSucceeded(W1, mapDone(0, 1));
    state.taskSucceeded(W2, mapDone(1, 1));
    state.taskSucceeded(W1, mapDone(2, 1));
    assertThat(out.takeWorkers()).isEmpty();
    assertThat(out.takeClients()).containsExactly(new JobProgressUpdate(J, 5, 1, 2, 0, 500),
        new JobProgressUpdate(J, 5, 2, 2, 0, 500), new JobProgressUpdate(J, 5, 3, 2, 0, 500));

    state.taskSucceeded(W2, mapDone(3, 1));
    List<MapLocation> four = List.of(loc(0, 1, W1), loc(1, 1, W2), loc(2, 1, W1), loc(3, 1, W2));
    assertThat(out.takeWorkers()).containsExactly(
        to(W2, new RunReduce(J, 0, 1, 5)), to(W2, new Locations(J, four)),
        to(W1, new RunReduce(J, 1, 1, 5)), to(W1, new Locations(J, four)));
    assertThat(out.takeClients()).containsExactly(new JobProgressUpdate(J, 5, 4, 2, 0, 500));
  }

  @Test
  void mapOutputs_reachTheWorkersRunningReduces_asMapsComplete() {
    fiveMapsTwoReduces();
    for (int i = 0; i < 4; i++) {
      state.taskSucceeded(i % 2 == 0 ? W1 : W2, mapDone(i, 1));
    }
    out.takeWorkers();
    state.taskSucceeded(W1, mapDone(4, 1));
    Locations last = new Locations(J, List.of(loc(4, 1, W1)));
    assertThat(out.takeWorkers()).containsExactlyInAnyOrder(to(W1, last), to(W2, last));
  }

  @Test
  void allTasksSucceeding_commitsOnce_andJobCommittedReportsCountersOfOneAttemptPerTask() {
    ShippedJob job = job(2, 3);
    register(4, 4);
    at(2_000);
    state.jobPrepared(J, job, splits(5));
    out.takeWorkers();
    state.taskSucceeded(W1, mapDone(0, 1));
    // The same success again, and one from an attempt the master never started: neither counts.
    state.taskSucceeded(W1, succeeded(TaskKind.MAP, 0, 1, Map.of("map.records", 1_000L)));
    state.taskSucceeded(W2, succeeded(TaskKind.MAP, 0, 2, Map.of("map.records", 1_000L)));
    for (int i = 1; i < 4; i++) {
      state.taskSucceeded(i % 2 == 0 ? W1 : W2, mapDone(i, 1));
    }
    at(5_000);
    state.taskSucceeded(W1, mapDone(4, 1));
    state.taskSucceeded(W2, reduceDone(0, 1));
    assertThat(out.commits).isEmpty();
    state.taskSucceeded(W1, reduceDone(1, 1));
    assertThat(out.commits).containsExactly(J);
    // Late and repeated reports while committing change nothing.
    state.taskSucceeded(W1, reduceDone(1, 1));
    state.taskSucceeded(W2, reduceDone(0, 1));
    assertThat(out.commits).containsExactly(J);
    out.takeWorkers();
    assertThat(out.takeClients()).endsWith(new JobProgressUpdate(J, 5, 5, 2, 1, 500),
        new JobProgressUpdate(J, 5, 5, 2, 2, 500)).hasSize(1 + 5 + 2);

    at(9_000);
    state.jobCommitted(J, List.of("/out/mr-out-0", "/out/mr-out-1"));
    assertThat(out.takeWorkers()).containsExactlyInAnyOrder(to(W1, new EndJob(J)), to(W2, new EndJob(J)));
    assertThat(out.takeClients()).containsExactly(new Message.JobSucceeded(J, List.of("/out/mr-out-0",
        "/out/mr-out-1"), Map.of("map.records", 50L, "reduce.records", 6L), 3_000, 4_000, 7_000));
    assertThat(out.aborts).isEmpty();

    state.jobCommitted(J, List.of());
    assertThat(out.takeWorkers()).isEmpty();
    assertThat(out.takeClients()).isEmpty();
    assertThat(state.status().jobs()).singleElement().satisfies(s -> {
      assertThat(s.phase()).isEqualTo("succeeded");
      assertThat(s.counters()).isEqualTo(Map.of("map.records", 50L, "reduce.records", 6L));
    });
  }

  @Test
  void mapReRunAfterItsWorkerIsLost_countsItsCountersOnce() {
    register(2, 4);
    state.jobPrepared(J, job(1, 3), splits(2)); // m0 on worker-1, m1 on worker-2
    state.taskSucceeded(W1, mapDone(0, 1));
    state.workerLost(W1, "connection closed");
    assertThat(out.takeWorkers()).endsWith(to(W2, runMap(J, 2, 0, 2)));
    state.taskSucceeded(W2, mapDone(0, 2));
    state.taskSucceeded(W2, mapDone(1, 1));
    state.taskSucceeded(W2, reduceDone(0, 1));
    assertThat(out.commits).containsExactly(J);
    out.takeClients();
    state.jobCommitted(J, List.of("/out/mr-out-0"));
    assertThat(out.takeClients()).singleElement().isInstanceOfSatisfying(Message.JobSucceeded.class,
        s -> assertThat(s.counters()).isEqualTo(Map.of("map.records", 20L, "reduce.records", 3L)));
  }

  @Test
  void jobCommitted_negativeClockReadings_stillSplitsMapAndReduceTime() {
    register(4, 4);
    at(-10_000);
    state.jobPrepared(J, job(1, 3), splits(1));
    at(-7_000);
    state.taskSucceeded(W1, mapDone(0, 1));
    state.taskSucceeded(W2, reduceDone(0, 1));
    out.takeClients();
    at(-3_000);
    state.jobCommitted(J, List.of("/out/mr-out-0"));
    assertThat(out.takeClients()).containsExactly(new Message.JobSucceeded(J, List.of("/out/mr-out-0"),
        Map.of("map.records", 10L, "reduce.records", 3L), 3_000, 4_000, 7_000));
  }

  @Test
  void jobPrepared_noSplitsNoReduces_commitsAtOnce() {
    register(1, 1);
    state.jobPrepared(J, job(0, 3), List.of());
    assertThat(out.commits).containsExactly(J);
    assertThat(out.takeWorkers()).isEmpty();
  }

  // ---------------------------------------------------------------- failures

  private static final Failure BAD_RECORD = new Failure("java.lang.IllegalStateException", "bad record",
      "java.lang.IllegalStateException: bad record\n\tat Wc.map(Wc.java:3)\n");

  private static Message.TaskFailed mapFailed(int index, int attempt) {
    return new Message.TaskFailed(J, TaskKind.MAP, index, attempt, FILE + ":0", BAD_RECORD);
  }

  @Test
  void taskFailing_retriesUntilMaxTaskAttempts_thenFailsTheJob() {
    register(1, 1);
    ShippedJob job = job(1, 3);
    state.jobPrepared(J, job, splits(2));
    assertThat(out.takeWorkers()).containsExactly(to(W1, new StartJob(J, job, List.of())), to(W1, runMap(J, 2, 0, 1)),
        to(W2, new StartJob(J, job, List.of())), to(W2, runMap(J, 2, 1, 1)));
    out.takeClients();

    state.taskFailed(W1, mapFailed(0, 1));
    assertThat(out.takeWorkers()).containsExactly(to(W1, runMap(J, 2, 0, 2)));
    state.taskFailed(W1, mapFailed(0, 2));
    assertThat(out.takeWorkers()).containsExactly(to(W1, runMap(J, 2, 0, 3)));
    assertThat(out.takeClients()).isEmpty();
    assertThat(out.aborts).isEmpty();

    state.taskFailed(W1, mapFailed(0, 3));
    assertThat(out.takeClients()).containsExactly(new Message.JobFailed(J,
        "task m-00000 of job job-1 failed after 3 attempts, at /in/a.txt:0: java.lang.IllegalStateException: bad record",
        "m-00000", 3, "/in/a.txt:0", BAD_RECORD));
    assertThat(out.aborts).containsExactly(J);
    assertThat(out.takeWorkers()).containsExactlyInAnyOrder(to(W1, new EndJob(J)), to(W2, new EndJob(J)));
    assertThat(out.commits).isEmpty();

    // A late success of the job's other map changes nothing; the slots are free for the next job.
    state.taskSucceeded(W2, mapDone(1, 1));
    assertThat(out.takeWorkers()).isEmpty();
    assertThat(out.commits).isEmpty();
    ShippedJob next = job(0, 1);
    state.jobPrepared("job-2", next, splits(2));
    assertThat(out.takeWorkers()).containsExactly(to(W2, new StartJob("job-2", next, List.of())), to(W2, runMap("job-2", 2, 0, 1)),
        to(W1, new StartJob("job-2", next, List.of())), to(W1, runMap("job-2", 2, 1, 1)));
  }

  @Test
  void reduceFailingOnce_runsAgainWithAllMapOutputs() {
    register(2, 2);
    state.jobPrepared(J, job(1, 2), splits(1));
    state.taskSucceeded(W1, mapDone(0, 1));
    assertThat(out.takeWorkers()).endsWith(to(W2, new RunReduce(J, 0, 1, 1)),
        to(W2, new Locations(J, List.of(loc(0, 1, W1)))));
    state.taskFailed(W2, new Message.TaskFailed(J, TaskKind.REDUCE, 0, 1, "key 'x'", BAD_RECORD));
    assertThat(out.takeWorkers()).containsExactly(to(W1, new RunReduce(J, 0, 2, 1)),
        to(W1, new Locations(J, List.of(loc(0, 1, W1)))));
    assertThat(out.aborts).isEmpty();
  }

  @Test
  void cancel_failsTheJobSayingCancelled() {
    register(2, 2);
    state.jobPrepared(J, job(1, 3), splits(3));
    out.takeWorkers();
    out.takeClients();
    state.cancel(J);
    assertThat(out.takeClients()).containsExactly(new Message.JobFailed(J, "job job-1 was cancelled", null, 0, null,
        null));
    assertThat(out.aborts).containsExactly(J);
    assertThat(out.takeWorkers()).containsExactlyInAnyOrder(to(W1, new EndJob(J)), to(W2, new EndJob(J)));
    state.cancel(J);
    state.cancel("no-such-job");
    assertThat(out.takeClients()).isEmpty();
    assertThat(out.aborts).containsExactly(J);
    assertThat(state.status().jobs()).singleElement()
        .satisfies(s -> assertThat(s.phase()).isEqualTo("failed: job job-1 was cancelled"));
  }

  @Test
  void commitFailed_failsTheJobAndAbortsItsOutput() {
    register(2, 2);
    state.jobPrepared(J, job(0, 3), splits(1));
    state.taskSucceeded(W1, mapDone(0, 1));
    assertThat(out.commits).containsExactly(J);
    out.takeWorkers();
    out.takeClients();
    state.commitFailed(J, "disk full");
    assertThat(out.takeClients()).containsExactly(new Message.JobFailed(J,
        "job job-1 failed to commit its output: disk full", null, 0, null, null));
    assertThat(out.aborts).containsExactly(J);
    assertThat(out.takeWorkers()).containsExactly(to(W1, new EndJob(J)));
  }

  @Test
  void prepareFailed_tellsTheClient() {
    state.prepareFailed(J, "no input files match /in/*.txt");
    assertThat(out.clients).containsExactly(new ToClient(J, new Message.JobFailed(J,
        "no input files match /in/*.txt", null, 0, null, null)));
  }

  // ---------------------------------------------------------------- lost workers

  @Test
  void tick_workerSilentBeyondTheTimeout_isLostAndItsAttemptsRunElsewhere() {
    register(2, 4); // both at t=0
    state.jobPrepared(J, job(2, 3), splits(4)); // m0, m2 on worker-1; m1, m3 on worker-2
    out.takeWorkers();
    at(1_000);
    state.taskSucceeded(W1, mapDone(0, 1));
    at(5_000);
    state.heartbeat(W2, 2, 2, 0.5);
    out.takeClients();

    at(10_000); // worker-1 silent for exactly the timeout: not yet lost
    state.tick();
    assertThat(out.takeWorkers()).isEmpty();
    clock.addAndGet(1);
    state.tick();
    // Its running m2 and its completed m0 (whose output was on its disk) run again on worker-2.
    assertThat(out.takeWorkers()).containsExactly(to(W2, runMap(J, 4, 0, 2)), to(W2, runMap(J, 4, 2, 2)));
    assertThat(state.status().workers()).extracting(MasterState.Status.WorkerStatus::id).containsExactly(W2);
    assertThat(state.status().jobs()).singleElement().satisfies(s -> assertThat(s.mapsDone()).isZero());

    // What the lost worker still says is ignored.
    state.taskSucceeded(W1, mapDone(2, 1));
    state.heartbeat(W1, 0, 2, 0.0);
    assertThat(out.takeWorkers()).isEmpty();
    assertThat(state.status().jobs()).singleElement().satisfies(s -> assertThat(s.mapsDone()).isZero());
  }

  @Test
  void tick_heartbeatsKeepAWorker() {
    register(1, 1);
    at(9_000);
    state.heartbeat(W1, 0, 1, 0.1);
    at(15_000);
    state.tick();
    assertThat(state.status().workers()).extracting(MasterState.Status.WorkerStatus::id).containsExactly(W1);
    at(19_001);
    state.tick();
    assertThat(state.status().workers()).isEmpty();
  }

  /**
   * Four maps done (m0, m2 on worker-1; m1, m3 on worker-2), one reduce running on each worker;
   * returns where the map outputs are.
   */
  private List<MapLocation> reducingOnTwoWorkers(ShippedJob job) {
    register(2, 4);
    state.jobPrepared(J, job, splits(4));
    for (int i = 0; i < 4; i++) {
      state.taskSucceeded(i % 2 == 0 ? W1 : W2, mapDone(i, 1));
    }
    List<MapLocation> all = List.of(loc(0, 1, W1), loc(1, 1, W2), loc(2, 1, W1), loc(3, 1, W2));
    assertThat(out.takeWorkers()).endsWith(to(W1, new RunReduce(J, 0, 1, 4)), to(W1, new Locations(J, all)),
        to(W2, new RunReduce(J, 1, 1, 4)), to(W2, new Locations(J, all)));
    return all;
  }

  @Test
  void workerLost_whileReducing_rerunsItsReduceAndItsMapsAndSendsTheNewLocations() {
    reducingOnTwoWorkers(job(2, 3));

    state.workerLost(W1, "connection reset");
    // Its maps run again first; its reduce waits for slow start again.
    assertThat(out.takeWorkers()).containsExactly(to(W2, runMap(J, 4, 0, 2)), to(W2, runMap(J, 4, 2, 2)));
    state.taskSucceeded(W2, mapDone(0, 2));
    // Within MAP_OUTPUTS_EVERY of the last sending: it waits for the next, here the job's last map.
    assertThat(out.takeWorkers()).isEmpty();
    state.taskSucceeded(W2, mapDone(2, 2));
    // worker-2 was sent the other two before: each location goes to a worker once, for all its
    // reduce attempts, so the re-run reduce there needs no list of its own. Word that the lost
    // outputs are gone comes first: nobody fetches them meanwhile.
    assertThat(out.takeWorkers()).containsExactly(to(W2, new Locations(J, List.of(MapLocation.gone(0, 1),
        MapLocation.gone(2, 1), loc(0, 2, W2), loc(2, 2, W2)))), to(W2, new RunReduce(J, 0, 2, 4)));
    state.taskSucceeded(W2, reduceDone(0, 2));
    state.taskSucceeded(W2, reduceDone(1, 1));
    assertThat(out.commits).containsExactly(J);
  }

  @Test
  void workerLost_whileReducing_mapOutputsInSharedStorage_onlyItsReduceRunsAgain() {
    ShippedJob plain = job(2, 3);
    List<MapLocation> all = reducingOnTwoWorkers(new ShippedJob(plain.name(), plain.inputs(), plain.output(),
        plain.reduceTasks(), plain.splitSize(), plain.maxTaskAttempts(), false, plain.keyType(), plain.valueType(),
        plain.mapper(), plain.reducer(), null, null, false, "s3://bucket/tmp"));

    state.workerLost(W1, "connection reset");
    // Its maps' outputs outlive it: only its running reduce runs again, on worker-2, which knows
    // where they all are already (it was sent them for its own reduce).
    assertThat(all).hasSize(4);
    assertThat(out.takeWorkers()).containsExactly(to(W2, new RunReduce(J, 0, 2, 4)));
    assertThat(state.status().jobs().get(0).mapsDone()).isEqualTo(4);
    state.taskSucceeded(W2, reduceDone(0, 2));
    state.taskSucceeded(W2, reduceDone(1, 1));
    assertThat(out.commits).containsExactly(J);
  }

  @Test
  void workerLost_mapOnlyJob_doesNotRerunCompletedMaps() {
    register(1, 1);
    state.jobPrepared(J, job(0, 3), splits(2)); // m0 on worker-1, m1 on worker-2
    state.taskSucceeded(W1, mapDone(0, 1));
    out.takeWorkers();
    state.workerLost(W1, "gone");
    assertThat(out.takeWorkers()).isEmpty();
    state.taskSucceeded(W2, mapDone(1, 1));
    assertThat(out.commits).containsExactly(J);
  }

  @Test
  void workerLost_afterAllReducesAreDone_doesNotRerunMaps() {
    register(2, 2);
    state.jobPrepared(J, job(1, 3), splits(2));
    state.taskSucceeded(W1, mapDone(0, 1));
    state.taskSucceeded(W2, mapDone(1, 1));
    state.taskSucceeded(W1, reduceDone(0, 1));
    assertThat(out.commits).containsExactly(J);
    out.takeWorkers();
    state.workerLost(W1, "gone");
    assertThat(out.takeWorkers()).isEmpty();
    out.takeClients();
    state.jobCommitted(J, List.of("/out/mr-out-0"));
    assertThat(out.takeWorkers()).containsExactly(to(W2, new EndJob(J)));
  }

  // ---------------------------------------------------------------- policies in the master

  @Test
  void loadAware_sendsTheFirstTaskToTheWorkerWithTheLowerCpuLoad() {
    state = master("load-aware", MasterState.Settings.defaults());
    register(2, 2);
    state.heartbeat(W1, 0, 2, 0.9);
    state.heartbeat(W2, 0, 2, 0.1);
    ShippedJob job = job(1, 3);
    state.jobPrepared(J, job, splits(3));
    // Idle both: lower CPU first; then the lower fraction of slots in use; then CPU again.
    assertThat(out.takeWorkers()).containsExactly(to(W2, new StartJob(J, job, List.of())), to(W2, runMap(J, 3, 0, 1)),
        to(W1, new StartJob(J, job, List.of())), to(W1, runMap(J, 3, 1, 1)), to(W2, runMap(J, 3, 2, 1)));
  }

  /** Worker-1 (3 slots) runs m0 and m2, worker-2 (2 slots) m1 and m3, then finishes both. */
  private void twoMapsDoneOnWorker2(String policy) {
    state = master(policy, new MasterState.Settings(Duration.ofSeconds(1), Duration.ofSeconds(10), 0.5));
    register(3, 2);
    state.jobPrepared(J, job(1, 3), splits(4));
    assertThat(out.takeWorkers()).extracting(ToWorker::workerId).containsExactly(W1, W1, W2, W2, W1, W2);
    state.taskSucceeded(W2, mapDone(1, 1));
    assertThat(out.takeWorkers()).isEmpty();
    state.taskSucceeded(W2, mapDone(3, 1));
  }

  @Test
  void pairwise_sendsAReduceToTheWorkerRunningNoMapOfTheJob() {
    twoMapsDoneOnWorker2("pairwise");
    assertThat(out.takeWorkers()).containsExactly(to(W2, new RunReduce(J, 0, 1, 4)),
        to(W2, new Locations(J, List.of(loc(1, 1, W2), loc(3, 1, W2)))));
  }

  @Test
  void cardDealing_sameSituation_dealsTheReduceToTheNextWorkerRoundTheTable() {
    twoMapsDoneOnWorker2("card-dealing");
    assertThat(out.takeWorkers()).containsExactly(to(W1, new RunReduce(J, 0, 1, 4)),
        to(W1, new Locations(J, List.of(loc(1, 1, W2), loc(3, 1, W2)))));
  }

  // ---------------------------------------------------------------- bugs

  @Test
  void taskSucceeded_fromAWorkerNotRunningTheAttempt_isIgnored() {
    register(1, 1);
    state.jobPrepared(J, job(0, 3), splits(2)); // m0 on worker-1, m1 on worker-2
    state.taskSucceeded(W2, mapDone(0, 1)); // worker-2 does not run m0
    state.taskFailed(W2, mapFailed(0, 1));
    state.taskSucceeded(W1, mapDone(0, 1));
    state.taskSucceeded(W2, mapDone(1, 1));
    assertThat(out.commits).containsExactly(J);
  }

  @Test
  @SuppressWarnings({"unchecked", "rawtypes"})
  void taskSucceeded_counterOfWrongType_isRefusedBeforeTheMasterSeesIt() {
    Map bad = new HashMap();
    bad.put("records", "12");
    assertThatThrownBy(() -> new Message.TaskSucceeded(J, TaskKind.MAP, 0, 1, bad))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("TaskSucceeded.counters");
  }


  // ---------------------------------------------------------------- commit arbitration

  private Message.CommitResponse askCommit(String worker, int index, int attempt) {
    out.takeWorkers();
    state.commitRequested(worker, new Message.CommitRequest(J, TaskKind.MAP, index, attempt));
    List<ToWorker> sent = out.takeWorkers();
    assertThat(sent).hasSize(1);
    assertThat(sent.get(0).workerId()).isEqualTo(worker);
    return (Message.CommitResponse) sent.get(0).message();
  }

  @Test
  void commitRequested_grantsOneAttemptOfATaskAtATime() {
    register(1, 1);
    state.jobPrepared(J, job(0, 3), splits(1)); // map-only: m0 attempt 1 on worker-1
    state.workerLost(W1, "connection closed"); // m0 attempt 2 goes to worker-2
    // The lost attempt is no longer running: it may never commit, even if it asks late.
    assertThat(askCommit(W1, 0, 1).granted()).isFalse();
    assertThat(askCommit(W2, 0, 2).granted()).isTrue();
    assertThat(askCommit(W2, 0, 2).granted()).as("asking again").isTrue();
  }

  @Test
  void commitRequested_secondRunningAttempt_deniedWhileTheGrantedOneRuns_grantedOnceItFailed() {
    register(1, 1);
    state.jobPrepared(J, job(0, 3), splits(1));
    // Attempt 1 is granted, then fails before publishing: attempt 2 may commit instead.
    assertThat(askCommit(W1, 0, 1).granted()).isTrue();
    state.taskFailed(W1, new Message.TaskFailed(J, TaskKind.MAP, 0, 1, null,
        new Message.Failure("java.io.IOException", "disk", "")));
    assertThat(askCommit(W1, 0, 1).granted()).as("the failed attempt again").isFalse();
    // Attempt 2 went to the free slot: worker-1's, freed by the failure, dealt after worker-2's.
    assertThat(askCommit(W2, 0, 2).granted()).isTrue();
  }

  @Test
  void commitRequested_afterTheTaskIsDone_denied() {
    register(1, 1);
    state.jobPrepared(J, job(1, 3), splits(1));
    state.taskSucceeded(W1, mapDone(0, 1));
    assertThat(askCommit(W1, 0, 1).granted()).isFalse();
    assertThat(askCommit(W2, 0, 1).granted()).as("from a worker not running it").isFalse();
  }

  // ---------------------------------------------------------------- fetch failures

  @Test
  void fetchFailed_reportsReachMinOfThreeAndR_mapRunsAgainAndReducersLearnItsNewPlace() {
    register(2, 2);
    state.jobPrepared(J, job(2, 3), splits(1)); // m0 on worker-1
    state.taskSucceeded(W1, mapDone(0, 1)); // both reduces start: r0 on worker-2, r1 on worker-1
    out.takeWorkers();
    Message.FetchFailed report = new Message.FetchFailed(J, 0, 1, 0);
    state.fetchFailed(W2, report);
    assertThat(out.takeWorkers()).as("one report of two needed").isEmpty();
    state.fetchFailed(W2, new Message.FetchFailed(J, 0, 1, 1));
    List<ToWorker> sent = out.takeWorkers();
    assertThat(sent).extracting(ToWorker::message).hasAtLeastOneElementOfType(RunMap.class);
    RunMap rerun = (RunMap) sent.stream().map(ToWorker::message).filter(RunMap.class::isInstance).findFirst()
        .orElseThrow();
    assertThat(rerun.index()).isZero();
    assertThat(rerun.attempt()).isEqualTo(2);
    // A late report against the old attempt changes nothing.
    state.fetchFailed(W2, report);
    assertThat(out.takeWorkers()).isEmpty();
    String where = sent.stream().filter(w -> w.message() instanceof RunMap).findFirst().orElseThrow().workerId();
    state.taskSucceeded(where, mapDone(0, 2));
    assertThat(out.takeWorkers()).extracting(ToWorker::message)
        .contains(new Locations(J, List.of(MapLocation.gone(0, 1), loc(0, 2, where))));
  }

  @Test
  void fetchFailed_anOutputNoRunMakesFetchable_failsTheJobAfterAsManyRunsAsATaskHasAttempts() {
    register(2, 2);
    state.jobPrepared(J, job(1, 3), splits(1)); // m0, then r0
    for (int run = 1; run <= 3; run++) {
      String where = out.takeWorkers().stream().filter(w -> w.message() instanceof RunMap).findFirst().orElseThrow()
          .workerId();
      state.taskSucceeded(where, mapDone(0, run));
      assertThat(out.takeClients()).noneMatch(Message.JobFailed.class::isInstance);
      state.fetchFailed(W2, new Message.FetchFailed(J, 0, run, 0));
    }
    assertThat(out.takeClients()).filteredOn(Message.JobFailed.class::isInstance).singleElement()
        .extracting(m -> ((Message.JobFailed) m).message()).asString()
        .contains("could not fetch the output of m-00000 after 3 runs");
    assertThat(out.aborts).containsExactly(J);
  }

  @Test
  void fetchFailed_forAMapNotDone_isIgnored() {
    register(1, 1);
    state.jobPrepared(J, job(1, 3), splits(2));
    out.takeWorkers();
    state.fetchFailed(W1, new Message.FetchFailed(J, 0, 1, 0));
    state.fetchFailed(W1, new Message.FetchFailed("no-such-job", 0, 1, 0));
    assertThat(out.takeWorkers()).isEmpty();
  }

  // ---------------------------------------------------------------- backup tasks

  /** Heartbeats from both workers, so that a tick far ahead loses neither. */
  private void tickAt(long millis) {
    at(millis);
    state.heartbeat(W1, 0, 0, 0);
    state.heartbeat(W2, 0, 0, 0);
    state.tick();
  }

  @Test
  void tick_aStragglerNearTheEndOfThePhase_getsOneBackupOnAnotherWorker_firstToFinishWins() {
    register(2, 2);
    at(0);
    state.jobPrepared(J, job(0, 3), splits(4)); // m0, m2 on worker-1; m1, m3 on worker-2
    at(5_000);
    state.taskSucceeded(W1, mapDone(0, 1));
    state.taskSucceeded(W2, mapDone(1, 1));
    state.taskSucceeded(W2, mapDone(3, 1)); // median 5 s; m2 still running on worker-1
    out.takeWorkers();
    tickAt(14_000); // m2 at 14 s: twice the median, but not 10 s more than it
    assertThat(out.takeWorkers()).isEmpty();
    tickAt(15_000);
    assertThat(out.takeWorkers()).containsExactly(to(W2, runMap(J, 4, 2, 2)));
    tickAt(30_000);
    assertThat(out.takeWorkers()).as("one backup per task").isEmpty();
    state.taskSucceeded(W2, mapDone(2, 2));
    assertThat(out.takeWorkers()).containsExactly(to(W1, new Message.KillTask(J, TaskKind.MAP, 2, 1)));
    state.taskSucceeded(W1, mapDone(2, 1)); // the loser's late report changes nothing
    state.jobCommitted(J, List.of());
    Message.JobSucceeded done = (Message.JobSucceeded) out.takeClients().stream()
        .filter(Message.JobSucceeded.class::isInstance).findFirst().orElseThrow();
    assertThat(done.counters()).containsEntry(MasterState.BACKUP_ATTEMPTS, 1L).containsEntry("map.records", 40L);
  }

  @Test
  void tick_mapsToRunAgainWhileReducesHoldEverySlot_preemptsAReduceForEach() {
    register(1, 1);
    state.jobPrepared(J, job(2, 3), splits(2));
    state.taskSucceeded(W1, mapDone(0, 1));
    state.taskSucceeded(W2, mapDone(1, 1)); // every map done: a reduce on each worker's one slot
    out.takeWorkers();
    state.workerLost(W1, "its link was cut"); // map 0's output went with it; worker-2's slot holds a reduce
    assertThat(out.takeWorkers()).noneMatch(m -> m.message() instanceof RunMap);

    at(1_000);
    state.heartbeat(W2, 0, 0, 0);
    state.tick();
    // Without the preemption the reduce waits for map 0 for ever, and map 0 for the reduce's slot.
    assertThat(out.takeWorkers()).containsExactly(to(W2, new Locations(J, List.of(MapLocation.gone(0, 1)))),
        to(W2, new Message.KillTask(J, TaskKind.REDUCE, 1, 1)),
        to(W2, runMap(J, 2, 0, 2)));
    for (int t = 2; t <= 4; t++) { // the map runs: nothing more to preempt, tick after tick
      at(t * 1_000L);
      state.heartbeat(W2, 0, 0, 0);
      state.tick();
      assertThat(out.takeWorkers()).noneMatch(m -> m.message() instanceof Message.KillTask);
    }
    state.taskSucceeded(W2, mapDone(0, 2));
    assertThat(out.takeWorkers()).anyMatch(m -> m.message() instanceof RunReduce);
  }

  @Test
  void tick_whileTasksOfThePhaseArePending_orWithBackupsOff_startsNoBackup() {
    register(1, 1);
    at(0);
    state.jobPrepared(J, job(0, 3), splits(3)); // m0 on worker-1, m1 on worker-2, m2 pending
    at(1_000);
    state.taskSucceeded(W1, mapDone(0, 1)); // m2 starts on worker-1
    out.takeWorkers();
    tickAt(60_000);
    assertThat(out.takeWorkers()).as("m2 started at 1 s; m1 runs 60 s but m2 is young and no slot is free").isEmpty();

    state = master("card-dealing", new MasterState.Settings(Duration.ofSeconds(1), Duration.ofSeconds(10), 0.8, false));
    register(2, 2);
    at(0);
    state.jobPrepared(J, job(0, 3), splits(2));
    at(1_000);
    state.taskSucceeded(W1, mapDone(0, 1));
    out.takeWorkers();
    tickAt(100_000);
    assertThat(out.takeWorkers()).isEmpty();
  }

  @Test
  void tick_noWorkerForTheTimeout_failsRunningJobsSayingSo() {
    at(0);
    state.jobPrepared(J, job(1, 3), splits(2));
    out.takeClients();
    state.tick(); // no worker since 0 s
    at(59_999);
    state.tick();
    assertThat(out.takeClients()).isEmpty();
    at(60_000);
    state.tick();
    assertThat(out.takeClients()).singleElement().isInstanceOfSatisfying(Message.JobFailed.class,
        f -> assertThat(f.message()).isEqualTo("job " + J + " failed: no worker for 60 s"));
    assertThat(out.aborts).containsExactly(J);
  }

  @Test
  void tick_aWorkerComingBackInTime_keepsTheJob() {
    at(0);
    state.jobPrepared(J, job(1, 3), splits(1));
    state.tick();
    at(50_000);
    state.registerWorker("h1", 7001, 1);
    state.tick();
    at(200_000);
    state.heartbeat(W1, 1, 0, 0);
    state.tick();
    assertThat(out.takeClients()).noneMatch(Message.JobFailed.class::isInstance);
  }

  @Test
  void mapOutputs_aBurstGoesOutTogether_afterTheInterval_andTheLastMapAtOnce() {
    state = master("card-dealing", new MasterState.Settings(Duration.ofSeconds(1), Duration.ofSeconds(10), 0.5));
    register(2, 2);
    state.jobPrepared(J, job(1, 3), splits(6)); // m0..m3 start; the reduce once 3 maps are done
    java.util.Map<Integer, String> ranOn = new java.util.HashMap<>();
    for (ToWorker t : out.takeWorkers()) {
      if (t.message() instanceof Message.RunMap r) {
        ranOn.put(r.index(), t.workerId());
      }
    }
    at(0);
    state.taskSucceeded(ranOn.get(0), mapDone(0, 1));
    state.taskSucceeded(ranOn.get(1), mapDone(1, 1));
    state.taskSucceeded(ranOn.get(2), mapDone(2, 1));
    // The reduce started with the three done so far; m4 and m5 took the freed slots.
    String reducer = null;
    List<MapLocation> first = null;
    for (ToWorker t : out.takeWorkers()) {
      if (t.message() instanceof Message.RunMap r) {
        ranOn.put(r.index(), t.workerId());
      } else if (t.message() instanceof RunReduce) {
        reducer = t.workerId();
      } else if (t.message() instanceof Locations o) {
        assertThat(t.workerId()).isEqualTo(reducer);
        first = o.locations();
      }
    }
    assertThat(first).extracting(MapLocation::mapIndex).containsExactly(0, 1, 2);

    at(10);
    state.taskSucceeded(ranOn.get(3), mapDone(3, 1));
    at(20);
    state.taskSucceeded(ranOn.get(4), mapDone(4, 1));
    assertThat(out.takeWorkers()).noneMatch(t -> t.message() instanceof Locations);
    at(49);
    state.heartbeat(W1, 1, 1, 0.1);
    assertThat(out.takeWorkers()).noneMatch(t -> t.message() instanceof Locations);
    at(50);
    state.heartbeat(W1, 1, 1, 0.1);
    // m3 and m4 in one message, 50 ms after the last sending.
    assertThat(out.takeWorkers()).singleElement().satisfies(t -> {
      assertThat(t.message()).isInstanceOf(Locations.class);
      assertThat(((Locations) t.message()).locations()).extracting(MapLocation::mapIndex).containsExactly(3, 4);
    });
    at(51);
    state.taskSucceeded(ranOn.get(5), mapDone(5, 1));
    // The job's last map goes at once: nothing after it would carry it.
    assertThat(out.takeWorkers()).filteredOn(t -> t.message() instanceof Locations).singleElement()
        .satisfies(t -> assertThat(((Locations) t.message()).locations()).extracting(MapLocation::mapIndex)
            .containsExactly(5));
  }

  /** A journal of job J (4 maps, 1 reduce): maps 0 to 2 done, m0 and m2 on h1, m1 on h2. */
  private static List<Journal.Entry> journalWithThreeMapsDone() {
    return List.of(new Journal.MasterStarted(1),
        new Journal.JobStarted(J, job(1, 3), List.of(), splits(4)),
        new Journal.TaskDone(J, TaskKind.MAP, 0, 1, "h1", 7001, Map.of()),
        new Journal.TaskDone(J, TaskKind.MAP, 1, 1, "h2", 7002, Map.of()),
        new Journal.TaskDone(J, TaskKind.MAP, 2, 1, "h1", 7001, Map.of()));
  }

  @Test
  void restored_mapsDoneBeforeTheRestart_giveNoMedian_soALongAttemptGetsNoBackupStorm() {
    at(0);
    state.restore(journalWithThreeMapsDone());
    register(2, 2);
    state.resumed();
    out.takeWorkers();
    // m3 runs; the three restored maps have no durations this master measured.
    tickAt(60_000);
    assertThat(out.takeWorkers()).noneMatch(t -> t.message() instanceof RunMap);
  }

  @Test
  void restored_mapsDoneOnAWorker_runAgainAtOnceWhenThatWorkerIsLost() {
    at(0);
    state.restore(journalWithThreeMapsDone());
    register(2, 2); // worker-1 from h1:7001, where m0 and m2 are
    state.resumed();
    out.takeWorkers();
    state.workerLost(W1, "connection reset");
    assertThat(out.takeWorkers()).filteredOn(t -> t.message() instanceof RunMap)
        .extracting(t -> ((RunMap) t.message()).index()).contains(0, 2).doesNotContain(1);
    assertThat(state.status().jobs()).singleElement().satisfies(j -> assertThat(j.mapsDone()).isEqualTo(1));
  }

  @Test
  void restored_aWorkerThatWasSentPartOfTheLog_isSentOnlyWhatFollows() {
    List<Journal.Entry> journal = new ArrayList<>(journalWithThreeMapsDone());
    journal.add(new Journal.TaskDone(J, TaskKind.MAP, 3, 1, "h2", 7002, Map.of()));
    at(0);
    state.restore(journal);
    state.resumed();
    // The first worker back was sent the first two locations by the master before the restart.
    out.books.computeIfAbsent(W1 + "/" + J, k -> new MapOutputBook()).take(new MapOutputs(J, 0,
        List.of(new Message.ShuffleAddress("h1", 7001), new Message.ShuffleAddress("h2", 7002)),
        List.of(new Message.MapOutput(0, 1, 0), new Message.MapOutput(1, 1, 1)), 2));
    assertThat(state.registerWorker(W1, "h1", 7001, 2, List.of(J), List.of(2))).isEqualTo(W1);
    List<ToWorker> sent = out.takeWorkers();
    assertThat(sent).contains(to(W1, new RunReduce(J, 0, 2001, 4)));
    assertThat(sent).filteredOn(t -> t.message() instanceof Locations).singleElement()
        .isEqualTo(to(W1, new Locations(J, List.of(loc(2, 1, W1), loc(3, 1, W2)))));
    assertThat(out.logEnds).containsExactly(4);
  }

  @Test
  void workerHolds_aCountBeyondTheRestoredLog_countsForNothing() {
    List<Journal.Entry> journal = new ArrayList<>(journalWithThreeMapsDone());
    journal.add(new Journal.TaskDone(J, TaskKind.MAP, 3, 1, "h2", 7002, Map.of()));
    at(0);
    state.restore(journal);
    state.resumed();
    // The old master had sent 5: entries its journal had not written when it stopped.
    state.registerWorker(W1, "h1", 7001, 2, List.of(J), List.of(5));
    assertThat(out.takeWorkers()).filteredOn(t -> t.message() instanceof Locations).singleElement()
        .isEqualTo(to(W1, new Locations(J, List.of(loc(0, 1, W1), loc(1, 1, W2), loc(2, 1, W1), loc(3, 1, W2)))));
  }

  @Test
  void jobEnded_withNoOtherJobRunning_compactsTheJournalToTheGenerationAndTheOutcomes() {
    state.restore(List.of()); // a new master: generation 1
    register(2, 2);
    state.jobPrepared(J, job(0, 3), splits(1));
    state.jobPrepared("job-2", job(0, 3), splits(1));
    for (ToWorker t : out.takeWorkers()) {
      if (t.message() instanceof RunMap r) {
        state.taskSucceeded(t.workerId(), new Message.TaskSucceeded(r.jobId(), TaskKind.MAP, r.index(), r.attempt(),
            Map.of()));
      }
    }
    state.jobCommitted(J, List.of("/out/mr-out-0"));
    assertThat(out.compactions).as("job-2 still runs: its entries are needed").isEmpty();
    state.commitFailed("job-2", "disk full"); // ends it, failed
    assertThat(out.compactions).singleElement().satisfies(keep -> {
      assertThat(keep).first().isEqualTo(new Journal.MasterStarted(1));
      assertThat(keep).extracting(e -> e instanceof Journal.JobEnded end ? end.jobId() : "-")
          .containsExactly("-", J, "job-2");
    });
  }

  @Test
  void jobEnded_keepsItsOutputFilesInRuns_andAClientComingBackGetsThemAll_alsoFromARestartedMaster() {
    List<String> files = new ArrayList<>();
    for (int r = 0; r < 500; r++) {
      files.add(String.format("file:///out/mr-out-%05d", r));
    }
    register(2, 2);
    state.jobPrepared(J, job(0, 3), splits(1));
    for (ToWorker t : out.takeWorkers()) {
      if (t.message() instanceof RunMap r) {
        state.taskSucceeded(t.workerId(), new Message.TaskSucceeded(r.jobId(), TaskKind.MAP, r.index(), r.attempt(),
            Map.of()));
      }
    }
    state.jobCommitted(J, files);
    assertThat(out.takeClients()).last().isInstanceOfSatisfying(Message.JobSucceeded.class,
        s -> assertThat(s.outputFiles()).isEqualTo(files));
    List<Journal.Entry> journal = new ArrayList<>(out.compactions.get(out.compactions.size() - 1));
    assertThat(journal).filteredOn(Journal.JobEnded.class::isInstance).singleElement()
        .satisfies(e -> assertThat(((Message.JobSucceeded) ((Journal.JobEnded) e).outcome()).outputFiles())
            .as("kept in runs").hasSize(1));
    state.watch(J);
    assertThat(out.takeClients()).singleElement().isInstanceOfSatisfying(Message.JobSucceeded.class,
        s -> assertThat(s.outputFiles()).isEqualTo(files));
    MasterState restarted = master("card-dealing", MasterState.Settings.defaults());
    restarted.restore(journal);
    restarted.watch(J);
    assertThat(out.takeClients()).singleElement().isInstanceOfSatisfying(Message.JobSucceeded.class,
        s -> assertThat(s.outputFiles()).isEqualTo(files));
  }

  @Test
  void jobPrepared_withMoreFreeSlotsThanOneEventStarts_startsTheRestInEventsOfTheirOwn() {
    assertThat(state.registerWorker("h1", 7001, 2 * MasterState.STARTS_PER_EVENT + 200)).isEqualTo(W1);
    out.takeWorkers();
    state.jobPrepared(J, job(0, 3), splits(2 * MasterState.STARTS_PER_EVENT + 200));
    assertThat(out.takeWorkers()).filteredOn(t -> t.message() instanceof RunMap).hasSize(MasterState.STARTS_PER_EVENT);
    assertThat(out.scheduleMore).isEqualTo(1);
    state.scheduleMore();
    assertThat(out.takeWorkers()).filteredOn(t -> t.message() instanceof RunMap)
        .extracting(t -> ((RunMap) t.message()).index()).startsWith(MasterState.STARTS_PER_EVENT)
        .hasSize(MasterState.STARTS_PER_EVENT);
    state.scheduleMore();
    assertThat(out.takeWorkers()).filteredOn(t -> t.message() instanceof RunMap).hasSize(200);
    assertThat(out.scheduleMore).as("nothing left to start").isEqualTo(2);
  }
}

package io.mapreduce.netty.master;

import static io.mapreduce.netty.FileTrees.snapshot;
import static org.assertj.core.api.Assertions.assertThat;

import io.mapreduce.MapReduceSpecification;
import io.mapreduce.Mapper;
import io.mapreduce.Emitter;
import io.mapreduce.TaskContext;
import io.mapreduce.internal.engine.ShippedJob;
import io.mapreduce.netty.RawPeer;
import io.mapreduce.netty.WordCountCluster;
import io.mapreduce.netty.client.ClusterEngine;
import io.mapreduce.netty.protocol.ClusterSecret;
import io.mapreduce.netty.protocol.Frames;
import io.mapreduce.netty.protocol.Message;
import io.mapreduce.netty.worker.Worker;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Job ids a peer chooses, sent to a live master and live workers on 127.0.0.1 by a plain socket
 * that knows the secret: ids that are paths ({@code ../x}, empty, absolute) or that name a
 * directory already there are refused in one line, and nothing beside the job's own directories
 * is created or deleted (canary files next to the intermediate directory survive, also when the
 * master restarts on its journal); an id in use cannot be taken by a second submission while the
 * first job completes as the oracle says.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class JobIdsIT {
  private static final ClusterSecret SECRET = ClusterSecret.of("job-ids-it: a secret of more than 16 bytes");
  private static final MasterState.Settings SETTINGS =
      new MasterState.Settings(Duration.ofMillis(200), Duration.ofSeconds(2), 0.8, false, Duration.ofMinutes(1));

  @TempDir Path dir;
  /** What the test watches: the intermediate directory, canaries beside and in it, inputs and outputs. */
  private Path site;
  private Path shared;
  private Path in;
  private Map<String, Long> oracle;
  private Master master;
  private int port;
  private final List<Worker> workers = new ArrayList<>();

  @BeforeEach
  void setUp() throws Exception {
    site = Files.createDirectories(dir.resolve("site"));
    shared = Files.createDirectories(site.resolve("shared"));
    for (Path canary : List.of(site.resolve("canary"), shared.resolve("victim"), site.resolve("abs-canary"))) {
      Files.createDirectories(canary);
      Files.writeString(canary.resolve("keep.txt"), "canary " + canary.getFileName());
    }
    in = WordCountCluster.writeWords(dir.resolve("in"), 3, 200, 5);
    oracle = WordCountCluster.sequentialCount(in);
    startMaster(0);
    port = master.port();
    for (int i = 0; i < 2; i++) {
      workers.add(Worker.start(new Worker.Config("127.0.0.1", port, 2, dir.resolve("worker-" + i), "127.0.0.1", 0,
          "127.0.0.1", SECRET, Frames.DEFAULT_MAX_FRAME_BYTES)));
    }
    awaitWorkers(2);
  }

  @AfterEach
  void tearDown() {
    workers.forEach(Worker::close);
    if (master != null) {
      master.close();
    }
  }

  private void startMaster(int onPort) throws Exception {
    // A chosen work directory: closing keeps the journal, and a master started on it resumes.
    master = Master.start(new Master.Config("127.0.0.1", onPort, SchedulingPolicy.named("card-dealing"), SECRET,
        Frames.DEFAULT_MAX_FRAME_BYTES, SETTINGS, dir.resolve("master"), -1));
  }

  private void restartMaster() throws Exception {
    master.close();
    master = null;
    startMaster(port);
    awaitWorkers(2);
  }

  private void awaitWorkers(int n) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (master.status().workers().size() < n) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("only " + master.status().workers() + " registered within 30 s");
      }
      Thread.sleep(20);
    }
  }

  private MapReduceSpecification<?, ?> wordCount(String output, Mapper<String, Long> mapper) {
    return MapReduceSpecification.builder().mapper(mapper).reducer(new WordCountCluster.Sum())
        .combiner(new WordCountCluster.Sum()).input(in.toString()).output(site.resolve(output).toString())
        .reduceTasks(2).splitSize(4 << 10).intermediate(shared.toString()).cluster("127.0.0.1:" + port).build();
  }

  private RawPeer client() throws IOException {
    RawPeer p = RawPeer.connect(port);
    p.authenticate(SECRET);
    // A job's messages may be seconds apart; every wait below has its own deadline.
    p.socket().setSoTimeout(30_000);
    return p;
  }

  /** Submits as ClusterEngine does (its classes are on the workers' class path: no jars). */
  static void submit(RawPeer p, String jobId, MapReduceSpecification<?, ?> spec) throws IOException {
    ShippedJob shipped = ShippedJob.of(spec);
    p.send(new Message.SubmitJob(jobId, shipped, List.of(), ClusterEngine.splits(spec, shipped.inputs())));
  }

  /**
   * Reads until the job's end: its JobSucceeded or JobFailed. A job the master took is cancelled
   * at once if {@code cancelIfTaken}: its end (and whatever its end deletes) comes sooner.
   */
  static Message awaitEnd(RawPeer p, String jobId, boolean cancelIfTaken) throws IOException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    boolean cancelled = false;
    while (System.nanoTime() < deadline) {
      Message m = p.read();
      if (m instanceof Message.JobSucceeded || m instanceof Message.JobFailed) {
        return m;
      }
      if (m instanceof Message.JobProgressUpdate && cancelIfTaken && !cancelled) {
        p.send(new Message.CancelJob(jobId));
        cancelled = true;
      }
    }
    throw new AssertionError("job " + jobId + " did not end within 60 s");
  }

  static void assertRefused(Message end, String... saying) {
    assertThat(end).isInstanceOfSatisfying(Message.JobFailed.class, f -> {
      assertThat(f.message()).doesNotContain("\n").contains(saying);
      assertThat(f.message().length()).isLessThan(400);
    });
  }

  static Map<String, Long> counts(Message.JobSucceeded s) throws IOException {
    Map<String, Long> counts = new TreeMap<>();
    for (String f : s.outputFiles()) {
      for (String line : Files.readAllLines(Path.of(URI.create(f)))) {
        String[] kv = line.split("\t");
        assertThat(counts.put(kv[0], Long.parseLong(kv[1]))).as("key %s in two files", kv[0]).isNull();
      }
    }
    return counts;
  }

  /**
   * Runs a word count under a fresh id, checks its output against the oracle, and waits until its
   * shared map outputs are deleted (just after it ends, off the master's state thread).
   */
  private void runGoodJob(String output) throws Exception {
    String id = UUID.randomUUID().toString();
    try (RawPeer p = client()) {
      submit(p, id, wordCount(output, new WordCountCluster.SplitMapper()));
      Message end = awaitEnd(p, id, false);
      assertThat(end).isInstanceOf(Message.JobSucceeded.class);
      assertThat(counts((Message.JobSucceeded) end)).isEqualTo(oracle);
    }
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (Files.exists(shared.resolve(id))) {
      assertThat(System.nanoTime()).as("job %s's shared map outputs deleted within 10 s", id).isLessThan(deadline);
      Thread.sleep(20);
    }
  }

  @Test
  void hostileJobIds_refusedInOneLine_nothingOutsideCreatedOrDeleted_alsoAfterARestart() throws Exception {
    Map<String, String> before = snapshot(site);
    String absolute = site.resolve("abs-canary").toString();
    List<String> pathIds = List.of("../canary", "", absolute, "..", ".", "victim/../../canary", "a/b");
    List<Message> ends = new ArrayList<>();
    Message victimEnd;
    try (RawPeer p = client()) {
      int n = 0;
      for (String id : pathIds) {
        submit(p, id, wordCount("out-hostile-" + n++, new WordCountCluster.SplitMapper()));
        ends.add(awaitEnd(p, id, true));
      }
      // A valid id, but its directory is there already (not the job's to delete when it ends).
      submit(p, "victim", wordCount("out-hostile-" + n, new WordCountCluster.SplitMapper()));
      victimEnd = awaitEnd(p, "victim", true);
      assertThat(snapshot(site)).as("everything under %s", site).isEqualTo(before);
      for (Message end : ends) {
        assertRefused(end, "job id '", "refused");
      }
      assertRefused(victimEnd, shared.resolve("victim").toString(), "exists already");
      // A client may not watch or cancel by a path either.
      p.send(new Message.CancelJob("../canary"));
      assertRefused(p.read(), "job id '../canary' refused");
      p.send(new Message.WatchJob(""));
      assertRefused(p.read(), "job id '' refused");
    }

    // The cluster still serves, and the job's own directory goes when it ends (and nothing else).
    runGoodJob("out-good-1");
    restartMaster();
    runGoodJob("out-good-2");
    Map<String, String> after = snapshot(site);
    after.keySet().removeIf(k -> k.startsWith("out-good-"));
    assertThat(after).as("everything under %s but the good jobs' outputs", site).isEqualTo(before);
  }

  @Test
  void journalOfAnOlderMasterWithHostileIds_isNotFollowedOnRestart() throws Exception {
    Map<String, String> before = snapshot(site);
    master.close();
    master = null;
    // What a master that took any id journaled: jobs that ended, whose shared map outputs a
    // restarted master deletes again; one still running, which it would resume.
    ShippedJob job = ShippedJob.of(wordCount("out-journal", new WordCountCluster.SplitMapper()));
    Message.JobFailed failed = new Message.JobFailed("x", "failed", null, 0, null, null);
    List<String> hostile = List.of("", "../canary", "victim/..", site.resolve("abs-canary").toString(), "..");
    try (Journal journal = Journal.open(dir.resolve("master"))) {
      for (String id : hostile.subList(0, 4)) {
        journal.appendLater(new Journal.JobStarted(id, job, List.of(), List.of()));
        journal.appendLater(new Journal.JobEnded(id, failed));
      }
      journal.appendLater(new Journal.JobStarted("..", job, List.of(), List.of()));
    }
    startMaster(port);
    awaitWorkers(2);
    runGoodJob("out-good");
    Map<String, String> after = snapshot(site);
    after.keySet().removeIf(k -> k.startsWith("out-good"));
    assertThat(after).as("everything under %s but the good job's output", site).isEqualTo(before);
    assertThat(master.status().jobs()).extracting(MasterState.Status.JobStatus::id).as("jobs resumed")
        .doesNotContainAnyElementsOf(hostile);
  }

  @Test
  void jobIdInUse_secondSubmissionRefused_whileTheFirstCompletesAsTheOracleSays_toEveryClientFollowingIt() throws Exception {
    String id = UUID.randomUUID().toString();
    Path gate = dir.resolve("gate");
    var first = wordCount("out-first", new GatedMapper(gate.toString()));
    try (RawPeer submitter = client()) {
      submit(submitter, id, first);
      assertThat(submitter.read()).isInstanceOf(Message.JobProgressUpdate.class);
      // Beside a client still connected to it...
      try (RawPeer other = client()) {
        submit(other, id, wordCount("out-second", new WordCountCluster.SplitMapper()));
        assertRefused(awaitEnd(other, id, false), "job id " + id + " is already in use");
      }
    }
    // ...and once its client is gone (the master notices the closed connection within moments;
    // the refusal must not depend on it).
    Thread.sleep(300);
    try (RawPeer other = client()) {
      submit(other, id, wordCount("out-third", new WordCountCluster.SplitMapper()));
      assertRefused(awaitEnd(other, id, false), "job id " + id + " is already in use");
    }
    assertThat(site.resolve("out-second")).doesNotExist();
    assertThat(site.resolve("out-third")).doesNotExist();
    // Two clients follow it: the second does not take its end from the first.
    try (RawPeer one = client(); RawPeer two = client()) {
      one.send(new Message.WatchJob(id));
      assertThat(one.read()).isInstanceOf(Message.JobProgressUpdate.class);
      two.send(new Message.WatchJob(id));
      assertThat(two.read()).isInstanceOf(Message.JobProgressUpdate.class);
      Files.createFile(gate);
      for (RawPeer watcher : List.of(one, two)) {
        Message end = awaitEnd(watcher, id, false);
        assertThat(end).isInstanceOf(Message.JobSucceeded.class);
        assertThat(counts((Message.JobSucceeded) end)).isEqualTo(oracle);
      }
    }
    // Ended, and still known: its id is still taken.
    try (RawPeer late = client()) {
      submit(late, id, wordCount("out-fourth", new WordCountCluster.SplitMapper()));
      assertRefused(awaitEnd(late, id, false), "job id " + id + " is already in use");
    }
    assertThat(site.resolve("out-fourth")).doesNotExist();
  }

  @Test
  void worker_masterSendingHostileJobIds_closesTheConnection_andDeletesNothing() throws Exception {
    Map<String, String> before = snapshot(site);
    Path workDir = site.resolve("w");
    try (ServerSocket fake = new ServerSocket()) {
      fake.bind(new InetSocketAddress("127.0.0.1", 0));
      fake.setSoTimeout(10_000);
      ShippedJob job = ShippedJob.of(wordCount("out-fake", new WordCountCluster.SplitMapper()));
      try (Worker w = Worker.start(new Worker.Config("127.0.0.1", fake.getLocalPort(), 1, workDir, "127.0.0.1", 0,
          "127.0.0.1", SECRET, Frames.DEFAULT_MAX_FRAME_BYTES))) {
        // <work-dir>/jobs/<id> is where a worker keeps a job's files, deleted when the job ends.
        for (String id : List.of("../../canary", site.resolve("abs-canary").toString(), "", "..")) {
          try (RawPeer m = acceptAsMaster(fake)) {
            java.io.ByteArrayOutputStream b = new java.io.ByteArrayOutputStream();
            b.write(RawPeer.frame(new Message.StartJob(id, job, List.of())));
            b.write(RawPeer.frame(new Message.EndJob(id)));
            m.send(b.toByteArray());
            assertThat(m.readUntilClosed()).singleElement().isInstanceOfSatisfying(Message.ProtocolError.class,
                e -> assertThat(e.message()).contains("job id '", "refused"));
          }
        }
        // A valid id still works, and a reducer fetching by a path is refused by the shuffle port.
        try (RawPeer m = acceptAsMaster(fake)) {
          m.send(new Message.StartJob("job-1", job, List.of()));
          m.send(new Message.EndJob("job-1"));
          assertThat(m.silentFor(300)).as("the worker keeps its master connection").isTrue();
        }
        try (RawPeer r = RawPeer.connect(w.shufflePort())) {
          r.authenticate(SECRET);
          r.send(new Message.FetchRequest("../x", 0, 1, 0));
          assertThat(r.readUntilClosed()).singleElement().isInstanceOfSatisfying(Message.ProtocolError.class,
              e -> assertThat(e.message()).contains("job id '../x' refused"));
        }
        // Deletions run off the event loop: give one that was wrongly started time to happen.
        Thread.sleep(300);
      }
    }
    Map<String, String> after = snapshot(site);
    after.keySet().removeIf(k -> k.equals("w") || k.startsWith("w/"));
    assertThat(after).isEqualTo(before);
  }

  /** The next connection to {@code fake}, answered as a master with the secret answers it, registered. */
  private static RawPeer acceptAsMaster(ServerSocket fake) throws IOException {
    RawPeer p = RawPeer.accept(fake);
    try {
      byte[] nonce = new byte[32];
      new Random().nextBytes(nonce);
      p.send(new Message.Challenge(nonce.clone()));
      Message.Authenticate a = p.read(Message.Authenticate.class);
      assertThat(SECRET.verifiesClient(nonce, a.mac())).isTrue();
      p.send(new Message.Welcome(SECRET.serverProof(a.nonce())));
      p.seal(io.mapreduce.netty.protocol.SessionKeys.derive(SECRET, nonce, a.nonce()), true);
      p.read(Message.RegisterWorker.class);
      p.send(new Message.Registered("worker-1", 60_000));
      return p;
    } catch (IOException | RuntimeException | AssertionError e) {
      p.close();
      throw e;
    }
  }

  /** Word splitting that waits for a gate file (60 s at most) first: its job stays running meanwhile. */
  static final class GatedMapper extends Mapper<String, Long> {
    private final String gate;

    GatedMapper(String gate) {
      this.gate = gate;
    }

    @Override
    public void setup(TaskContext context) throws Exception {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (!Files.exists(Path.of(gate)) && System.nanoTime() < deadline) {
        Thread.sleep(10);
      }
    }

    @Override
    public void map(long offset, String line, Emitter<String, Long> emitter) {
      for (String w : line.split(" ")) {
        if (!w.isEmpty()) {
          emitter.emit(w, 1L);
        }
      }
    }
  }
}

package io.mapreduce.netty.fault;

import static io.mapreduce.netty.FileTrees.snapshot;
import static io.mapreduce.netty.WordCountCluster.readOutput;
import static io.mapreduce.netty.WordCountCluster.sequentialCount;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mapreduce.Counters;
import io.mapreduce.Emitter;
import io.mapreduce.Job;
import io.mapreduce.JobResult;
import io.mapreduce.MapReduce;
import io.mapreduce.MapReduceSpecification;
import io.mapreduce.Mapper;
import io.mapreduce.Reducer;
import io.mapreduce.TaskContext;
import io.mapreduce.TaskFailedException;
import io.mapreduce.netty.WordCountCluster;
import io.mapreduce.netty.WorkerProcess;
import io.mapreduce.netty.master.Master;
import io.mapreduce.netty.master.MasterState;
import io.mapreduce.s3.S3ProxyServer;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Fault injection on real processes, after the 6.824 lab's {@code test-mr.sh}: workers (and, in
 * one test, the master) run in their own JVMs on 127.0.0.1 and are killed with SIGKILL
 * ({@link Process#destroyForcibly()}) mid-job; every job's output is checked against a sequential
 * count computed here. Mappers and reducers leave a trace (one file per attempt start and end,
 * named with the task, the attempt and the worker's pid) in a directory all JVMs share, so the
 * tests can count attempts and see which tasks ran at the same time where.
 *
 * <p>Masters lose a worker 2 s after its last heartbeat (200 ms apart); a SIGKILLed worker is
 * noticed sooner, by its closed connection. Worker logs go to {@code target/fault-it-logs}.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class FaultToleranceIT {
  /** Heartbeat 200 ms, worker timeout 2 s, slow start 0.8, backup tasks on. */
  static final MasterState.Settings FAST = MasterProcess.settings(true);

  @TempDir Path dir;
  private Path trace;
  private Path logs;
  private Master master;
  private Process masterProcess;
  private final List<Process> workers = new ArrayList<>();
  private int workerCount;

  @BeforeEach
  void setUp(TestInfo info) throws IOException {
    trace = Files.createDirectories(dir.resolve("trace"));
    String method = info.getTestMethod().orElseThrow().getName();
    String name = info.getDisplayName().startsWith(method) ? method
        : method + "-" + info.getDisplayName().replaceAll("[^A-Za-z0-9]+", "_");
    logs = Files.createDirectories(Path.of("target", "fault-it-logs", name));
  }

  @AfterEach
  void stop() throws InterruptedException {
    for (Process p : workers) {
      p.destroyForcibly();
    }
    for (Process p : workers) {
      p.waitFor(10, TimeUnit.SECONDS);
    }
    if (masterProcess != null) {
      masterProcess.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
    if (master != null) {
      master.close();
    }
  }

  // ------------------------------------------------------------------ processes

  private static List<String> java(String... jvmOptions) {
    List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1"));
    cmd.addAll(List.of(jvmOptions));
    cmd.addAll(List.of("-cp", System.getProperty("java.class.path")));
    return cmd;
  }

  private String startMaster(boolean backups) throws Exception {
    master = Master.start(Master.Config.local().withWorkDirectory(dir.resolve("master"))
        .withSettings(MasterProcess.settings(backups)));
    return "127.0.0.1:" + master.port();
  }

  /** A worker JVM with {@code slots} slots, its log in target/fault-it-logs. */
  private Process startWorker(int port, int slots, String... jvmOptions) throws IOException {
    int i = workerCount++;
    List<String> cmd = java(jvmOptions);
    cmd.addAll(List.of(WorkerProcess.class.getName(), Integer.toString(port), Integer.toString(slots),
        dir.resolve("worker-" + i).toString()));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
        .redirectOutput(logs.resolve("worker-" + i + ".log").toFile()).start();
    workers.add(p);
    return p;
  }

  private void awaitWorkers(int n) throws InterruptedException {
    await(() -> master.status().workers().size() >= n, 30, "workers registered: " + n);
  }

  private static void await(BooleanSupplier condition, int seconds, String what) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out after " + seconds + " s waiting for: " + what);
      }
      Thread.sleep(20);
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket probe = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return probe.getLocalPort();
    }
  }

  // ------------------------------------------------------------------ input and oracle

  private Path writeInput(int files, int linesPerFile, long seed) throws IOException {
    return WordCountCluster.writeWords(dir.resolve("in"), files, linesPerFile, seed);
  }




  private MapReduceSpecification<?, ?> wordCount(Path in, String cluster, Mapper<String, Long> mapper,
      Reducer<String, Long> reducer, int reduces) {
    return MapReduceSpecification.builder().mapper(mapper).reducer(reducer)
        .input(in.toString()).output(dir.resolve("out").toString())
        .reduceTasks(reduces).cluster(cluster).build();
  }

  // ------------------------------------------------------------------ traces

  /** One event of one attempt, read back from the trace directory. */
  record Event(String kind, String task, int attempt, long pid, String what, long millis) {}

  /** Records an event as a file {@code task.attempt.pid.what} holding the time. */
  static void record(String traceDir, TaskContext context, String what) throws IOException {
    Path f = Path.of(traceDir).resolve(context.taskId() + "." + context.attempt() + "." + ProcessHandle.current().pid()
        + "." + what);
    Files.writeString(f, Long.toString(System.currentTimeMillis()), StandardOpenOption.CREATE_NEW);
  }

  private List<Event> events() throws IOException {
    List<Event> events = new ArrayList<>();
    try (Stream<Path> files = Files.list(trace)) {
      for (Path f : files.toList()) {
        String[] parts = f.getFileName().toString().split("\\.");
        String content = Files.readString(f).trim();
        if (parts.length != 4 || content.isEmpty()) {
          continue; // being written
        }
        events.add(new Event(parts[0].substring(0, 1), parts[0], Integer.parseInt(parts[1]), Long.parseLong(parts[2]),
            parts[3], Long.parseLong(content)));
      }
    }
    return events;
  }

  private List<Event> starts(String kind) throws IOException {
    return events().stream().filter(e -> e.kind.equals(kind) && e.what.equals("start")).toList();
  }

  /** Whether two attempts of the given kind, on two different worker JVMs, ran at the same time. */
  private boolean overlapOnTwoPids(String kind) throws IOException {
    Map<String, long[]> spans = new HashMap<>(); // task.attempt.pid -> start, end
    Map<String, Long> pids = new HashMap<>();
    for (Event e : events()) {
      if (!e.kind.equals(kind)) {
        continue;
      }
      String key = e.task + "." + e.attempt + "." + e.pid;
      long[] span = spans.computeIfAbsent(key, k -> new long[] {-1, -1});
      span[e.what.equals("start") ? 0 : 1] = e.millis;
      pids.put(key, e.pid);
    }
    List<String> keys = new ArrayList<>(spans.keySet());
    for (String a : keys) {
      for (String b : keys) {
        long[] x = spans.get(a);
        long[] y = spans.get(b);
        if (!pids.get(a).equals(pids.get(b)) && x[0] >= 0 && x[1] >= 0 && y[0] >= 0 && y[1] >= 0
            && x[0] < y[1] && y[0] < x[1]) {
          return true;
        }
      }
    }
    return false;
  }

  // ------------------------------------------------------------------ user code

  /**
   * Word count that traces its attempts and takes its time: {@code setupMillis} in setup, then
   * {@code pauseMillis} every {@code pauseEvery} lines; on a JVM started with {@code -Dfault.slow=true},
   * {@code slowMillisPerLine} per line (a straggler: the worker honours a kill between records).
   * Holds the lines of files named in {@code gatedFiles} until the file {@code gate} appears.
   */
  static final class TracingMapper extends Mapper<String, Long> {
    private final String trace;
    private final long setupMillis;
    private final int pauseEvery;
    private final long pauseMillis;
    private final long slowMillisPerLine;
    private final String gate;
    private final List<String> gatedFiles;
    private transient TaskContext context;
    private transient boolean gated;
    private transient int lines;

    TracingMapper(String trace, long setupMillis, int pauseEvery, long pauseMillis, long slowMillisPerLine,
        String gate, List<String> gatedFiles) {
      this.trace = trace;
      this.setupMillis = setupMillis;
      this.pauseEvery = pauseEvery;
      this.pauseMillis = pauseMillis;
      this.slowMillisPerLine = slowMillisPerLine;
      this.gate = gate;
      this.gatedFiles = new ArrayList<>(gatedFiles);
    }

    static TracingMapper plain(String trace) {
      return new TracingMapper(trace, 0, 0, 0, 0, null, List.of());
    }

    @Override
    public void setup(TaskContext context) throws Exception {
      this.context = context;
      record(trace, context, "start");
      gated = gate != null && gatedFiles.stream().anyMatch(context.inputFile()::endsWith);
      Thread.sleep(setupMillis);
    }

    @Override
    public void map(long offset, String line, Emitter<String, Long> emitter) throws Exception {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (gated && !Files.exists(Path.of(gate)) && System.nanoTime() < deadline) {
        Thread.sleep(10);
      }
      if (pauseEvery > 0 && ++lines % pauseEvery == 0) {
        Thread.sleep(pauseMillis);
      }
      if (slowMillisPerLine > 0 && Boolean.getBoolean("fault.slow")) {
        Thread.sleep(slowMillisPerLine);
      }
      for (String w : line.split(" ")) {
        if (!w.isEmpty()) {
          emitter.emit(w, 1L);
        }
      }
    }

    @Override
    public void cleanup(Emitter<String, Long> emitter) throws Exception {
      record(trace, context, "end");
    }
  }

  /** Sums, tracing its attempts; {@code setupMillis} in setup, {@code keyMillis} per key; waits for {@code gate}. */
  static final class TracingSum extends Reducer<String, Long> {
    private final String trace;
    private final long setupMillis;
    private final long keyMillis;
    private final String gate;
    private transient TaskContext context;

    TracingSum(String trace, long setupMillis, long keyMillis, String gate) {
      this.trace = trace;
      this.setupMillis = setupMillis;
      this.keyMillis = keyMillis;
      this.gate = gate;
    }

    static TracingSum plain(String trace) {
      return new TracingSum(trace, 0, 0, null);
    }

    @Override
    public void setup(TaskContext context) throws Exception {
      this.context = context;
      record(trace, context, "start");
      Thread.sleep(setupMillis);
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (gate != null && !Files.exists(Path.of(gate)) && System.nanoTime() < deadline) {
        Thread.sleep(10);
      }
    }

    @Override
    public void reduce(String key, Iterable<Long> values, Emitter<String, Long> emitter) throws Exception {
      if (keyMillis > 0) {
        Thread.sleep(keyMillis);
      }
      long sum = 0;
      for (long v : values) {
        sum += v;
      }
      emitter.emit(key, sum);
    }

    @Override
    public void cleanup(Emitter<String, Long> emitter) throws Exception {
      record(trace, context, "end");
    }
  }

  /** Emits (line, 1), and throws on the line that says "poison". */
  static final class PoisonMapper extends Mapper<String, Long> {
    @Override
    public void map(long offset, String line, Emitter<String, Long> emitter) {
      if (line.contains("poison")) {
        throw new IllegalStateException("poisoned line");
      }
      emitter.emit(line, 1L);
    }
  }

  /** Plain sum. */
  static final class Sum extends Reducer<String, Long> {
    @Override
    public void reduce(String key, Iterable<Long> values, Emitter<String, Long> emitter) {
      long sum = 0;
      for (long v : values) {
        sum += v;
      }
      emitter.emit(key, sum);
    }
  }

  // ------------------------------------------------------------------ tests

  /**
   * 6.824's crash test: three workers; {@code victims} of them SIGKILLed at a random moment of the
   * map phase and one at a random moment of the reduce phase, each replaced by a new worker at once.
   */
  @ParameterizedTest(name = "seed {0}, {1} killed in the map phase")
  @CsvSource({"1, 1", "2, 1", "3, 2"})
  @Timeout(value = 90, unit = TimeUnit.SECONDS)
  void crash_workersKilledInMapAndReducePhases_outputEqualsSequentialCount(long seed, int victims) throws Exception {
    String cluster = startMaster(true);
    for (int i = 0; i < 3; i++) {
      startWorker(master.port(), 2);
    }
    Path in = writeInput(8, 2000, seed);
    Map<String, Long> expected = sequentialCount(in);
    awaitWorkers(3);
    // About a second per map task (5 ms every 10 lines), and per reduce task (5 ms a key, ~170 keys each).
    Job job = MapReduce.exec(wordCount(in, cluster, new TracingMapper(trace.toString(), 0, 10, 5, 0, null, List.of()),
        new TracingSum(trace.toString(), 0, 5, null), 3));
    Random random = new Random(seed);
    int killInMap = random.nextInt(job.progress().mapsTotal() == 0 ? 6 : job.progress().mapsTotal() - 2);
    long mapDelay = random.nextInt(400);
    long reduceDelay = random.nextInt(300);
    await(() -> job.isDone() || job.progress().mapsCompleted() >= killInMap, 60, "maps done: " + killInMap);
    Thread.sleep(mapDelay);
    boolean killedInMap = false;
    if (!job.isDone() && job.progress().mapsCompleted() < job.progress().mapsTotal()) {
      for (int v = 0; v < victims; v++) {
        killAndReplace(random);
      }
      killedInMap = true;
    }
    await(() -> job.isDone() || job.progress().mapsCompleted() == job.progress().mapsTotal(), 60, "all maps done");
    Thread.sleep(reduceDelay);
    boolean killedInReduce = false;
    if (!job.isDone()) {
      killAndReplace(random);
      killedInReduce = true;
    }
    JobResult result = job.get(75, TimeUnit.SECONDS);
    assertThat(killedInMap).as("a worker killed in the map phase").isTrue();
    assertThat(killedInReduce).as("a worker killed in the reduce phase").isTrue();
    assertThat(readOutput(result)).isEqualTo(expected);
    assertThat(result.outputFiles()).hasSize(3);
    assertThat(result.counters().get(Counters.MAP_INPUT_RECORDS)).isEqualTo(8 * 2000);
  }

  private void killAndReplace(Random random) throws IOException {
    // The replacements of this round are not victims yet: they would die before registering.
    List<Process> alive = workers.stream().filter(Process::isAlive)
        .filter(p -> p.info().startInstant().map(t -> t.isBefore(java.time.Instant.now().minusMillis(500))).orElse(true))
        .toList();
    if (alive.isEmpty()) {
      alive = workers.stream().filter(Process::isAlive).toList();
    }
    Process victim = alive.get(random.nextInt(alive.size()));
    victim.destroyForcibly();
    startWorker(master.port(), 2);
  }

  /**
   * All maps done, reduces held in setup while they fetch: a worker that ran maps is SIGKILLed.
   * Its map outputs lived on its disk, so its maps run again elsewhere and the job succeeds.
   */
  @Test
  @Timeout(value = 90, unit = TimeUnit.SECONDS)
  void workerKilledWhileReducesFetch_itsMapsRunAgain_jobSucceeds() throws Exception {
    String cluster = startMaster(true);
    for (int i = 0; i < 3; i++) {
      startWorker(master.port(), 2);
    }
    Path in = writeInput(6, 300, 7);
    awaitWorkers(3);
    Path gate = dir.resolve("reduce-gate");
    Job job = MapReduce.exec(wordCount(in, cluster, TracingMapper.plain(trace.toString()),
        new TracingSum(trace.toString(), 0, 0, gate.toString()), 3));
    await(() -> job.progress().mapsCompleted() == 6, 60, "all maps done");
    Map<Long, List<String>> mapsByPid = starts("m").stream()
        .collect(Collectors.groupingBy(Event::pid, Collectors.mapping(Event::task, Collectors.toList())));
    long victimPid = killWorkerThatRanMaps();
    List<String> lostMaps = mapsByPid.get(victimPid);
    // The master re-runs the lost maps on the two workers left; then the reduces may finish.
    await(() -> {
      try {
        return starts("m").stream().filter(e -> e.pid != victimPid).map(Event::task).collect(Collectors.toSet())
            .containsAll(lostMaps);
      } catch (IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    }, 60, "maps " + lostMaps + " of the killed worker run again");
    Files.createFile(gate);
    JobResult result = job.get(60, TimeUnit.SECONDS);
    assertThat(readOutput(result)).isEqualTo(sequentialCount(in));
    assertThat(result.counters().get(Counters.MAP_INPUT_RECORDS)).as("counted once per map task").isEqualTo(6 * 300);
  }

  /** SIGKILLs a worker JVM that ran maps (as the trace says); returns its pid. */
  private long killWorkerThatRanMaps() throws Exception {
    long victimPid = starts("m").get(0).pid();
    Process victim = workers.stream().filter(p -> p.pid() == victimPid).findFirst().orElseThrow();
    victim.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    return victimPid;
  }

  /**
   * As above, with the map outputs in S3 ({@code intermediate("s3://scratch/tmp/")}, s3proxy on
   * 127.0.0.1): the killed worker's maps do not run again, the job succeeds, and its intermediate
   * objects are gone when it ends.
   */
  @Test
  @Timeout(value = 120, unit = TimeUnit.SECONDS)
  void s3Intermediate_workerKilledAfterItsMapsFinished_noMapRunsAgain() throws Exception {
    try (S3ProxyServer s3 = S3ProxyServer.start(Files.createDirectories(dir.resolve("s3")))) {
      s3.createBucket("scratch");
      // This JVM's master creates and removes the job's intermediate objects. Its S3 client is made
      // once per JVM: no other test of this JVM uses S3.
      s3.setSystemProperties();
      String cluster = startMaster(true);
      for (int i = 0; i < 3; i++) {
        startWorker(master.port(), 2, s3.jvmOptions().toArray(String[]::new));
      }
      Path in = writeInput(6, 300, 11);
      awaitWorkers(3);
      Path gate = dir.resolve("reduce-gate");
      Job job = MapReduce.exec(MapReduceSpecification.builder().mapper(TracingMapper.plain(trace.toString()))
          .reducer(new TracingSum(trace.toString(), 0, 0, gate.toString()))
          .input(in.toString()).output(dir.resolve("out").toString()).reduceTasks(3)
          .intermediate("s3://scratch/tmp/").cluster(cluster).build());
      await(() -> job.progress().mapsCompleted() == 6, 60, "all maps done");
      assertThat(objects(s3, "tmp/")).as("each map's run and index, in S3, and the job's marker")
          .hasSize(13).allMatch(k -> k.matches("tmp/[^/]+/(m-0000[0-5]\\.1\\.(data|index)|_job)"));
      long victimPid = killWorkerThatRanMaps();
      await(() -> master.status().workers().size() == 2, 30, "the killed worker is lost");
      Files.createFile(gate);
      JobResult result = job.get(60, TimeUnit.SECONDS);

      assertThat(readOutput(result)).isEqualTo(sequentialCount(in));
      List<Event> mapStarts = starts("m");
      assertThat(mapStarts).as("map attempts: each map once, none again after worker %d died", victimPid)
          .hasSize(6).extracting(Event::task).doesNotHaveDuplicates();
      assertThat(mapStarts).anyMatch(e -> e.pid() == victimPid);
      await(() -> objects(s3, "tmp/").isEmpty(), 30, "the job's intermediate objects removed");
    }
  }

  private static List<String> objects(S3ProxyServer s3, String prefix) {
    return s3.keys("scratch", prefix);
  }

  /** 6.824's map and reduce parallelism tests: with two workers, both run tasks at the same time. */
  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  void parallelism_twoWorkers_runMapsAndReducesAtTheSameTime() throws Exception {
    String cluster = startMaster(true);
    startWorker(master.port(), 1);
    startWorker(master.port(), 1);
    Path in = writeInput(4, 100, 11);
    awaitWorkers(2);
    JobResult result = MapReduce.exec(wordCount(in, cluster,
            new TracingMapper(trace.toString(), 1000, 0, 0, 0, null, List.of()),
            new TracingSum(trace.toString(), 1000, 0, null), 2))
        .get(60, TimeUnit.SECONDS);
    assertThat(readOutput(result)).isEqualTo(sequentialCount(in));
    assertThat(starts("m").stream().map(Event::pid).distinct()).as("pids running maps").hasSize(2);
    assertThat(overlapOnTwoPids("m")).as("two maps at once on two workers").isTrue();
    assertThat(overlapOnTwoPids("r")).as("two reduces at once on two workers").isTrue();
  }

  /** 6.824's job count test: without failures every task runs once, and uniform tasks get no backups. */
  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  void jobCount_noFailures_eachTaskRunsExactlyOnce_noBackups() throws Exception {
    String cluster = startMaster(true);
    for (int i = 0; i < 3; i++) {
      startWorker(master.port(), 2);
    }
    Path in = writeInput(8, 200, 13);
    awaitWorkers(3);
    JobResult result = MapReduce.exec(wordCount(in, cluster,
            new TracingMapper(trace.toString(), 300, 0, 0, 0, null, List.of()),
            new TracingSum(trace.toString(), 200, 0, null), 3))
        .get(60, TimeUnit.SECONDS);
    assertThat(readOutput(result)).isEqualTo(sequentialCount(in));
    Map<String, Long> mapAttempts = starts("m").stream().collect(Collectors.groupingBy(Event::task, Collectors.counting()));
    Map<String, Long> reduceAttempts =
        starts("r").stream().collect(Collectors.groupingBy(Event::task, Collectors.counting()));
    assertThat(mapAttempts).hasSize(8).allSatisfy((task, n) -> assertThat(n).as(task).isEqualTo(1));
    assertThat(reduceAttempts).hasSize(3).allSatisfy((task, n) -> assertThat(n).as(task).isEqualTo(1));
    assertThat(result.counters().asMap()).doesNotContainKey(MasterState.BACKUP_ATTEMPTS);
  }

  private void assertOutputFinalAndStable(JobResult result, Path out, int reduces) throws Exception {
    assertThat(out.resolve("_SUCCESS")).exists();
    Map<String, String> before = snapshot(out);
    try (Stream<Path> beside = Files.list(out.getParent())) {
      assertThat(beside.map(p -> p.getFileName().toString()))
          .as("nothing staged beside the output").noneMatch(n -> n.contains("staging") || n.startsWith("."));
    }
    assertThat(before.keySet()).as("output files: no attempt or temporary files").allMatch(n -> n.isEmpty()
        || n.equals("_SUCCESS") || n.matches("mr-out-\\d{5}"));
    assertThat(result.outputFiles()).hasSize(reduces);
    for (var uri : result.outputFiles()) {
      assertThat(Path.of(uri).getParent()).isEqualTo(out);
    }
    Thread.sleep(1500);
    assertThat(snapshot(out)).as("output a while after the client returned").isEqualTo(before);
  }

  /** 6.824's early exit test: when the client returns, the output is complete and stays as it is. */
  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  void earlyExit_whenTheClientReturns_successIsThere_andTheOutputNoLongerChanges() throws Exception {
    String cluster = startMaster(true);
    startWorker(master.port(), 2);
    startWorker(master.port(), 2);
    Path in = writeInput(5, 300, 17);
    awaitWorkers(2);
    // Reduces of unequal length: the last one ends well after the first.
    JobResult result = MapReduce.exec(wordCount(in, cluster,
            new TracingMapper(trace.toString(), 100, 0, 0, 0, null, List.of()),
            new TracingSum(trace.toString(), 0, 3, null), 4))
        .get(60, TimeUnit.SECONDS);
    Path out = dir.resolve("out");
    assertOutputFinalAndStable(result, out, 4);
    assertThat(readOutput(result)).isEqualTo(sequentialCount(in));
  }

  /**
   * The paper's backup tasks: one worker JVM takes 40 s per map task; its task gets a backup on
   * another worker, which wins, and the job ends in a fraction of the straggler's time. The fast
   * workers have a slot to spare beside the reduces that slow start begins while the straggler runs.
   */
  @Test
  @Timeout(value = 90, unit = TimeUnit.SECONDS)
  void straggler_getsABackupThatWins_jobEndsInAFractionOfItsTime() throws Exception {
    runStraggler(2);
  }

  /**
   * As above, with one slot a worker (6.824's setting): slow start hands the reduces the fast
   * workers' only slots while the straggling map still runs, so its backup finds no free slot.
   */
  @Test
  @Timeout(value = 90, unit = TimeUnit.SECONDS)
  void straggler_oneSlotWorkers_reducesHoldEverySlot_stillGetsABackup() throws Exception {
    runStraggler(1);
  }

  private void runStraggler(int fastSlots) throws Exception {
    String cluster = startMaster(true);
    startWorker(master.port(), 1, "-Dfault.slow=true");
    awaitWorkers(1);
    startWorker(master.port(), fastSlots);
    startWorker(master.port(), fastSlots);
    Path in = writeInput(6, 40, 19); // 40 lines: 40 s a task on the slow JVM, at 1 s a line
    awaitWorkers(3);
    long start = System.nanoTime();
    JobResult result = MapReduce.exec(wordCount(in, cluster,
            new TracingMapper(trace.toString(), 0, 0, 0, 1000, null, List.of()), TracingSum.plain(trace.toString()), 2))
        .get(80, TimeUnit.SECONDS);
    long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start);
    assertThat(readOutput(result)).isEqualTo(sequentialCount(in));
    assertThat(result.counters().get(MasterState.BACKUP_ATTEMPTS)).as("backup attempts").isGreaterThanOrEqualTo(1);
    assertThat(seconds).as("job time (s); a straggler takes 40").isLessThan(30);
    assertThat(result.counters().get(Counters.MAP_INPUT_RECORDS)).as("counted once per map task").isEqualTo(6 * 40);
    // The losing attempt, still running on the slow JVM when the client returned, changes nothing.
    assertOutputFinalAndStable(result, dir.resolve("out"), 2);
  }

  private static void signal(Process p, String signal) throws Exception {
    int code = new ProcessBuilder("kill", "-" + signal, Long.toString(p.pid())).inheritIO().start().waitFor();
    assertThat(code).as("kill -%s %s", signal, p.pid()).isZero();
  }

  /** What a frozen-worker run leaves: the output as the client saw it, and the woken worker. */
  private record Frozen(Path out, Map<String, String> outputWhenTheClientReturned) {}

  /**
   * A worker frozen (SIGSTOP: the connection stays open, the heartbeats stop) in the setup of a
   * map attempt of a map-only job; the job must succeed without it. Wakes it (SIGCONT) after the
   * job's commit, and gives its stale attempt 4 s to finish its setup, its map and its commit request.
   */
  private Frozen freezeAWorkerInAMapOnlyJob() throws Exception {
    String cluster = startMaster(true);
    for (int i = 0; i < 3; i++) {
      startWorker(master.port(), 1);
    }
    Path in = writeInput(6, 200, 29);
    awaitWorkers(3);
    Job job = MapReduce.exec(MapReduceSpecification.builder()
        .mapper(new TracingMapper(trace.toString(), 1500, 0, 0, 0, null, List.of()))
        .input(in.toString()).output(dir.resolve("out").toString()).reduceTasks(0).cluster(cluster).build());
    await(() -> {
      try {
        return !starts("m").isEmpty();
      } catch (IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    }, 60, "a map attempt started");
    Event frozenAttempt = starts("m").get(0);
    Process frozen = workers.stream().filter(p -> p.pid() == frozenAttempt.pid).findFirst().orElseThrow();
    signal(frozen, "STOP"); // within the attempt's 1.5 s setup
    JobResult result;
    try {
      result = job.get(60, TimeUnit.SECONDS);
    } catch (Exception e) {
      signal(frozen, "CONT");
      throw e;
    }
    Map<String, Long> counts = new TreeMap<>();
    for (var uri : result.outputFiles()) {
      for (String line : Files.readAllLines(Path.of(uri), StandardCharsets.UTF_8)) {
        String[] kv = line.split("\t");
        counts.merge(kv[0], Long.parseLong(kv[1]), Long::sum);
      }
    }
    assertThat(counts).isEqualTo(sequentialCount(in));
    assertThat(result.outputFiles()).hasSize(6);
    assertThat(starts("m").stream().filter(e -> e.task.equals(frozenAttempt.task) && e.pid != frozenAttempt.pid))
        .as("attempts of %s elsewhere", frozenAttempt.task).isNotEmpty();
    Path out = dir.resolve("out");
    Map<String, String> before = snapshot(out);
    signal(frozen, "CONT");
    Thread.sleep(4000);
    return new Frozen(out, before);
  }

  /**
   * A frozen worker is lost by its missed heartbeats (its connection stays open); its map runs
   * elsewhere and the job succeeds; when it wakes after the job's commit, the master denies its
   * stale attempt the commit, and the output does not change.
   */
  @Test
  @Timeout(value = 90, unit = TimeUnit.SECONDS)
  void frozenWorker_lostByMissedHeartbeats_itsAttemptRunsElsewhere_andCannotChangeTheOutputWhenItWakes()
      throws Exception {
    Frozen f = freezeAWorkerInAMapOnlyJob();
    assertThat(snapshot(f.out())).as("output after the frozen worker woke up").isEqualTo(f.outputWhenTheClientReturned());
  }

  @Test
  @Timeout(value = 90, unit = TimeUnit.SECONDS)
  void frozenWorker_wakingAfterTheCommit_leavesNothingBesideTheOutput() throws Exception {
    Frozen f = freezeAWorkerInAMapOnlyJob();
    List<String> beside;
    try (Stream<Path> files = Files.walk(f.out().getParent(), 4)) {
      beside = files.map(p -> f.out().getParent().relativize(p).toString()).filter(n -> n.contains("staging")).toList();
    }
    assertThat(beside).as("staging files beside the output after the frozen worker woke up").isEmpty();
  }

  @Test
  @Timeout(value = 90, unit = TimeUnit.SECONDS)
  void frozenWorker_wakingUp_isBackAmongTheMastersWorkers() throws Exception {
    freezeAWorkerInAMapOnlyJob();
    await(() -> master.status().workers().size() == 3, 10, "the woken worker back among the master's workers");
  }

  /** The paper's skipping mode: a record that fails every attempt fails the job, unless skipping is on. */
  @Test
  @Timeout(value = 90, unit = TimeUnit.SECONDS)
  void badRecord_failsTheJobNamingIt_andIsSkippedAndCountedWhenSkippingIsOn() throws Exception {
    String cluster = startMaster(true);
    startWorker(master.port(), 2);
    startWorker(master.port(), 2);
    Path in = Files.createDirectories(dir.resolve("in"));
    Files.writeString(in.resolve("a.txt"), "fine\nstill fine\npoison here\nfine\n");
    awaitWorkers(2);

    Job failing = MapReduce.exec(MapReduceSpecification.builder().mapper(new PoisonMapper()).reducer(new Sum())
        .input(in.toString()).output(dir.resolve("out-1").toString()).maxTaskAttempts(2).cluster(cluster).build());
    assertThatThrownBy(() -> failing.get(60, TimeUnit.SECONDS))
        .isInstanceOf(ExecutionException.class)
        .cause().isInstanceOf(TaskFailedException.class)
        .hasMessageContaining("m-00000")
        .hasMessageContaining("a.txt:16")
        .hasMessageContaining("poisoned line");
    assertThat(dir.resolve("out-1")).doesNotExist();

    JobResult skipped = MapReduce.exec(MapReduceSpecification.builder().mapper(new PoisonMapper()).reducer(new Sum())
            .input(in.toString()).output(dir.resolve("out-2").toString()).skipBadRecords(true).cluster(cluster).build())
        .get(60, TimeUnit.SECONDS);
    assertThat(readOutput(skipped)).isEqualTo(Map.of("fine", 2L, "still fine", 1L));
    assertThat(skipped.counters().get(Counters.SKIPPED_RECORDS)).isEqualTo(1);
  }

  private Process startMasterProcess(int port, Path workDir) throws Exception {
    Path ready = dir.resolve("master-ready-" + System.nanoTime());
    List<String> cmd = java();
    cmd.addAll(List.of(MasterProcess.class.getName(), Integer.toString(port), workDir.toString(), ready.toString()));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(logs.resolve("master.log").toFile())).start();
    await(() -> Files.exists(ready) || !p.isAlive(), 30, "master listening");
    assertThat(p.isAlive()).as("master process alive (see master.log)").isTrue();
    return p;
  }

  /**
   * Hadoop's application-master recovery: the master, in its own JVM, is SIGKILLed mid-job and
   * started again on the same work directory and port; the job resumes and the client, which
   * submitted it from this JVM, gets its result.
   */
  @Test
  @Timeout(value = 120, unit = TimeUnit.SECONDS)
  void masterKilledMidJob_restartedOnItsWorkDirectory_jobCompletes_clientGetsTheResult() throws Exception {
    int port = freePort();
    Path workDir = dir.resolve("master");
    masterProcess = startMasterProcess(port, workDir);
    startWorker(port, 2);
    startWorker(port, 2);
    Path in = writeInput(5, 300, 23);
    Path gate = dir.resolve("map-gate");
    Job job = MapReduce.exec(wordCount(in, "127.0.0.1:" + port,
        new TracingMapper(trace.toString(), 0, 0, 0, 0, gate.toString(), List.of("part-3.txt", "part-4.txt")),
        TracingSum.plain(trace.toString()), 2));
    await(() -> job.progress().mapsCompleted() >= 3, 60, "three maps done");
    List<String> doneBefore = events().stream().filter(e -> e.kind.equals("m") && e.what.equals("end"))
        .map(Event::task).toList();

    assertThat(job.isDone()).isFalse();
    masterProcess.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    Thread.sleep(500);
    masterProcess = startMasterProcess(port, workDir);
    Files.createFile(gate);

    JobResult result = job.get(90, TimeUnit.SECONDS);
    assertThat(readOutput(result)).isEqualTo(sequentialCount(in));
    assertThat(result.counters().get(Counters.MAP_INPUT_RECORDS)).isEqualTo(5 * 300);
    assertThat(dir.resolve("out").resolve("_SUCCESS")).exists();
    // The journal kept the maps done before the kill, and the workers kept their outputs: none runs again.
    Map<String, Long> mapAttempts = starts("m").stream().collect(Collectors.groupingBy(Event::task, Collectors.counting()));
    assertThat(doneBefore).hasSizeGreaterThanOrEqualTo(3)
        .allSatisfy(task -> assertThat(mapAttempts.get(task)).as("attempts of %s, done before the kill", task).isEqualTo(1));
  }
}

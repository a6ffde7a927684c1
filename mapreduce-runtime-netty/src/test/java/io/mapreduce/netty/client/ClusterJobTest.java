package io.mapreduce.netty.client;

import static io.mapreduce.netty.WordCountCluster.readOutput;
import static io.mapreduce.netty.WordCountCluster.sequentialCount;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mapreduce.Counters;
import io.mapreduce.Emitter;
import io.mapreduce.JobResult;
import io.mapreduce.MapReduce;
import io.mapreduce.MapReduceSpecification;
import io.mapreduce.Mapper;
import io.mapreduce.TaskFailedException;
import io.mapreduce.netty.WordCountCluster;
import io.mapreduce.netty.WordCountCluster.SplitMapper;
import io.mapreduce.netty.WordCountCluster.Sum;
import io.mapreduce.netty.master.Master;
import io.mapreduce.netty.master.SchedulingPolicy;
import io.mapreduce.netty.worker.Worker;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/**
 * A master and three workers in this JVM, on real sockets on 127.0.0.1: jobs submitted through
 * {@code MapReduce.exec} give what a sequential count of the same input gives.
 */
class ClusterJobTest {
  @TempDir Path dir;
  private Master master;
  private final List<Worker> workers = new ArrayList<>();

  @AfterEach
  void stop() {
    workers.forEach(Worker::close);
    if (master != null) {
      master.close();
    }
  }

  private String startCluster(String policy, int workerCount) throws Exception {
    master = Master.start(Master.Config.local().withPolicy(SchedulingPolicy.named(policy)).withHttpPort(0));
    for (int i = 0; i < workerCount; i++) {
      workers.add(Worker.start(Worker.Config.local(master.port(), 2, dir.resolve("worker-" + i))));
    }
    return "127.0.0.1:" + master.port();
  }

  private Path writeInput(int files, int linesPerFile) throws IOException {
    return WordCountCluster.writeWords(dir.resolve("in"), files, linesPerFile, 42);
  }

  @ParameterizedTest
  @ValueSource(strings = {"card-dealing", "pairwise", "load-aware"})
  void exec_wordCountOnThreeWorkers_equalsSequentialCount(String policy) throws Exception {
    String cluster = startCluster(policy, 3);
    Path in = writeInput(4, 3000);
    JobResult result = MapReduce.exec(MapReduceSpecification.builder()
            .mapper(new SplitMapper()).reducer(new Sum()).combiner(new Sum())
            .input(in.toString()).output(dir.resolve("out").toString())
            .reduceTasks(3).splitSize(16 << 10).cluster(cluster).build())
        .get(60, TimeUnit.SECONDS);

    assertThat(readOutput(result)).isEqualTo(sequentialCount(in));
    assertThat(result.outputFiles()).hasSize(3);
    assertThat(dir.resolve("out").resolve("_SUCCESS")).exists();
    assertThat(result.counters().get(Counters.MAP_INPUT_RECORDS)).isEqualTo(4 * 3000);
  }

  @Test
  void exec_twoJobsInARow_bothSucceedOnOneCluster() throws Exception {
    String cluster = startCluster("card-dealing", 2);
    Path in = writeInput(2, 500);
    for (int i = 0; i < 2; i++) {
      JobResult r = MapReduce.exec(MapReduceSpecification.builder()
              .mapper(new SplitMapper()).reducer(new Sum())
              .input(in.toString()).output(dir.resolve("out-" + i).toString())
              .reduceTasks(2).cluster(cluster).build())
          .get(60, TimeUnit.SECONDS);
      assertThat(readOutput(r)).isEqualTo(sequentialCount(in));
    }
  }

  @Test
  void exec_mapOnly_writesOneFilePerSplit() throws Exception {
    String cluster = startCluster("card-dealing", 2);
    Path in = writeInput(3, 100);
    JobResult r = MapReduce.exec(MapReduceSpecification.builder()
            .mapper(new SplitMapper()).input(in.toString()).output(dir.resolve("out").toString())
            .reduceTasks(0).cluster(cluster).build())
        .get(60, TimeUnit.SECONDS);
    assertThat(r.outputFiles()).hasSize(3);
    long lines = 0;
    for (var uri : r.outputFiles()) {
      lines += Files.readAllLines(Path.of(uri)).size();
    }
    assertThat(lines).isEqualTo(sequentialCount(in).values().stream().mapToLong(Long::longValue).sum());
  }

  static final class FailingMapper extends Mapper<String, Long> {
    @Override
    public void map(long offset, String line, Emitter<String, Long> emitter) {
      if (line.contains("poison")) {
        throw new IllegalStateException("poisoned line");
      }
      emitter.emit(line, 1L);
    }
  }

  @Test
  void exec_mapperFailsEveryAttempt_failsJobNamingRecordAndLeavesNoOutput() throws Exception {
    String cluster = startCluster("card-dealing", 2);
    Path in = Files.createDirectories(dir.resolve("in"));
    Files.writeString(in.resolve("a.txt"), "fine\nstill fine\npoison here\n");
    Path out = dir.resolve("out");
    var job = MapReduce.exec(MapReduceSpecification.builder()
        .mapper(new FailingMapper()).reducer(new Sum())
        .input(in.toString()).output(out.toString()).maxTaskAttempts(2).cluster(cluster).build());
    assertThatThrownBy(() -> job.get(60, TimeUnit.SECONDS))
        .isInstanceOf(ExecutionException.class)
        .cause().isInstanceOf(TaskFailedException.class)
        .hasMessageContaining("m-00000")
        .hasMessageContaining("after 2 attempts")
        .hasMessageContaining("a.txt:16")
        .hasMessageContaining("java.lang.IllegalStateException: poisoned line");
    assertThat(out).doesNotExist();
  }

  /** The first attempt to make the directory {@code marker} hangs (interruptibly) on its first line. */
  static final class HangsOnce extends Mapper<String, Long> {
    private final String marker;

    HangsOnce(String marker) {
      this.marker = marker;
    }

    @Override
    public void map(long offset, String line, Emitter<String, Long> emitter) throws Exception {
      if (offset == 0) {
        try {
          Files.createDirectory(Path.of(marker));
          Thread.sleep(600_000);
        } catch (java.nio.file.FileAlreadyExistsException e) {
          // a later attempt: work
        }
      }
      emitter.emit(line, 1L);
    }
  }

  /**
   * Issue 16's task timeout on workers: an attempt stuck for more than the job's 1 s timeout is
   * killed by its worker and reported failed, and the master's retry finishes the job.
   */
  @Test
  void exec_mapperHungOnItsFirstAttempt_killedByTheTaskTimeoutAndRetried() throws Exception {
    String cluster = startCluster("card-dealing", 2);
    Path in = Files.createDirectories(dir.resolve("in"));
    Files.writeString(in.resolve("a.txt"), "x\ny\nx\n");
    JobResult r = MapReduce.exec(MapReduceSpecification.builder()
            .mapper(new HangsOnce(dir.resolve("marker").toString())).reducer(new Sum())
            .input(in.toString()).output(dir.resolve("out").toString()).maxTaskAttempts(2)
            .taskTimeout(java.time.Duration.ofSeconds(1)).cluster(cluster).build())
        .get(60, TimeUnit.SECONDS);
    assertThat(readOutput(r)).isEqualTo(Map.of("x", 2L, "y", 1L));
    assertThat(dir.resolve("marker")).isDirectory();
  }

  /**
   * The same with a streaming program that hangs without reading its (larger than a pipe) input:
   * the worker kills the program too, and the retry finishes the job.
   */
  @Test
  void exec_streamingMapperHungOnItsFirstAttempt_programKilledAndTaskRetried() throws Exception {
    String cluster = startCluster("card-dealing", 2);
    Path in = Files.createDirectories(dir.resolve("in"));
    StringBuilder lines = new StringBuilder();
    for (int i = 0; i < 30_000; i++) {
      lines.append("line ").append(i).append('\n');
    }
    Files.writeString(in.resolve("a.txt"), lines);
    Path script = dir.resolve("hung.sh");
    Files.writeString(script, io.mapreduce.lib.streaming.StreamingScripts.hungFirstAttempt(dir.resolve("marker"),
        dir.resolve("attempts.log")));
    script.toFile().setExecutable(true);
    JobResult r = MapReduce.exec(MapReduceSpecification.builder()
            .mapper(new io.mapreduce.lib.streaming.StreamingMapper(
                io.mapreduce.lib.streaming.StreamingProgram.builder("./hung.sh").file(script).build()))
            .input(in.toString()).output(dir.resolve("out").toString()).reduceTasks(0).maxTaskAttempts(2)
            .taskTimeout(java.time.Duration.ofSeconds(1)).cluster(cluster).build())
        .get(60, TimeUnit.SECONDS);
    assertThat(r.counters().get(Counters.OUTPUT_RECORDS)).isEqualTo(30_000);
    assertThat(Files.readAllLines(dir.resolve("attempts.log"))).containsExactly("m-00000_1", "m-00000_2");
    io.mapreduce.lib.streaming.StreamingScripts.assertHungProgramEnded(dir.resolve("marker"));
  }

  @Test
  void exec_missingInput_failsWithOneLineNamingIt() throws Exception {
    String cluster = startCluster("card-dealing", 1);
    var job = MapReduce.exec(MapReduceSpecification.builder()
        .mapper(new SplitMapper()).reducer(new Sum())
        .input(dir.resolve("nope").toString()).output(dir.resolve("out").toString()).cluster(cluster).build());
    assertThatThrownBy(() -> job.get(30, TimeUnit.SECONDS))
        .cause().hasMessageContaining("input not found").hasMessageContaining("nope");
  }

  @Test
  void exec_noMaster_failsSayingSo() throws Exception {
    var job = MapReduce.exec(MapReduceSpecification.builder()
        .mapper(new SplitMapper()).reducer(new Sum())
        .input(dir.toString()).output(dir.resolve("out").toString()).cluster("127.0.0.1:1").build());
    assertThatThrownBy(() -> job.get(30, TimeUnit.SECONDS))
        .cause().hasMessageContaining("cannot reach the master at 127.0.0.1:1");
  }

  /** Holds every map call until a file appears, so a test can look at a job while it runs. */
  static final class GateMapper extends Mapper<String, Long> {
    private final String gate;

    GateMapper(String gate) {
      this.gate = gate;
    }

    @Override
    public void map(long offset, String line, Emitter<String, Long> emitter) throws Exception {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (!Files.exists(Path.of(gate)) && System.nanoTime() < deadline) {
        Thread.sleep(10);
      }
      emitter.emit(line, 1L);
    }
  }

  private String status() throws Exception {
    var client = java.net.http.HttpClient.newHttpClient();
    var response = client.send(java.net.http.HttpRequest.newBuilder(
            java.net.URI.create("http://127.0.0.1:" + master.httpPort() + "/api/status")).build(),
        java.net.http.HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).isEqualTo(200);
    return response.body();
  }

  @Test
  void statusPage_duringAndAfterAJob_showsWorkersAndProgress() throws Exception {
    String cluster = startCluster("card-dealing", 3);
    Path in = writeInput(2, 10);
    Path gate = dir.resolve("gate");
    var job = MapReduce.exec(MapReduceSpecification.builder()
        .mapper(new GateMapper(gate.toString())).reducer(new Sum())
        .input(in.toString()).output(dir.resolve("out").toString()).reduceTasks(2).cluster(cluster).build());
    String during = "";
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (!during.contains("\"phase\":\"map\"") && System.nanoTime() < deadline) {
      during = status();
      Thread.sleep(20);
    }
    assertThat(during).contains("\"phase\":\"map\"", "\"name\":\"GateMapper\"",
        "\"maps\":{\"total\":2,\"done\":0}", "\"id\":\"worker-1\"", "\"id\":\"worker-3\"",
        "\"scheduler\":\"card-dealing\"");
    Files.createFile(gate);
    job.get(60, TimeUnit.SECONDS);
    String after = status();
    assertThat(after).contains("\"phase\":\"succeeded\"", "\"maps\":{\"total\":2,\"done\":2}",
        "\"reduces\":{\"total\":2,\"done\":2}", "\"map.input.records\":20");
  }

  @Test
  void workerStartedBeforeTheMaster_registersWhenItComesUp() throws Exception {
    int port;
    try (java.net.ServerSocket probe = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      port = probe.getLocalPort();
    }
    workers.add(Worker.start(Worker.Config.local(port, 2, dir.resolve("early-worker"))));
    Thread.sleep(500); // a few refused connections and backoffs
    master = Master.start(Master.Config.local().withPort(port));
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (master.status().workers().isEmpty() && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    assertThat(master.status().workers()).hasSize(1);
    Path in = writeInput(1, 200);
    JobResult r = MapReduce.exec(MapReduceSpecification.builder()
            .mapper(new SplitMapper()).reducer(new Sum())
            .input(in.toString()).output(dir.resolve("out").toString()).cluster("127.0.0.1:" + port).build())
        .get(60, TimeUnit.SECONDS);
    assertThat(readOutput(r)).isEqualTo(sequentialCount(in));
  }

  /** Holds the maps of some files until a gate file appears; the others run at once. */
  static final class SlowFilesMapper extends Mapper<String, Long> {
    private final String gate;
    private final List<String> slowFiles;
    private transient boolean slow;

    SlowFilesMapper(String gate, List<String> slowFiles) {
      this.gate = gate;
      this.slowFiles = new ArrayList<>(slowFiles);
    }

    @Override
    public void setup(io.mapreduce.TaskContext context) {
      slow = slowFiles.stream().anyMatch(context.inputFile()::endsWith);
    }

    @Override
    public void map(long offset, String line, Emitter<String, Long> emitter) throws Exception {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (slow && !Files.exists(Path.of(gate)) && System.nanoTime() < deadline) {
        Thread.sleep(10);
      }
      for (String w : line.split(" ")) {
        if (!w.isEmpty()) {
          emitter.emit(w, 1L);
        }
      }
    }
  }

  @Test
  void mapOutputsLostOnALiveWorker_reducersReportThem_mapsRunAgain_jobSucceeds() throws Exception {
    String cluster = startCluster("card-dealing", 2);
    Path in = writeInput(5, 200);
    Path gate = dir.resolve("gate");
    var job = MapReduce.exec(MapReduceSpecification.builder()
        .mapper(new SlowFilesMapper(gate.toString(), List.of("part-3.txt", "part-4.txt"))).reducer(new Sum())
        .input(in.toString()).output(dir.resolve("out").toString()).reduceTasks(2).cluster(cluster).build());
    // Three maps of five done; reduces wait for four (slow start 0.8), so nothing was fetched yet.
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (job.progress().mapsCompleted() < 3 && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    assertThat(job.progress().mapsCompleted()).isEqualTo(3);
    // The disk loses them (the paper's failed disk), though the worker lives on.
    List<Path> outputs;
    try (Stream<Path> files = Files.walk(dir)) {
      // A map output is its one spill, or the merge of several; its index lies beside it.
      outputs = files.filter(p -> p.toString().contains(java.io.File.separator + "jobs" + java.io.File.separator))
          .filter(p -> p.getFileName().toString().matches("spill-\\d+|map-output")).toList();
    }
    assertThat(outputs).hasSize(3);
    for (Path p : outputs) {
      Files.delete(p);
    }
    Files.createFile(gate);
    JobResult r = job.get(90, TimeUnit.SECONDS);
    assertThat(readOutput(r)).isEqualTo(sequentialCount(in));
  }

  /**
   * Map outputs in a shared directory (a file system every worker sees, like S3): the workers
   * keep none on their disks; when every worker that ran maps is gone, those maps stay done and
   * a new worker runs only what was left; the job equals the count, and its shared directory is
   * removed when it ends.
   */
  @Test
  void intermediateInASharedDirectory_workersThatRanMapsGone_mapsDoNotRunAgain() throws Exception {
    String cluster = startCluster("card-dealing", 2);
    Path in = writeInput(5, 200);
    Path gate = dir.resolve("gate");
    Path shared = dir.resolve("shared");
    var job = MapReduce.exec(MapReduceSpecification.builder()
        .mapper(new SlowFilesMapper(gate.toString(), List.of("part-3.txt", "part-4.txt"))).reducer(new Sum())
        .input(in.toString()).output(dir.resolve("out").toString()).reduceTasks(3).intermediate(shared.toString())
        .cluster(cluster).build());
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (job.progress().mapsCompleted() < 3 && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    assertThat(job.progress().mapsCompleted()).isEqualTo(3);
    try (Stream<Path> files = Files.walk(dir)) {
      List<String> names = files.map(p -> dir.relativize(p).toString()).toList();
      assertThat(names).as("map outputs on the workers' disks")
          .noneMatch(n -> n.startsWith("worker-") && n.matches(".*(spill-\\d+|map-output)"));
      assertThat(names.stream().filter(n -> n.startsWith("shared") && n.matches(".*m-0000\\d\\.\\d+\\.(data|index)")))
          .as("map outputs in the shared directory").hasSize(6);
    }
    for (Worker w : workers) {
      w.close();
    }
    workers.clear();
    deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (!master.status().workers().isEmpty() && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    assertThat(master.status().workers()).isEmpty();
    assertThat(master.status().jobs().get(0).mapsDone()).as("maps done, with their workers gone").isEqualTo(3);
    workers.add(Worker.start(Worker.Config.local(master.port(), 2, dir.resolve("worker-new"))));
    Files.createFile(gate);
    JobResult r = job.get(90, TimeUnit.SECONDS);
    assertThat(readOutput(r)).isEqualTo(sequentialCount(in));
    assertThat(r.counters().get(io.mapreduce.internal.engine.SharedMapOutputs.BYTES_WRITTEN)).isPositive();
    deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!isEmptyDirectory(shared) && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    assertThat(shared).as("the job's shared map outputs, removed when it ended").isEmptyDirectory();
  }

  private static boolean isEmptyDirectory(Path dir) throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      return files.findAny().isEmpty();
    }
  }

  @Test
  void skipping_aLineThatFailsTwoAttempts_isSkippedOnTheClusterAndCountedOnce() throws Exception {
    String cluster = startCluster("card-dealing", 2);
    Path in = Files.createDirectories(dir.resolve("in"));
    Files.writeString(in.resolve("a.txt"), "fine\nstill fine\npoison here\nfine\n");
    JobResult r = MapReduce.exec(MapReduceSpecification.builder()
            .mapper(new FailingMapper()).reducer(new Sum())
            .input(in.toString()).output(dir.resolve("out").toString()).skipBadRecords(true).cluster(cluster).build())
        .get(60, TimeUnit.SECONDS);
    assertThat(readOutput(r)).isEqualTo(Map.of("fine", 2L, "still fine", 1L));
    assertThat(r.counters().get(Counters.SKIPPED_RECORDS)).isEqualTo(1);
  }

  @Test
  void masterRestartedOnItsJournal_resumesTheJob_andWorkersAndTheClientComeBack() throws Exception {
    int port;
    try (java.net.ServerSocket probe = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      port = probe.getLocalPort();
    }
    Master.Config config = Master.Config.local().withPort(port).withWorkDirectory(dir.resolve("master"));
    master = Master.start(config);
    for (int i = 0; i < 2; i++) {
      workers.add(Worker.start(Worker.Config.local(port, 2, dir.resolve("worker-" + i))));
    }
    Path in = writeInput(5, 200);
    Path gate = dir.resolve("gate");
    var job = MapReduce.exec(MapReduceSpecification.builder()
        .mapper(new SlowFilesMapper(gate.toString(), List.of("part-3.txt", "part-4.txt"))).reducer(new Sum())
        .input(in.toString()).output(dir.resolve("out").toString()).reduceTasks(2)
        .cluster("127.0.0.1:" + port).build());
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (job.progress().mapsCompleted() < 3 && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    assertThat(job.progress().mapsCompleted()).isEqualTo(3);

    master.close(); // the master goes away mid-job...
    Thread.sleep(300);
    master = Master.start(config); // ...and comes back on the same port and work directory
    Files.createFile(gate);

    JobResult r = job.get(120, TimeUnit.SECONDS);
    assertThat(readOutput(r)).isEqualTo(sequentialCount(in));
    assertThat(r.counters().get(Counters.MAP_INPUT_RECORDS)).isEqualTo(5 * 200);
  }
}

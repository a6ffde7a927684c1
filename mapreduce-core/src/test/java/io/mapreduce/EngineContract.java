package io.mapreduce;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The behaviour every execution engine owes its users, checked against sequential oracles
 * computed here. Subclasses say how to run a specification.
 */
public abstract class EngineContract {
  @TempDir
  protected Path dir;

  protected Path input;
  protected Path work;

  /** Runs the job on the engine under test. */
  protected abstract Job exec(MapReduceSpecification<?, ?> spec);

  /**
   * Where every specification of the suite starts: a plain builder runs embedded; an engine whose
   * specifications must name something (a cluster's master) overrides this.
   */
  protected MapReduceSpecification.Builder<Object, Object> builder() {
    return MapReduceSpecification.builder();
  }

  /**
   * The {@code jobs} directories where the engine under test keeps jobs' intermediate files
   * ({@code jobs/<job-id>/}): the specification's work directory here; each worker's on a cluster.
   */
  protected List<Path> jobsDirectories() {
    return List.of(work.resolve("jobs"));
  }

  /**
   * Checks that the cause of a {@link TaskFailedException} is what user code threw: the exception
   * itself here. An engine that carries failures as data (class name, message, stack text, as a
   * cluster does) overrides this to check those.
   */
  protected void assertUserException(Throwable cause, Class<? extends Throwable> type, String message) {
    assertThat(cause).isInstanceOf(type).hasMessage(message);
  }

  /** Fails if {@code job}'s directory, or any other, is left in the engine's {@link #jobsDirectories()}. */
  protected void assertNoJobDirectories(Job job, String when) throws IOException {
    for (Path jobs : jobsDirectories()) {
      assertThat(jobs.resolve(job.id())).as("the job's directory %s", when).doesNotExist();
      if (Files.isDirectory(jobs)) {
        try (Stream<Path> s = Files.list(jobs)) {
          assertThat(s.toList()).as("job directories left in %s %s", jobs, when).isEmpty();
        }
      }
    }
  }

  @BeforeEach
  void createDirectories() throws IOException {
    input = Files.createDirectories(dir.resolve("input"));
    work = Files.createDirectories(dir.resolve("work"));
  }

  // ---- fixtures ------------------------------------------------------------------------------

  /** Splits lines at spaces: the oracle does the same with String.split. */
  public static final class TokenMapper extends Mapper<String, Long> {
    @Override
    public void map(long offset, String line, Emitter<String, Long> emitter) {
      for (String w : line.split(" ")) {
        if (!w.isEmpty()) {
          emitter.emit(w, 1L);
        }
      }
    }
  }

  public static final class Sum extends Reducer<String, Long> {
    @Override
    public void reduce(String key, Iterable<Long> values, Emitter<String, Long> emitter) {
      long s = 0;
      for (long v : values) {
        s += v;
      }
      emitter.emit(key, s);
    }
  }

  protected MapReduceSpecification.Builder<String, Long> tokenCount() {
    return builder().mapper(new TokenMapper()).reducer(new Sum())
        .input(input.toString()).output(dir.resolve("out").toString()).workDirectory(work).parallelism(2);
  }

  /** Writes {@code files} files of random tokens from a small vocabulary; returns the oracle counts. */
  protected Map<String, Long> writeCorpus(int files, int linesPerFile, long seed) throws IOException {
    return writeCorpus(files, linesPerFile, seed,
        new String[] {"a", "b", "Ab", "ab", "é", "zz", "naïve", "𝒳", "the", "of", "é\u0301", "x y"});
  }

  protected Map<String, Long> writeCorpus(int files, int linesPerFile, long seed, String[] vocabulary) throws IOException {
    Random random = new Random(seed);
    Map<String, Long> oracle = new TreeMap<>();
    for (int f = 0; f < files; f++) {
      StringBuilder text = new StringBuilder();
      for (int l = 0; l < linesPerFile; l++) {
        int words = random.nextInt(8);
        for (int w = 0; w < words; w++) {
          text.append(vocabulary[random.nextInt(vocabulary.length)]).append(' ');
        }
        text.append(l % 3 == 0 ? "\r\n" : "\n");
      }
      Files.writeString(input.resolve("part-" + f + ".txt"), text.toString());
      for (String line : text.toString().split("\r?\n")) {
        for (String w : line.split(" ")) {
          if (!w.isEmpty()) {
            oracle.merge(w, 1L, Long::sum);
          }
        }
      }
    }
    return oracle;
  }

  /** Reads all output files as key -> value, failing if a key is in two lines or files are unsorted. */
  protected static Map<String, String> readOutput(Path out, int expectedFiles) throws IOException {
    assertThat(out.resolve("_SUCCESS")).exists().isEmptyFile();
    List<Path> files;
    try (Stream<Path> s = Files.list(out)) {
      files = s.filter(p -> p.getFileName().toString().startsWith("mr-out-")).sorted().toList();
    }
    assertThat(files).hasSize(expectedFiles);
    for (int i = 0; i < files.size(); i++) {
      assertThat(files.get(i).getFileName().toString()).isEqualTo(String.format("mr-out-%05d", i));
    }
    Map<String, String> all = new TreeMap<>();
    for (Path f : files) {
      byte[] previous = null;
      for (String line : Files.readAllLines(f, StandardCharsets.UTF_8)) {
        int tab = line.indexOf('\t');
        String key = tab < 0 ? line : line.substring(0, tab);
        byte[] k = key.getBytes(StandardCharsets.UTF_8);
        if (previous != null && Arrays.compareUnsigned(previous, k) > 0) {
          fail("%s is not sorted: %s after %s", f, key, new String(previous, StandardCharsets.UTF_8));
        }
        previous = k;
        if (all.put(key, tab < 0 ? "" : line.substring(tab + 1)) != null) {
          fail("key %s is in two output lines", key);
        }
      }
    }
    return all;
  }

  private static Map<String, String> asStrings(Map<String, Long> counts) {
    Map<String, String> m = new TreeMap<>();
    counts.forEach((k, v) -> m.put(k, Long.toString(v)));
    return m;
  }

  private static Throwable failureOf(Job job) throws InterruptedException {
    try {
      job.get(60, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      return e.getCause();
    } catch (java.util.concurrent.TimeoutException e) {
      job.cancel(true);
      fail("job did not finish in time");
    }
    return fail("job succeeded but should have failed");
  }

  // ---- results -------------------------------------------------------------------------------

  @Test
  void exec_severalReducers_matchOracleSortedAndDisjoint() throws Exception {
    Map<String, Long> oracle = writeCorpus(5, 400, 1);
    for (int r : new int[] {1, 3, 7}) {
      Path out = dir.resolve("out-" + r);
      var spec = builder().mapper(new TokenMapper()).reducer(new Sum()).combiner(new Sum())
          .input(input.toString()).output(out.toString()).workDirectory(work).parallelism(3)
          .reduceTasks(r).splitSize(999).build();
      JobResult result = exec(spec).get(60, TimeUnit.SECONDS);
      assertThat(readOutput(out, r)).isEqualTo(asStrings(oracle));
      assertThat(result.outputFiles()).hasSize(r);
      assertThat(result.counters().get(Counters.REDUCE_INPUT_GROUPS)).isEqualTo(oracle.size());
      assertThat(result.counters().get(Counters.OUTPUT_RECORDS)).isEqualTo(oracle.size());
      assertThat(result.counters().get(Counters.MAP_OUTPUT_RECORDS))
          .isEqualTo(oracle.values().stream().mapToLong(Long::longValue).sum());
    }
  }

  @Test
  void exec_tinySortBuffer_spillsManyTimesAndStillMatchesOracle() throws Exception {
    // Five hot words (four fifths of the text) and a tail of 3,000 rare ones: the combining table
    // (an eighth of the buffer) fills again and again without being bypassed, runs of the hot
    // words grow long enough to be folded, and combined records reach the sort buffer all along.
    String[] vocabulary = new String[15_000];
    Arrays.setAll(vocabulary, i -> i < 3000 ? "w" + i + (i % 7 == 0 ? "é" : "") : "hot" + (i % 5));
    Map<String, Long> oracle = writeCorpus(2, 20_000, 2, vocabulary);
    var spec = tokenCount().combiner(new Sum()).reduceTasks(2).sortBufferSize(64 << 10).build();
    JobResult result = exec(spec).get(60, TimeUnit.SECONDS);
    assertThat(readOutput(dir.resolve("out"), 2)).isEqualTo(asStrings(oracle));
    // Spilled records include merge output: more than one spill per task means more than the output.
    assertThat(result.counters().get(Counters.SPILLED_RECORDS))
        .isGreaterThan(result.counters().get(Counters.REDUCE_INPUT_RECORDS));
    assertThat(result.counters().get(Counters.COMBINE_INPUT_RECORDS))
        .isGreaterThan(result.counters().get(Counters.COMBINE_OUTPUT_RECORDS));
  }

  @Test
  void exec_moreSpillsThanTheMergeFactor_mergesInPassesAndMatchesOracle() throws Exception {
    Map<String, Long> oracle = writeCorpus(1, 40_000, 5);
    // One map task with a tiny buffer: well over 64 spills to merge.
    JobResult manySpills = exec(tokenCount().reduceTasks(2).sortBufferSize(64 << 10).build()).get(120, TimeUnit.SECONDS);
    assertThat(readOutput(dir.resolve("out"), 2)).isEqualTo(asStrings(oracle));
    assertThat(manySpills.counters().get(Counters.SPILLED_RECORDS))
        .isGreaterThan(manySpills.counters().get(Counters.MAP_OUTPUT_RECORDS));
  }

  @Test
  void exec_moreMapOutputsThanTheMergeFactor_reducersMergeInPassesAndMatchOracle() throws Exception {
    Map<String, Long> oracle = writeCorpus(1, 40_000, 5);
    // Over 64 map tasks: each reduce task merges in passes.
    var manyMaps = builder().mapper(new TokenMapper()).reducer(new Sum())
        .input(input.toString()).output(dir.resolve("out").toString()).workDirectory(work).parallelism(2)
        .reduceTasks(2).splitSize(4000).build();
    Job job = exec(manyMaps);
    JobResult result = job.get(120, TimeUnit.SECONDS);
    assertThat(readOutput(dir.resolve("out"), 2)).isEqualTo(asStrings(oracle));
    assertThat(job.progress().mapsTotal()).isGreaterThan(64);
    assertThat(result.counters().get(Counters.MAP_INPUT_RECORDS)).isEqualTo(40_000);
  }

  @Test
  void exec_compressedIntermediateData_matchesOracle() throws Exception {
    Map<String, Long> oracle = writeCorpus(3, 3000, 6);
    var spec = tokenCount().reduceTasks(3).sortBufferSize(64 << 10).splitSize(20_000).compressIntermediate(true).build();
    exec(spec).get(60, TimeUnit.SECONDS);
    assertThat(readOutput(dir.resolve("out"), 3)).isEqualTo(asStrings(oracle));
  }

  @Test
  void exec_withAndWithoutCombiner_sameOutput() throws Exception {
    Map<String, Long> oracle = writeCorpus(3, 500, 3);
    exec(tokenCount().reduceTasks(2).build()).get(60, TimeUnit.SECONDS);
    var combined = builder().mapper(new TokenMapper()).reducer(new Sum()).combiner(new Sum())
        .input(input.toString()).output(dir.resolve("out2").toString()).workDirectory(work).reduceTasks(2).build();
    exec(combined).get(60, TimeUnit.SECONDS);
    assertThat(readOutput(dir.resolve("out"), 2)).isEqualTo(asStrings(oracle));
    assertThat(readOutput(dir.resolve("out2"), 2)).isEqualTo(asStrings(oracle));
  }

  /** Emits every token with its line offset: keys barely repeat, so combining cannot reduce. */
  public static final class DistinctTokenMapper extends Mapper<String, Long> {
    @Override
    public void map(long offset, String line, Emitter<String, Long> emitter) {
      int i = 0;
      for (String w : line.split(" ")) {
        emitter.emit(w + "@" + offset + "." + i++, 1L);
      }
    }
  }

  @Test
  void exec_combinerThatCannotReduce_stillMatchesOracle() throws Exception {
    StringBuilder text = new StringBuilder();
    Map<String, String> oracle = new TreeMap<>();
    long offset = 0;
    for (int l = 0; l < 20_000; l++) {
      String line = "a b c";
      text.append(line).append('\n');
      int i = 0;
      for (String w : line.split(" ")) {
        oracle.put(w + "@" + offset + "." + i++, "1");
      }
      offset += line.length() + 1;
    }
    Files.writeString(input.resolve("lines.txt"), text);
    var spec = builder().mapper(new DistinctTokenMapper()).reducer(new Sum())
        .combiner(new Sum()).input(input.toString()).output(dir.resolve("out").toString()).workDirectory(work)
        .reduceTasks(3).sortBufferSize(256 << 10).build();
    JobResult result = exec(spec).get(60, TimeUnit.SECONDS);
    assertThat(readOutput(dir.resolve("out"), 3)).isEqualTo(oracle);
    assertThat(result.counters().get(Counters.MAP_OUTPUT_RECORDS)).isEqualTo(60_000);
  }

  @Test
  void exec_mapOnly_writesOneFilePerMapTask() throws Exception {
    Files.writeString(input.resolve("a.txt"), "x y\nz\n");
    Files.writeString(input.resolve("b.txt"), "w");
    JobResult result = exec(builder().mapper(new TokenMapper()).input(input.toString())
        .output(dir.resolve("out").toString()).workDirectory(work).reduceTasks(0).build()).get(60, TimeUnit.SECONDS);
    Path out = dir.resolve("out");
    assertThat(result.outputFiles()).hasSize(2);
    assertThat(out.resolve("mr-out-00000")).hasContent("x\t1\ny\t1\nz\t1");
    assertThat(out.resolve("mr-out-00001")).hasContent("w\t1");
    assertThat(out.resolve("_SUCCESS")).exists();
  }

  @Test
  void exec_emptyInputDirectory_writesEmptyFilesAndSuccessMarker() throws Exception {
    JobResult result = exec(tokenCount().reduceTasks(2).build()).get(60, TimeUnit.SECONDS);
    assertThat(readOutput(dir.resolve("out"), 2)).isEmpty();
    assertThat(result.counters().get(Counters.MAP_INPUT_RECORDS)).isZero();
  }

  @Test
  void exec_hiddenAndUnderscoreFiles_areNotInput() throws Exception {
    Files.writeString(input.resolve("visible.txt"), "a\n");
    Files.writeString(input.resolve("_SUCCESS"), "b\n");
    Files.writeString(input.resolve(".crc"), "c\n");
    exec(tokenCount().build()).get(60, TimeUnit.SECONDS);
    assertThat(readOutput(dir.resolve("out"), 1)).containsExactly(Map.entry("a", "1"));
  }

  @Test
  void exec_globInput_readsMatchingFilesOnly() throws Exception {
    for (int i = 0; i < 5; i++) {
      Files.writeString(input.resolve("part-0000" + i + ".txt"), "w" + i + "\n");
    }
    var spec = builder().mapper(new TokenMapper()).reducer(new Sum())
        .input(input.resolve("part-0000[0-2].txt").toString()).output(dir.resolve("out").toString())
        .workDirectory(work).build();
    exec(spec).get(60, TimeUnit.SECONDS);
    assertThat(readOutput(dir.resolve("out"), 1)).containsOnlyKeys("w0", "w1", "w2");
  }

  // ---- the reduce contract -------------------------------------------------------------------

  /** A mutable value, through Kryo: checks that value objects are not reused between iterations. */
  public static final class Box {
    int value;

    public Box(int value) {
      this.value = value;
    }
  }

  public static final class BoxMapper extends Mapper<String, Box> {
    @Override
    public void map(long offset, String line, Emitter<String, Box> emitter) {
      emitter.emit("k", new Box(Integer.parseInt(line)));
    }
  }

  /** Keeps every value, then checks they are distinct objects holding the values sent. */
  public static final class KeepingReducer extends Reducer<String, Box> {
    @Override
    public void reduce(String key, Iterable<Box> values, Emitter<String, Box> emitter) {
      List<Box> kept = new ArrayList<>();
      values.forEach(kept::add);
      int sum = 0;
      for (Box b : kept) {
        sum += b.value;
      }
      long distinct = kept.stream().map(System::identityHashCode).distinct().count();
      try {
        values.iterator();
        emitter.emit(key + "-second-iteration-allowed", new Box(0));
      } catch (IllegalStateException expected) {
        emitter.emit(key + "-second-iteration-refused", new Box(0));
      }
      emitter.emit(key + "-sum", new Box(sum));
      emitter.emit(key + "-distinct-" + distinct + "-of-" + kept.size(), new Box(0));
    }
  }

  @Test
  void reduce_values_areFreshObjectsAndIterableOnce() throws Exception {
    StringBuilder lines = new StringBuilder();
    int sum = 0;
    for (int i = 1; i <= 1000; i++) {
      lines.append(i).append('\n');
      sum += i;
    }
    Files.writeString(input.resolve("n.txt"), lines);
    var spec = builder().mapper(new BoxMapper()).reducer(new KeepingReducer())
        .input(input.toString()).output(dir.resolve("out").toString()).workDirectory(work).splitSize(500).build();
    JobResult result = exec(spec).get(60, TimeUnit.SECONDS);
    String text = Files.readString(Path.of(result.outputFiles().get(0)));
    assertThat(text).contains("k-second-iteration-refused").contains("k-distinct-1000-of-1000");
    assertThat(result.counters().get(Counters.REDUCE_INPUT_RECORDS)).isEqualTo(1000);
    assertThat(result.counters().get(Counters.REDUCE_INPUT_GROUPS)).isEqualTo(1);
    assertThat(text).contains("k-sum\t");
    assertThat(sum).isEqualTo(500_500);
  }

  /** Emits one key many times: the values must stream, not be collected. */
  public static final class OneKeyMapper extends Mapper<String, Long> {
    @Override
    public void map(long offset, String line, Emitter<String, Long> emitter) {
      for (int i = 0; i < 100; i++) {
        emitter.emit("same", 1L);
      }
    }
  }

  @Test
  void reduce_oneKeyWithManyValues_counted() throws Exception {
    Files.writeString(input.resolve("lines.txt"), "x\n".repeat(3000));
    var spec = builder().mapper(new OneKeyMapper()).reducer(new Sum())
        .input(input.toString()).output(dir.resolve("out").toString()).workDirectory(work)
        .sortBufferSize(64 << 10).splitSize(1000).build();
    exec(spec).get(60, TimeUnit.SECONDS);
    assertThat(readOutput(dir.resolve("out"), 1)).containsExactly(Map.entry("same", "300000"));
  }

  // ---- concurrency ---------------------------------------------------------------------------

  /** Every map task waits at a shared barrier: with tasks run one at a time it would time out. */
  public static final class BarrierMapper extends Mapper<String, Long> {
    static volatile CyclicBarrier barrier;

    @Override
    public void setup(TaskContext context) throws Exception {
      barrier.await(20, TimeUnit.SECONDS);
    }

    @Override
    public void map(long offset, String line, Emitter<String, Long> emitter) {
      emitter.emit(line, 1L);
    }
  }

  @Test
  void exec_parallelism_runsMapTasksAtTheSameTime() throws Exception {
    BarrierMapper.barrier = new CyclicBarrier(2);
    Files.writeString(input.resolve("a.txt"), "a\n");
    Files.writeString(input.resolve("b.txt"), "b\n");
    var spec = builder().mapper(new BarrierMapper()).reducer(new Sum())
        .input(input.toString()).output(dir.resolve("out").toString()).workDirectory(work).parallelism(2)
        .maxTaskAttempts(1).build();
    exec(spec).get(60, TimeUnit.SECONDS);
    assertThat(readOutput(dir.resolve("out"), 1)).containsOnlyKeys("a", "b");
  }

  // ---- failures ------------------------------------------------------------------------------

  public static final class ExplodingMapper extends Mapper<String, Long> {
    @Override
    public void map(long offset, String line, Emitter<String, Long> emitter) {
      if (line.contains("boom")) {
        throw new IllegalStateException("cannot map " + line);
      }
      emitter.emit(line, 1L);
    }
  }

  @Test
  void exec_mapperThrowsEveryTime_failsWithTaskRecordAndUserException() throws Exception {
    Path file = input.resolve("a.txt");
    Files.writeString(file, "fine\nalso fine\nboom here\nlater\n");
    Job job = exec(builder().mapper(new ExplodingMapper()).reducer(new Sum())
        .input(file.toString()).output(dir.resolve("out").toString()).workDirectory(work).maxTaskAttempts(3).build());
    Throwable failure = failureOf(job);
    assertThat(failure).isInstanceOf(TaskFailedException.class);
    TaskFailedException tfe = (TaskFailedException) failure;
    assertThat(tfe.taskId()).isEqualTo("m-00000");
    assertThat(tfe.attempts()).isEqualTo(3);
    assertThat(tfe.record()).isEqualTo(file + ":15");
    assertUserException(tfe.getCause(), IllegalStateException.class, "cannot map boom here");
    assertThat(tfe.getMessage()).contains("m-00000").contains(file + ":15").contains("cannot map boom here");
    assertThat(dir.resolve("out")).doesNotExist();
  }

  @Test
  void exec_failedJob_removesItsFilesBeforeFailing() throws Exception {
    Path file = input.resolve("a.txt");
    Files.writeString(file, "fine\nboom here\n");
    Job job = exec(builder().mapper(new ExplodingMapper()).reducer(new Sum())
        .input(file.toString()).output(dir.resolve("out").toString()).workDirectory(work).maxTaskAttempts(1).build());
    assertThat(failureOf(job)).isInstanceOf(TaskFailedException.class);
    assertNoJobDirectories(job, "after the future failed");
    assertThat(dir.resolve("out")).doesNotExist();
    try (Stream<Path> s = Files.list(dir)) {
      assertThat(s.map(p -> p.getFileName().toString())).as("after the future failed")
          .containsExactlyInAnyOrder("input", "work");
    }
  }

  public static final class ExplodingReducer extends Reducer<String, Long> {
    @Override
    public void reduce(String key, Iterable<Long> values, Emitter<String, Long> emitter) {
      if (key.equals("bad")) {
        throw new UnsupportedOperationException("no reducing " + key);
      }
      emitter.emit(key, 1L);
    }
  }

  @Test
  void exec_reducerThrows_failsNamingTheKey() throws Exception {
    Files.writeString(input.resolve("a.txt"), "good bad ugly\n");
    Job job = exec(tokenCountWith(new ExplodingReducer()).maxTaskAttempts(2).build());
    Throwable failure = failureOf(job);
    assertThat(failure).isInstanceOf(TaskFailedException.class);
    assertThat(((TaskFailedException) failure).taskId()).isEqualTo("r-00000");
    assertThat(((TaskFailedException) failure).record()).isEqualTo("key bad");
    assertUserException(failure.getCause(), UnsupportedOperationException.class, "no reducing bad");
    assertThat(dir.resolve("out")).doesNotExist();
  }

  private MapReduceSpecification.Builder<String, Long> tokenCountWith(Reducer<String, Long> reducer) {
    return builder().mapper(new TokenMapper()).reducer(reducer)
        .input(input.toString()).output(dir.resolve("out").toString()).workDirectory(work);
  }

  /** Fails the first attempt of every task after emitting: retries must not count twice. */
  public static final class FlakyMapper extends Mapper<String, Long> {
    private transient TaskContext context;

    @Override
    public void setup(TaskContext context) {
      this.context = context;
    }

    @Override
    public void map(long offset, String line, Emitter<String, Long> emitter) {
      emitter.emit(line, 1L);
      context.counter("lines.seen").increment();
      if (context.attempt() == 1 && line.equals("last")) {
        throw new IllegalStateException("transient");
      }
    }
  }

  @Test
  void exec_transientFailure_retriedAndCountedOnce() throws Exception {
    Files.writeString(input.resolve("a.txt"), "one\ntwo\nlast\n");
    Files.writeString(input.resolve("b.txt"), "three\nlast\n");
    JobResult result = exec(builder().mapper(new FlakyMapper()).reducer(new Sum())
        .input(input.toString()).output(dir.resolve("out").toString()).workDirectory(work).build())
        .get(60, TimeUnit.SECONDS);
    assertThat(readOutput(dir.resolve("out"), 1))
        .isEqualTo(Map.of("one", "1", "two", "1", "three", "1", "last", "2"));
    assertThat(result.counters().get(Counters.MAP_INPUT_RECORDS)).isEqualTo(5);
    assertThat(result.counters().get(Counters.MAP_OUTPUT_RECORDS)).isEqualTo(5);
    assertThat(result.counters().get("lines.seen")).isEqualTo(5);
  }

  // ---- refusals ------------------------------------------------------------------------------

  @Test
  void exec_existingOutputDirectory_refusedAndUntouched() throws Exception {
    Files.writeString(input.resolve("a.txt"), "a\n");
    Path out = Files.createDirectories(dir.resolve("out"));
    Files.writeString(out.resolve("precious.txt"), "keep me");
    Throwable failure = failureOf(exec(tokenCount().build()));
    assertThat(failure).isInstanceOf(MapReduceException.class).hasMessageContaining("already exists")
        .hasMessageContaining(out.toString());
    try (Stream<Path> s = Files.list(out)) {
      assertThat(s.toList()).containsExactly(out.resolve("precious.txt"));
    }
    assertThat(out.resolve("precious.txt")).hasContent("keep me");
  }

  @Test
  void exec_missingInput_failsNamingIt() throws Exception {
    Files.writeString(input.resolve("a.txt"), "a\n");
    String missing = dir.resolve("no-such-file.txt").toString();
    var spec = tokenCount().input(missing).build();
    Throwable failure = failureOf(exec(spec));
    assertThat(failure).isInstanceOf(MapReduceException.class).hasMessageContaining(missing)
        .hasMessageContaining("not found");
    assertThat(dir.resolve("out")).doesNotExist();
  }

  // ---- cancellation --------------------------------------------------------------------------

  public static final class BlockingMapper extends Mapper<String, Long> {
    static volatile CountDownLatch started;

    @Override
    public void map(long offset, String line, Emitter<String, Long> emitter) throws InterruptedException {
      emitter.emit(line, 1L);
      started.countDown();
      Thread.sleep(5);
    }
  }

  /** Starts a job of two files of 100,000 lines that BlockingMapper maps slowly; returns once a map runs. */
  private Job startSlowJob() throws Exception {
    BlockingMapper.started = new CountDownLatch(1);
    StringBuilder many = new StringBuilder();
    for (int i = 0; i < 100_000; i++) {
      many.append("line ").append(i).append('\n');
    }
    Files.writeString(input.resolve("a.txt"), many);
    Files.writeString(input.resolve("b.txt"), many);
    Job job = exec(builder().mapper(new BlockingMapper()).reducer(new Sum())
        .input(input.toString()).output(dir.resolve("out").toString()).workDirectory(work).build());
    assertThat(BlockingMapper.started.await(30, TimeUnit.SECONDS)).isTrue();
    return job;
  }

  @Test
  void cancel_runningJob_leavesNoOutput() throws Exception {
    Job job = startSlowJob();
    assertThat(job.cancel(true)).isTrue();
    assertThat(job.isCancelled()).isTrue();
    assertThatThrownBy(job::get).isInstanceOf(CancellationException.class);
    assertThat(job.awaitTermination(Duration.ofSeconds(30))).isTrue();
    assertThat(dir.resolve("out")).doesNotExist();
  }

  @Test
  void cancel_runningJob_removesItsFilesBeforeTerminating() throws Exception {
    Job job = startSlowJob();
    assertThat(job.cancel(true)).isTrue();
    assertThat(job.awaitTermination(Duration.ofSeconds(30))).isTrue();
    assertNoJobDirectories(job, "after the cancelled job terminated");
    try (Stream<Path> s = Files.list(dir)) {
      assertThat(s.map(p -> p.getFileName().toString())).as("after the cancelled job terminated")
          .containsExactlyInAnyOrder("input", "work");
    }
  }

  @Test
  void exec_success_removesJobDirectory() throws Exception {
    writeCorpus(2, 50, 4);
    Job job = exec(tokenCount().build());
    job.get(60, TimeUnit.SECONDS);
    assertNoJobDirectories(job, "after the job succeeded");
  }

  @Test
  void progress_succeededJob_isComplete() throws Exception {
    writeCorpus(2, 50, 4);
    Job job = exec(tokenCount().reduceTasks(2).build());
    job.get(60, TimeUnit.SECONDS);
    assertThat(job.progress().mapFraction()).isEqualTo(1.0);
    assertThat(job.progress().reduceFraction()).isEqualTo(1.0);
    assertThat(job.progress().mapsTotal()).isEqualTo(2);
    assertThat(job.progress().reducesTotal()).isEqualTo(2);
  }
}

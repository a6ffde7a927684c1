package io.mapreduce;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Defects found in review of the embedded engine; each test fails on the code as reviewed. */
class EmbeddedEngineEdgeCasesTest {
  @TempDir
  Path dir;

  Path input;
  Path work;

  @BeforeEach
  void createDirectories() throws Exception {
    input = Files.createDirectories(dir.resolve("input"));
    work = Files.createDirectories(dir.resolve("work"));
  }

  public static final class LineMapper extends Mapper<String, Long> {
    @Override
    public void map(long offset, String line, Emitter<String, Long> emitter) {
      emitter.emit(line, 1L);
    }
  }


  // ---- Emitter contract: null key/value must throw NPE (Emitter javadoc) --------------------

  public static final class NullKeyReducer extends Reducer<String, Long> {
    @Override
    public void reduce(String key, Iterable<Long> values, Emitter<String, Long> emitter) {
      emitter.emit(null, 7L);
    }
  }

  @Test
  void reduce_emitsNullStringKey_failsWithNullPointerExceptionInsteadOfWritingValueAlone() throws Exception {
    Files.writeString(input.resolve("a.txt"), "x\n");
    var spec = MapReduceSpecification.builder().mapper(new LineMapper()).reducer(new NullKeyReducer())
        .input(input.toString()).output(dir.resolve("out").toString()).workDirectory(work)
        .maxTaskAttempts(1).build();
    Job job = MapReduce.exec(spec);
    assertThatThrownBy(() -> job.get(60, TimeUnit.SECONDS))
        .as("a reducer emitting a null String key must fail, as Emitter's javadoc promises; output was: %s",
            Files.exists(dir.resolve("out/mr-out-00000")) ? Files.readString(dir.resolve("out/mr-out-00000")) : "-")
        .isInstanceOf(ExecutionException.class)
        .hasRootCauseInstanceOf(NullPointerException.class);
  }

  public static final class NullValueMapper extends Mapper<String, Long> {
    @Override
    public void map(long offset, String line, Emitter<String, Long> emitter) {
      emitter.emit(line, null);
    }
  }

  @Test
  void mapOnly_emitsNullLongValue_failsWithNullPointerExceptionInsteadOfWritingKeyAlone() throws Exception {
    Files.writeString(input.resolve("a.txt"), "x\n");
    var spec = MapReduceSpecification.builder().mapper(new NullValueMapper()).reduceTasks(0)
        .input(input.toString()).output(dir.resolve("out").toString()).workDirectory(work)
        .maxTaskAttempts(1).build();
    Job job = MapReduce.exec(spec);
    assertThatThrownBy(() -> job.get(60, TimeUnit.SECONDS))
        .as("a map-only mapper emitting a null Long value must fail as it does when R > 0")
        .isInstanceOf(ExecutionException.class)
        .hasRootCauseInstanceOf(NullPointerException.class);
  }

  // ---- The Job future can be completed from outside; the job then commits anyway -------------

  public static final class SlowMapper extends Mapper<String, Long> {
    @Override
    public void map(long offset, String line, Emitter<String, Long> emitter) throws InterruptedException {
      Thread.sleep(300);
      emitter.emit(line, 1L);
    }
  }

  @Test
  void orTimeout_failsTheFuture_jobMustNotCommitOutputAfterwards() throws Exception {
    Files.writeString(input.resolve("a.txt"), "a\nb\nc\n");
    Path out = dir.resolve("out");
    var spec = MapReduceSpecification.builder().mapper(new SlowMapper()).reducer(new EngineContract.Sum())
        .input(input.toString()).output(out.toString()).workDirectory(work).parallelism(1).build();
    Job job = MapReduce.exec(spec);
    job.orTimeout(100, TimeUnit.MILLISECONDS);
    assertThatThrownBy(() -> job.get(60, TimeUnit.SECONDS)).hasCauseInstanceOf(TimeoutException.class);
    assertThat(job.awaitTermination(Duration.ofSeconds(60))).isTrue();
    assertThat(out).as("the caller was told the job failed, yet its output was committed").doesNotExist();
  }

  // ---- user code that (re)sets its thread's interrupt flag is reported as a cancellation ------

  public static final class SelfInterruptingMapper extends Mapper<String, Long> {
    private transient TaskContext context;

    @Override
    public void setup(TaskContext context) {
      this.context = context;
    }

    @Override
    public void map(long offset, String line, Emitter<String, Long> emitter) {
      if (context.attempt() == 1 && line.equals("b")) {
        // What code does after catching an InterruptedException it cannot handle.
        Thread.currentThread().interrupt();
      }
      emitter.emit(line, 1L);
    }
  }

  @Test
  void mapperRestoresInterruptFlag_jobNotCancelled_isNotReportedAsCancelled() throws Exception {
    Files.writeString(input.resolve("a.txt"), "a\nb\nc\n");
    var spec = MapReduceSpecification.builder().mapper(new SelfInterruptingMapper()).reducer(new EngineContract.Sum())
        .input(input.toString()).output(dir.resolve("out").toString()).workDirectory(work).build();
    Job job = MapReduce.exec(spec);
    try {
      JobResult result = job.get(60, TimeUnit.SECONDS);
      assertThat(result.outputFiles()).hasSize(1);
    } catch (ExecutionException e) {
      assertThat(job.isCancelled()).isFalse();
      assertThat(e.getCause().getMessage())
          .as("nobody cancelled the job, and the attempt should have been retried")
          .doesNotContain("was cancelled");
    }
  }

  // ---- a failed job leaves the output's parent directories it created ------------------------

  public static final class FailingMapper extends Mapper<String, Long> {
    @Override
    public void map(long offset, String line, Emitter<String, Long> emitter) {
      throw new IllegalStateException("boom");
    }
  }

  @Test
  void failedJob_outputUnderMissingParents_leavesNoDirectoriesBehind() throws Exception {
    Files.writeString(input.resolve("a.txt"), "a\n");
    Path out = dir.resolve("new").resolve("parent").resolve("out");
    var spec = MapReduceSpecification.builder().mapper(new FailingMapper()).reducer(new EngineContract.Sum())
        .input(input.toString()).output(out.toString()).workDirectory(work).maxTaskAttempts(1).build();
    Job job = MapReduce.exec(spec);
    assertThatThrownBy(() -> job.get(60, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class);
    assertThat(dir.resolve("new")).as("directories created for the output of a failed job").doesNotExist();
  }

  // ---- an output whose parent is a regular file is reported as "output directory already exists"

  @Test
  void outputParentIsARegularFile_failsNamingTheParent_notClaimingTheOutputExists() throws Exception {
    Files.writeString(input.resolve("a.txt"), "a\n");
    Path parent = Files.writeString(dir.resolve("results.txt"), "not a directory");
    Path out = parent.resolve("out");
    var spec = MapReduceSpecification.builder().mapper(new LineMapper()).reducer(new EngineContract.Sum())
        .input(input.toString()).output(out.toString()).workDirectory(work).build();
    Job job = MapReduce.exec(spec);
    Throwable failure = org.assertj.core.api.Assertions.catchThrowable(() -> job.get(60, TimeUnit.SECONDS));
    assertThat(failure).isInstanceOf(ExecutionException.class);
    assertThat(failure.getCause().getMessage())
        .as("the output directory does not exist; its parent is a file")
        .doesNotContain("output directory already exists")
        .contains(parent.toString());
  }

  // ---- String keys with lone surrogates collapse into '?' -----------------------------------

  public static final class SurrogateMapper extends Mapper<String, Long> {
    @Override
    public void map(long offset, String line, Emitter<String, Long> emitter) {
      // Cutting a string by chars can split a surrogate pair, as substring(0, n) does.
      emitter.emit("k\uD83D", 1L);
      emitter.emit("k\uDE00", 1L);
      emitter.emit("k?", 1L);
    }
  }

  public static final class KeyCheckingReducer extends Reducer<String, Long> {
    @Override
    public void reduce(String key, Iterable<Long> values, Emitter<String, Long> emitter) {
      long n = 0;
      for (long v : values) {
        n += v;
      }
      emitter.emit(key.equals("k?") ? "plain" : "other", n);
    }
  }

  @Test
  void stringKeysWithLoneSurrogates_areNotMergedWithOtherKeys() throws Exception {
    Files.writeString(input.resolve("a.txt"), "x\n");
    Path out = dir.resolve("out");
    var spec = MapReduceSpecification.builder().mapper(new SurrogateMapper()).reducer(new KeyCheckingReducer())
        .input(input.toString()).output(out.toString()).workDirectory(work).build();
    try {
      MapReduce.exec(spec).get(60, TimeUnit.SECONDS);
    } catch (ExecutionException refused) {
      // Refusing such keys, saying why, is also correct.
      assertThat(refused.getCause()).hasMessageContaining("unpaired surrogate");
      return;
    }
    assertThat(Files.readString(out.resolve("mr-out-00000")))
        .as("three distinct keys went in; 'k?' must have exactly one value")
        .contains("plain\t1");
  }

  // ---- the same file reached through two spellings is read twice ----------------------------

  @Test
  void sameFileThroughTwoSpellings_isReadOnce() throws Exception {
    Files.writeString(input.resolve("a.txt"), "a\n");
    Path out = dir.resolve("out");
    var spec = MapReduceSpecification.builder().mapper(new LineMapper()).reducer(new EngineContract.Sum())
        .input(input.toString(), input.resolve(".").resolve("a.txt").toString())
        .output(out.toString()).workDirectory(work).build();
    MapReduce.exec(spec).get(60, TimeUnit.SECONDS);
    assertThat(out.resolve("mr-out-00000")).hasContent("a\t1");
  }
}

package io.mapreduce;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mapreduce.lib.TotalOrderPartitioner;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Defects found in review of issue 12's change; each test failed on the code as reviewed. */
class ReviewFindingsTest {
  @TempDir Path dir;
  Path input;
  Path work;

  @BeforeEach
  void createDirectories() throws IOException {
    input = Files.createDirectories(dir.resolve("input"));
    work = Files.createDirectories(dir.resolve("work"));
  }

  private static List<Path> files(Path out, String prefix) throws IOException {
    try (Stream<Path> s = Files.list(out)) {
      return s.filter(p -> p.getFileName().toString().startsWith(prefix)).sorted().toList();
    }
  }

  // ---- 1. TotalOrderPartitioner's transient scratch is shared by the embedded engine's threads ----

  @Test
  void totalOrderPartitioner_sharedByConcurrentMapTasks_givesEachKeyItsOwnPartition() throws Exception {
    List<Long> samples = new ArrayList<>();
    for (long i = 0; i < 1000; i++) {
      samples.add(i * 1_000_003L - 500_000_000L);
    }
    TotalOrderPartitioner<Long> shared = TotalOrderPartitioner.fromSamples(Long.class, samples, 16, false);
    ExecutorService pool = Executors.newFixedThreadPool(8);
    AtomicLong wrong = new AtomicLong();
    try {
      List<Future<?>> fs = new ArrayList<>();
      for (int t = 0; t < 8; t++) {
        int seed = t;
        fs.add(pool.submit(() -> {
          // Each thread its own copy, as a reference (no sharing).
          TotalOrderPartitioner<Long> own = TotalOrderPartitioner.fromSamples(Long.class, samples, 16, false);
          Random r = new Random(seed);
          for (int i = 0; i < 300_000; i++) {
            long k = r.nextLong() % 600_000_000L;
            int expected = own.partition(k, 16);
            int got;
            try {
              got = shared.partition(k, 16);
            } catch (RuntimeException e) {
              got = -1;
            }
            if (got != expected) {
              wrong.incrementAndGet();
            }
          }
        }));
      }
      for (Future<?> f : fs) {
        f.get(120, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }
    assertThat(wrong.get()).as("keys put in the wrong partition by a shared partitioner").isZero();
  }

  // ---- 2. sortDescending() with groupByPrefix(n): every map task failed ----

  public record Event(String user, long time) {}

  public static final class Events extends Mapper<Event, Long> {
    @Override
    public void map(long offset, String line, Emitter<Event, Long> emitter) {
      String[] f = line.split(",");
      emitter.emit(new Event(f[0], Long.parseLong(f[1])), Long.parseLong(f[1]));
    }
  }

  public static final class Timeline extends PairReducer<Event, Long, String, String> {
    @Override
    public void reduce(Event key, Iterable<Long> times, Emitter<String, String> emitter) {
      StringBuilder b = new StringBuilder();
      for (long t : times) {
        b.append(b.length() == 0 ? "" : " ").append(t);
      }
      emitter.emit(key.user(), b.toString());
    }
  }

  @Test
  void sortDescending_withGroupByPrefix_groupsPerUserNewestFirst() throws Exception {
    Files.writeString(input.resolve("e.csv"), "ann,1\nbob,5\nann,3\nbob,2\n");
    MapReduce.exec(MapReduceSpecification.builder().mapper(new Events()).reducer(new Timeline()).sortDescending()
        .groupByPrefix(1).maxTaskAttempts(1).input(input.toString()).output(dir.resolve("out").toString())
        .workDirectory(work).build()).get(60, TimeUnit.SECONDS);
    assertThat(Files.readAllLines(dir.resolve("out/mr-out-00000"))).containsExactly("bob\t5 2", "ann\t3 1");
  }

  // ---- 3. groupByPrefix with a user partitioner: a partitioner sees whole keys, so it is refused ----

  @Test
  void groupByPrefix_withAPartitioner_refusedAtBuild() {
    var partitioner = TotalOrderPartitioner.fromSamples(Event.class,
        List.of(new Event("ann", 10), new Event("ann", 50), new Event("ann", 90)), 2, false);
    assertThatThrownBy(() -> MapReduceSpecification.builder().mapper(new Events()).reducer(new Timeline())
        .reduceTasks(2).groupByPrefix(1).partitioner(partitioner).input(input.toString())
        .output(dir.resolve("out").toString()).build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageStartingWith("groupByPrefix(1) partitions by the key's first 1 components itself; a partitioner")
        .hasMessageContaining("could split a group between reducers: leave it unset");
  }

  // ---- 4. inputFrom(earlier) also reads the earlier job's side output files ----

  public static final class SumOrRare extends Reducer<String, Long> {
    private transient TaskContext context;

    @Override
    public void setup(TaskContext context) {
      this.context = context;
    }

    @Override
    public void reduce(String key, Iterable<Long> values, Emitter<String, Long> emitter) {
      long n = 0;
      for (long v : values) {
        n += v;
      }
      if (n == 1) {
        context.<String, String>sideOutput("rare").emit(key, "seen once");
      } else {
        emitter.emit(key, n);
      }
    }
  }

  public static final class CountLines extends Mapper<String, Long> {
    @Override
    public void map(long offset, String line, Emitter<String, Long> emitter) {
      emitter.emit("lines", 1L);
    }
  }

  @Test
  void inputFrom_earlierJobWithSideOutput_readsOnlyItsMainOutput() throws Exception {
    Files.writeString(input.resolve("t.txt"), "a b b c c c d e e\nf\n");
    var first = MapReduceSpecification.builder().mapper(new EngineContract.TokenMapper()).reducer(new SumOrRare())
        .sideOutput("rare", String.class, String.class).input(input.toString())
        .output(dir.resolve("first").toString()).workDirectory(work).build();
    MapReduce.exec(first).get(60, TimeUnit.SECONDS);
    var second = MapReduceSpecification.builder().mapper(new CountLines()).reducer(new EngineContract.Sum())
        .inputFrom(first).output(dir.resolve("second").toString()).workDirectory(work).build();
    MapReduce.exec(second).get(60, TimeUnit.SECONDS);
    // first's main output: b 2, c 3, e 2 (3 lines); its side output rare-00000 holds a, d, f.
    assertThat(Files.readAllLines(dir.resolve("second/mr-out-00000"), StandardCharsets.UTF_8))
        .containsExactly("lines\t3");
  }

  // ---- 5. a streaming job (LineOutput) with pairs output: every task failed; refused at build() ----

  @Test
  void streamingWithPairsOutput_refusedAtBuild_andWithGzipTextItWorks() throws Exception {
    Files.writeString(input.resolve("t.txt"), "a\tx\nb\ty\n");
    assertThatThrownBy(() -> MapReduceSpecification.builder().mapper(io.mapreduce.lib.streaming.StreamingMapper.of("cat"))
        .reduceTasks(0).outputFormat(io.mapreduce.format.OutputFormat.pairs()).input(input.toString())
        .output(dir.resolve("out").toString()).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("the output format pairs writes no lines, but a streaming program's output is lines: use text,"
            + " gzipText or zstdText");
    MapReduce.exec(MapReduceSpecification.builder().mapper(io.mapreduce.lib.streaming.StreamingMapper.of("cat"))
        .reduceTasks(0).outputFormat(io.mapreduce.format.OutputFormat.gzipText()).input(input.toString())
        .output(dir.resolve("gz").toString()).workDirectory(work).build()).get(60, TimeUnit.SECONDS);
    try (var in = new java.util.zip.GZIPInputStream(Files.newInputStream(dir.resolve("gz/mr-out-00000.gz")))) {
      assertThat(new String(in.readAllBytes(), StandardCharsets.UTF_8)).isEqualTo("a\tx\nb\ty\n");
    }
  }

}

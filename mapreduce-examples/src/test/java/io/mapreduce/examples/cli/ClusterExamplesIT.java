package io.mapreduce.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.mapreduce.Emitter;
import io.mapreduce.JobResult;
import io.mapreduce.MapReduce;
import io.mapreduce.MapReduceSpecification;
import io.mapreduce.Mapper;
import io.mapreduce.Reducer;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The examples on clusters of separate JVMs on 127.0.0.1 give exactly the embedded output, file
 * for file: with {@code --local-workers 3}, and on a master and three workers started here as
 * child processes, once per scheduling policy.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class ClusterExamplesIT {
  private static final Pattern LISTENING = Pattern.compile("master listening on [^:]+:(\\d+)");
  private static final List<String> POLICIES = List.of("card-dealing", "pairwise", "load-aware");

  @TempDir static Path tmp;
  private Path sample;
  private final Map<String, Path> embedded = new HashMap<>();
  private final Map<String, String> masters = new HashMap<>();
  private final List<Process> daemons = new ArrayList<>();

  static Stream<Arguments> examples() {
    return Stream.of(
        Arguments.of("wordcount", List.of()),
        Arguments.of("indexer", List.of()),
        Arguments.of("grep", List.of("--pattern", "th[a-z]+ing")),
        Arguments.of("sort", List.of()));
  }

  @BeforeAll
  void startClustersAndRunEmbedded() throws Exception {
    sample = Path.of("sample").toAbsolutePath();
    assertThat(sample).isDirectory();
    for (Arguments a : examples().toList()) {
      String command = (String) a.get()[0];
      @SuppressWarnings("unchecked")
      List<String> extra = (List<String>) a.get()[1];
      Path out = tmp.resolve("embedded-" + command);
      runJob(command, extra, out);
      embedded.put(command, out);
    }
    for (String policy : POLICIES) {
      masters.put(policy, startCluster(policy, 3));
    }
  }

  /** SIGTERM stops every daemon cleanly, and promptly. */
  @AfterAll
  void stopDaemons() throws InterruptedException {
    daemons.forEach(Process::destroy);
    List<Process> stuck = new ArrayList<>();
    for (Process p : daemons) {
      if (!p.waitFor(15, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        stuck.add(p);
      }
    }
    assertThat(stuck).as("daemons that ignored SIGTERM for 15 s").isEmpty();
  }

  private String startCluster(String policy, int workers) throws Exception {
    Path log = tmp.resolve("master-" + policy + ".log");
    daemons.add(daemon(log, "master", "--port", "0", "--http-port", "0", "--scheduler", policy));
    String address = "127.0.0.1:" + awaitPort(log);
    for (int i = 0; i < workers; i++) {
      daemons.add(daemon(tmp.resolve("worker-" + policy + "-" + i + ".log"), "worker", "--master", address,
          "--slots", "2", "--work-dir", tmp.resolve("work-" + policy + "-" + i).toString()));
    }
    return address;
  }

  private Process daemon(Path log, String... args) throws IOException {
    List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx256m", "-cp", System.getProperty("java.class.path"), Main.class.getName()));
    cmd.addAll(List.of(args));
    return new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
  }

  private static int awaitPort(Path log) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (System.nanoTime() < deadline) {
      if (Files.exists(log)) {
        Matcher m = LISTENING.matcher(Files.readString(log));
        if (m.find()) {
          return Integer.parseInt(m.group(1));
        }
      }
      Thread.sleep(50);
    }
    throw new AssertionError("the master did not start; its log:\n" + Files.readString(log));
  }

  /** Runs an example through the command line in this JVM; asserts it succeeded. */
  private void runJob(String command, List<String> extra, Path out, String... where) {
    List<String> args = new ArrayList<>(List.of(command, "--input", sample.toString(), "--output", out.toString(),
        "--reduce-tasks", "3", "--split-size", "256k", "--work-dir", tmp.resolve("work").toString()));
    args.addAll(extra);
    args.addAll(List.of(where));
    StringWriter err = new StringWriter();
    int code = Main.run(new PrintWriter(new StringWriter(), true), new PrintWriter(err, true), args.toArray(String[]::new));
    assertThat(code).as("%s exit code; stderr: %s", args, err).isZero();
  }

  private void assertSameFiles(Path expected, Path actual) throws IOException {
    for (int r = 0; r < 3; r++) {
      String name = String.format("mr-out-%05d", r);
      assertThat(Files.readAllBytes(actual.resolve(name))).as(name).isEqualTo(Files.readAllBytes(expected.resolve(name)));
    }
    assertThat(actual.resolve("_SUCCESS")).exists();
    try (Stream<Path> files = Files.list(actual)) {
      assertThat(files).hasSize(4);
    }
  }

  @ParameterizedTest(name = "{0} --local-workers 3")
  @MethodSource("examples")
  void example_onLocalWorkers_equalsEmbeddedOutput(String command, List<String> extra) throws Exception {
    Path out = tmp.resolve("local-" + command);
    runJob(command, extra, out, "--local-workers", "3");
    assertSameFiles(embedded.get(command), out);
  }

  static Stream<Arguments> examplesAndPolicies() {
    return examples().flatMap(a -> POLICIES.stream().map(p -> Arguments.of(a.get()[0], a.get()[1], p)));
  }

  @ParameterizedTest(name = "{0} on a master and 3 workers, {2}")
  @MethodSource("examplesAndPolicies")
  void example_onClusterOfChildJvms_equalsEmbeddedOutput(String command, List<String> extra, String policy)
      throws Exception {
    Path out = tmp.resolve("cluster-" + policy + "-" + command);
    runJob(command, extra, out, "--cluster", masters.get(policy));
    assertSameFiles(embedded.get(command), out);
  }

  /**
   * The formats on worker JVMs: packed small files read into typed pairs, and N lines per map task
   * written as gzipped text, each equal (as pairs, or decompressed) to the same job embedded.
   */
  @Test
  void formats_onClusterOfChildJvms_equalEmbedded() throws Exception {
    Path embeddedPairs = tmp.resolve("fmt-embedded-pairs");
    Path clusterPairs = tmp.resolve("fmt-cluster-pairs");
    List<String> packed = List.of("--input-format", "combined", "--output-format", "pairs");
    runJob("wordcount", packed, embeddedPairs);
    runJob("wordcount", packed, clusterPairs, "--cluster", masters.get("card-dealing"));
    assertThat(io.mapreduce.format.Pairs.read(clusterPairs.toString(), String.class, Long.class))
        .isEqualTo(io.mapreduce.format.Pairs.read(embeddedPairs.toString(), String.class, Long.class))
        .hasSizeGreaterThan(1000);

    Path embeddedGz = tmp.resolve("fmt-embedded-gz");
    Path clusterGz = tmp.resolve("fmt-cluster-gz");
    List<String> lines = List.of("--input-format", "nlines:3000", "--output-format", "gzip");
    runJob("grep", concat(List.of("--pattern", "th[a-z]+ing"), lines), embeddedGz);
    runJob("grep", concat(List.of("--pattern", "th[a-z]+ing"), lines), clusterGz, "--local-workers", "2");
    List<Path> files;
    try (Stream<Path> s = Files.list(embeddedGz)) {
      files = s.filter(p -> p.getFileName().toString().endsWith(".gz")).sorted().toList();
    }
    assertThat(files).hasSize(3);
    for (Path f : files) {
      assertThat(gunzip(clusterGz.resolve(f.getFileName()))).as("%s", f.getFileName()).isEqualTo(gunzip(f));
    }
  }

  private static List<String> concat(List<String> a, List<String> b) {
    List<String> all = new ArrayList<>(a);
    all.addAll(b);
    return all;
  }

  private static byte[] gunzip(Path f) throws IOException {
    try (var in = new java.util.zip.GZIPInputStream(Files.newInputStream(f))) {
      return in.readAllBytes();
    }
  }

  /** A key type whose hashCode differs between JVMs (enums hash by identity). */
  enum Length {
    EMPTY,
    SHORT,
    MEDIUM,
    LONG
  }

  static final class LengthMapper extends Mapper<Length, Long> {
    @Override
    public void map(long offset, String line, Emitter<Length, Long> emitter) {
      int n = line.length();
      emitter.emit(n == 0 ? Length.EMPTY : n < 40 ? Length.SHORT : n < 80 ? Length.MEDIUM : Length.LONG, 1L);
    }
  }

  static final class Count<K> extends Reducer<K, Long> {
    @Override
    public void reduce(K key, Iterable<Long> values, Emitter<K, Long> emitter) {
      long n = 0;
      for (long v : values) {
        n += v;
      }
      emitter.emit(key, n);
    }
  }

  @Test
  void enumKeys_onThreeWorkerJvms_eachKeyInOneFileAsEmbedded() throws Exception {
    MapReduceSpecification.Builder<Length, Long> b = MapReduceSpecification.builder().mapper(new LengthMapper());
    JobResult local = MapReduce.exec(MapReduceSpecification.builder().mapper(new LengthMapper())
        .reducer(new Count<>()).input(sample.toString()).output(tmp.resolve("enum-embedded").toString())
        .reduceTasks(3).splitSize(256 << 10).build()).get(2, TimeUnit.MINUTES);
    JobResult remote = MapReduce.exec(b.reducer(new Count<>()).input(sample.toString())
        .output(tmp.resolve("enum-cluster").toString()).reduceTasks(3).splitSize(256 << 10)
        .cluster(masters.get("card-dealing")).build()).get(2, TimeUnit.MINUTES);
    assertThat(remote.outputFiles()).hasSize(3);
    assertSameFiles(tmp.resolve("enum-embedded"), tmp.resolve("enum-cluster"));
    assertThat(local.counters().get("map.input.records")).isEqualTo(remote.counters().get("map.input.records"));
  }
}

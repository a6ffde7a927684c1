package io.mapreduce.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.mapreduce.s3.S3ProxyServer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * {@code bin/mapreduce wordcount} and {@code sort} from S3 to S3 as a user runs them, against
 * s3proxy on 127.0.0.1 (configured only through the environment and {@code --s3-path-style}):
 * embedded, with {@code --local-workers 2}, whose workers read their splits and write their
 * outputs in S3, and so with the map outputs in S3 too; all equal the same job on local files.
 */
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class S3ClusterIT {
  @TempDir static Path tmp;
  private static Path root;
  private static S3ProxyServer s3proxy;
  private static S3Client s3;

  @BeforeAll
  static void start() throws Exception {
    Path dir = Path.of(S3ClusterIT.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    while (dir != null && !Files.isRegularFile(dir.resolve("bin/mapreduce"))) {
      dir = dir.getParent();
    }
    assertThat(dir).isNotNull();
    root = dir;
    s3proxy = S3ProxyServer.start(tmp);
    s3 = s3proxy.client();
    s3proxy.createBucket("data");
    try (Stream<Path> files = Files.list(root.resolve("mapreduce-examples/sample"))) {
      for (Path f : files.filter(Files::isRegularFile).toList()) {
        s3.putObject(b -> b.bucket("data").key("sample/" + f.getFileName()), RequestBody.fromFile(f));
      }
    }
  }

  @AfterAll
  static void stop() {
    if (s3proxy != null) {
      s3proxy.close();
    }
  }

  /** Runs bin/mapreduce, which must succeed; returns what it printed. */
  private static String run(String... args) throws Exception {
    List<String> cmd = new ArrayList<>(List.of(root.resolve("bin/mapreduce").toString()));
    cmd.addAll(List.of(args));
    Path log = tmp.resolve("run-" + System.nanoTime() + ".log");
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
    pb.environment().put("AWS_ENDPOINT_URL_S3", s3proxy.endpoint());
    pb.environment().put("AWS_ACCESS_KEY_ID", S3ProxyServer.ACCESS_KEY);
    pb.environment().put("AWS_SECRET_ACCESS_KEY", S3ProxyServer.SECRET_KEY);
    pb.environment().put("AWS_REGION", S3ProxyServer.REGION);
    Process p = pb.start();
    assertThat(p.waitFor(3, TimeUnit.MINUTES)).isTrue();
    assertThat(p.exitValue()).as("bin/mapreduce %s", cmd).isZero();
    return Files.readString(log);
  }

  private static String object(String key) {
    return s3.getObjectAsBytes(b -> b.bucket("data").key(key)).asString(StandardCharsets.UTF_8);
  }

  private static List<String> keys(String prefix) {
    return s3proxy.keys("data", prefix);
  }

  /**
   * Runs an example on the local sample, then from S3 to S3 embedded, on 2 local worker JVMs,
   * and on 2 local worker JVMs with the map outputs in S3 ({@code --intermediate}); every S3
   * output equals the local one file for file, and no intermediate object is left.
   */
  private static void assertSameFromS3ToS3(String example, int reduces) throws Exception {
    Path local = tmp.resolve(example + "-local-out");
    List<String> common = List.of("--reduce-tasks", Integer.toString(reduces), "--split-size", "256k");
    List<String> args = new ArrayList<>(List.of(example, "--input", root.resolve("mapreduce-examples/sample").toString(),
        "--output", local.toString()));
    args.addAll(common);
    run(args.toArray(String[]::new));
    Map<String, List<String>> modes = Map.of(
        "embedded", List.of(),
        "cluster", List.of("--local-workers", "2"),
        "cluster-shared", List.of("--local-workers", "2", "--intermediate", "s3://data/tmp/"));
    for (var mode : modes.entrySet()) {
      String out = example + "/" + mode.getKey();
      args = new ArrayList<>(List.of(example, "--s3-path-style", "--input", "s3://data/sample", "--output",
          "s3://data/" + out));
      args.addAll(common);
      args.addAll(mode.getValue());
      String printed = run(args.toArray(String[]::new));
      // The counter of bytes map attempts wrote to shared storage, among those the job prints.
      assertThat(printed.contains("map.output.shared.bytes")).as(out + " printed:\n" + printed)
          .isEqualTo(mode.getKey().equals("cluster-shared"));
      for (int r = 0; r < reduces; r++) {
        String name = String.format("mr-out-%05d", r);
        assertThat(object(out + "/" + name)).as(out + "/" + name)
            .isEqualTo(Files.readString(local.resolve(name), StandardCharsets.UTF_8));
      }
      assertThat(object(out + "/_SUCCESS")).isEmpty();
      assertThat(keys(out + "/")).as(out).hasSize(reduces + 1);
    }
    assertThat(keys("tmp/")).as("map outputs left in s3://data/tmp/").isEmpty();
  }

  @Test
  void wordcount_fromS3ToS3_embeddedAndOnLocalWorkers_equalsTheLocalRun() throws Exception {
    assertSameFromS3ToS3("wordcount", 2);
  }

  @Test
  void sort_fromS3ToS3_embeddedAndOnLocalWorkers_equalsTheLocalRun() throws Exception {
    assertSameFromS3ToS3("sort", 3);
  }

  @Test
  void wordcount_gzippedInputInS3_embeddedAndOnLocalWorkers_equalsTheLocalRunOfThePlainText() throws Exception {
    Path local = tmp.resolve("gz-local-out");
    run("wordcount", "--input", root.resolve("mapreduce-examples/sample").toString(), "--output", local.toString());
    try (Stream<Path> files = Files.list(root.resolve("mapreduce-examples/sample"))) {
      for (Path f : files.filter(Files::isRegularFile).toList()) {
        // gzip(1), as a user compresses logs before uploading them.
        Path gz = tmp.resolve(f.getFileName() + ".gz");
        Process p = new ProcessBuilder("sh", "-c", "gzip -c '" + f + "' > '" + gz + "'").start();
        assertThat(p.waitFor()).isZero();
        s3.putObject(b -> b.bucket("data").key("sample-gz/" + gz.getFileName()), RequestBody.fromFile(gz));
      }
    }
    for (List<String> mode : List.of(List.<String>of(), List.of("--local-workers", "2"))) {
      Path out = tmp.resolve("gz-out-" + mode.size());
      List<String> args = new ArrayList<>(List.of("wordcount", "--s3-path-style", "--input", "s3://data/sample-gz",
          "--output", out.toString(), "--split-size", "256k"));
      args.addAll(mode);
      run(args.toArray(String[]::new));
      assertThat(Files.readString(out.resolve("mr-out-00000"))).as("%s", mode)
          .isEqualTo(Files.readString(local.resolve("mr-out-00000")));
    }
  }

  @Test
  void pairsOutputOfPackedInput_fromS3ToS3OnLocalWorkers_readBackFromS3EqualsTheLocalRun() throws Exception {
    Path local = tmp.resolve("pairs-local-out");
    List<String> formats = List.of("--input-format", "combined", "--output-format", "pairs", "--reduce-tasks", "2");
    List<String> args = new ArrayList<>(List.of("wordcount", "--input",
        root.resolve("mapreduce-examples/sample").toString(), "--output", local.toString()));
    args.addAll(formats);
    run(args.toArray(String[]::new));
    args = new ArrayList<>(List.of("wordcount", "--s3-path-style", "--input", "s3://data/sample", "--output",
        "s3://data/pairs-out", "--local-workers", "2"));
    args.addAll(formats);
    run(args.toArray(String[]::new));
    assertThat(keys("pairs-out/")).containsExactlyInAnyOrder("pairs-out/_SUCCESS", "pairs-out/mr-out-00000.pairs",
        "pairs-out/mr-out-00001.pairs");

    // This JVM reads them straight from S3, as an application would (the SDK takes these properties).
    System.setProperty("mapreduce.s3.endpoint", s3proxy.endpoint());
    System.setProperty("mapreduce.s3.pathStyle", "true");
    System.setProperty("aws.accessKeyId", S3ProxyServer.ACCESS_KEY);
    System.setProperty("aws.secretAccessKey", S3ProxyServer.SECRET_KEY);
    System.setProperty("aws.region", S3ProxyServer.REGION);
    var fromS3 = io.mapreduce.format.Pairs.read("s3://data/pairs-out", String.class, Long.class);
    assertThat(fromS3).isEqualTo(io.mapreduce.format.Pairs.read(local.toString(), String.class, Long.class))
        .hasSizeGreaterThan(1000);
  }
}

package io.mapreduce.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * {@code bin/mapreduce wordcount} from S3 to S3 as a user runs it, against s3proxy on 127.0.0.1
 * (configured only through the environment and {@code --s3-path-style}): embedded and with
 * {@code --local-workers 2}, whose workers read their splits and write their outputs in S3; both
 * equal the word count of the same files on local disk.
 */
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class S3ClusterIT {
  @TempDir static Path tmp;
  private static Path root;
  private static Process s3proxy;
  private static S3Client s3;
  private static String endpoint;

  @BeforeAll
  static void start() throws Exception {
    Path dir = Path.of(S3ClusterIT.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    while (dir != null && !Files.isRegularFile(dir.resolve("bin/mapreduce"))) {
      dir = dir.getParent();
    }
    assertThat(dir).isNotNull();
    root = dir;
    Path jar = root.resolve("mapreduce-s3/target/s3proxy/s3proxy.jar");
    assertThat(jar).as("s3proxy, copied by mapreduce-s3's build").exists();
    int port;
    try (var probe = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      port = probe.getLocalPort();
    }
    endpoint = "http://127.0.0.1:" + port;
    Path props = tmp.resolve("s3proxy.properties");
    Files.writeString(props, "s3proxy.endpoint=" + endpoint + "\ns3proxy.authorization=none\n"
        + "jclouds.provider=transient\njclouds.identity=local\njclouds.credential=local\n");
    s3proxy = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m",
        "-jar", jar.toString(), "--properties", props.toString())
        .redirectErrorStream(true).redirectOutput(tmp.resolve("s3proxy.log").toFile()).start();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (true) {
      try (Socket s = new Socket("127.0.0.1", port)) {
        break;
      } catch (IOException notYet) {
        assertThat(s3proxy.isAlive() && System.nanoTime() < deadline).as("s3proxy starts").isTrue();
        Thread.sleep(100);
      }
    }
    s3 = S3Client.builder().httpClientBuilder(UrlConnectionHttpClient.builder()).endpointOverride(URI.create(endpoint))
        .forcePathStyle(true).region(Region.US_EAST_1)
        .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("local", "local")))
        .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
        .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED).build();
    s3.createBucket(b -> b.bucket("data"));
    try (Stream<Path> files = Files.list(root.resolve("mapreduce-examples/sample"))) {
      for (Path f : files.filter(Files::isRegularFile).toList()) {
        s3.putObject(b -> b.bucket("data").key("sample/" + f.getFileName()), RequestBody.fromFile(f));
      }
    }
  }

  @AfterAll
  static void stop() throws InterruptedException {
    if (s3 != null) {
      s3.close();
    }
    if (s3proxy != null) {
      s3proxy.destroy();
      if (!s3proxy.waitFor(10, TimeUnit.SECONDS)) {
        s3proxy.destroyForcibly();
      }
    }
  }

  private static void run(String... args) throws Exception {
    List<String> cmd = new ArrayList<>(List.of(root.resolve("bin/mapreduce").toString()));
    cmd.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
        .redirectOutput(tmp.resolve("run-" + System.nanoTime() + ".log").toFile());
    pb.environment().put("AWS_ENDPOINT_URL_S3", endpoint);
    pb.environment().put("AWS_ACCESS_KEY_ID", "local");
    pb.environment().put("AWS_SECRET_ACCESS_KEY", "local");
    pb.environment().put("AWS_REGION", "us-east-1");
    Process p = pb.start();
    assertThat(p.waitFor(3, TimeUnit.MINUTES)).isTrue();
    assertThat(p.exitValue()).as("bin/mapreduce %s", cmd).isZero();
  }

  private static String object(String key) {
    return s3.getObjectAsBytes(b -> b.bucket("data").key(key)).asString(StandardCharsets.UTF_8);
  }

  @Test
  void wordcount_fromS3ToS3_embeddedAndOnLocalWorkers_equalsTheLocalRun() throws Exception {
    Path local = tmp.resolve("local-out");
    run("wordcount", "--input", root.resolve("mapreduce-examples/sample").toString(), "--output", local.toString(),
        "--reduce-tasks", "2", "--split-size", "256k");
    run("wordcount", "--s3-path-style", "--input", "s3://data/sample", "--output", "s3://data/embedded",
        "--reduce-tasks", "2", "--split-size", "256k");
    run("wordcount", "--s3-path-style", "--input", "s3://data/sample", "--output", "s3://data/cluster",
        "--reduce-tasks", "2", "--split-size", "256k", "--local-workers", "2");
    for (String out : List.of("embedded", "cluster")) {
      for (int r = 0; r < 2; r++) {
        String name = String.format("mr-out-%05d", r);
        assertThat(object(out + "/" + name)).as(out + "/" + name)
            .isEqualTo(Files.readString(local.resolve(name), StandardCharsets.UTF_8));
      }
      assertThat(object(out + "/_SUCCESS")).isEmpty();
    }
  }
}

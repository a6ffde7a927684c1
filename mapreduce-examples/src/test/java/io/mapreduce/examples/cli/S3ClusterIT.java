package io.mapreduce.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.mapreduce.s3.S3ProxyServer;
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
import software.amazon.awssdk.core.sync.RequestBody;
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

  private static void run(String... args) throws Exception {
    List<String> cmd = new ArrayList<>(List.of(root.resolve("bin/mapreduce").toString()));
    cmd.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
        .redirectOutput(tmp.resolve("run-" + System.nanoTime() + ".log").toFile());
    pb.environment().put("AWS_ENDPOINT_URL_S3", s3proxy.endpoint());
    pb.environment().put("AWS_ACCESS_KEY_ID", S3ProxyServer.ACCESS_KEY);
    pb.environment().put("AWS_SECRET_ACCESS_KEY", S3ProxyServer.SECRET_KEY);
    pb.environment().put("AWS_REGION", S3ProxyServer.REGION);
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

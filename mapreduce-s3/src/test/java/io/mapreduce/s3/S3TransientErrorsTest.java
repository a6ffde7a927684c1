package io.mapreduce.s3;

import static org.assertj.core.api.Assertions.assertThat;

import io.mapreduce.JobResult;
import io.mapreduce.MapReduce;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * A word count from S3 to S3 through {@link FaultyProxy}, which answers 503 SlowDown or drops the
 * connection on every 3rd connection to s3proxy: with one attempt a task, the job succeeds on the
 * S3 client's retries alone, and writes what the same job writes from local files; without
 * retries ({@code aws.maxAttempts=1}) the same faults fail it.
 *
 * <p>The job runs in a child JVM pointed at the proxy: a JVM's {@code s3://} storage takes its
 * endpoint once, and surefire runs this module's test classes in one JVM (its defaults, forkCount
 * 1 and reuseForks true), where S3StorageTest may have pointed it at its own server already.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class S3TransientErrorsTest {
  private static final String BUCKET = "data";
  @TempDir Path tmp;

  @Test
  void wordCount_throughSlowDownsAndDroppedConnections_equalsTheJobOnLocalFiles() throws Exception {
    try (S3ProxyServer server = S3ProxyServer.start(tmp);
        FaultyProxy proxy = FaultyProxy.start(server.endpoint(), 3)) {
      server.createBucket(BUCKET);
      Path local = tmp.resolve("in");
      WordCount.writeInputs(server.client(), BUCKET, "in/", local, 120_000);
      Map<String, String> throughProxy = server.systemProperties();
      throughProxy.put("mapreduce.s3.endpoint", proxy.endpoint());
      // A connection a request (the client's HttpURLConnection keeps none alive), so that every 3rd
      // request of the job meets a fault, not every 3rd of the few connections it would reuse.
      throughProxy.put("http.keepAlive", "false");

      List<String> printed = WordCount.runInChildJvm(tmp, throughProxy, tmp.resolve("work").toString(),
          "s3://" + BUCKET + "/in", "s3://" + BUCKET + "/out");
      JobResult fromDisk = MapReduce.exec(WordCount.spec(local.toString(), tmp.resolve("out").toString(),
          tmp.resolve("work")).build()).get(2, TimeUnit.MINUTES);

      assertThat(printed).singleElement().asString().endsWith(" lines mapped, written");
      Map<String, String> expected = new TreeMap<>();
      for (URI file : fromDisk.outputFiles()) {
        expected.put("out/" + Path.of(file).getFileName(), Files.readString(Path.of(file)));
      }
      expected.put("out/_SUCCESS", "");
      assertThat(objects(server.client(), "out/")).isEqualTo(expected);
      assertThat(proxy.slowDowns()).as("503 SlowDown answers, of %d connections", proxy.connections()).isPositive();
      assertThat(proxy.drops()).as("connections dropped, of %d", proxy.connections()).isPositive();

      // The control: the same faults fail the job when the client does not retry.
      Map<String, String> noRetries = new LinkedHashMap<>(throughProxy);
      noRetries.put("aws.maxAttempts", "1");
      assertThat(WordCount.runInChildJvm(tmp, noRetries, tmp.resolve("work").toString(), "s3://" + BUCKET + "/in",
          "s3://" + BUCKET + "/out-without-retries")).singleElement().asString().contains("failed: ").contains("503");
    }
  }

  private static Map<String, String> objects(S3Client s3, String prefix) {
    Map<String, String> objects = new TreeMap<>();
    for (S3Object o : s3.listObjectsV2Paginator(b -> b.bucket(BUCKET).prefix(prefix)).contents()) {
      objects.put(o.key(), s3.getObjectAsBytes(b -> b.bucket(BUCKET).key(o.key())).asString(StandardCharsets.UTF_8));
    }
    return objects;
  }
}

package io.mapreduce.s3;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mapreduce.Emitter;
import io.mapreduce.EngineContract.Sum;
import io.mapreduce.JobResult;
import io.mapreduce.MapReduce;
import io.mapreduce.MapReduceSpecification;
import io.mapreduce.Reducer;
import io.mapreduce.s3.WordCount.Words;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3ClientBuilder;
import software.amazon.awssdk.services.s3.model.GetObjectRequest;
import software.amazon.awssdk.services.s3.model.ListMultipartUploadsRequest;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Request;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;

/**
 * Jobs from S3 to S3 against a real S3 server on 127.0.0.1 ({@link S3ProxyServer}), to which this
 * JVM's {@code s3://} storage is pointed.
 */
class S3StorageTest {
  private static final String BUCKET = "data";
  private static S3ProxyServer server;
  private static S3Client s3;
  @TempDir static Path tmp;

  @BeforeAll
  static void startS3() throws Exception {
    server = S3ProxyServer.start(tmp);
    server.setSystemProperties();
    s3 = server.client();
    server.createBucket(BUCKET);
  }

  @AfterAll
  static void stopS3() {
    if (server != null) {
      server.close();
    }
  }

  private static void put(String key, String text) {
    s3.putObject(PutObjectRequest.builder().bucket(BUCKET).key(key).build(), RequestBody.fromString(text));
  }

  private static String get(URI uri) {
    S3Path p = S3Path.parse(uri.toString());
    return s3.getObjectAsBytes(GetObjectRequest.builder().bucket(p.bucket()).key(p.key()).build())
        .asString(StandardCharsets.UTF_8);
  }

  private static List<String> keys(String prefix) {
    List<String> keys = new ArrayList<>();
    s3.listObjectsV2Paginator(ListObjectsV2Request.builder().bucket(BUCKET).prefix(prefix).build()).contents()
        .forEach(o -> keys.add(o.key()));
    return keys;
  }

  @Test
  void wordCount_fromS3ToS3_equalsTheSameJobOnLocalFiles() throws Exception {
    Path local = tmp.resolve("wc-in");
    WordCount.writeInputs(s3, BUCKET, "wc/in/", local, 40_000);
    put("wc/in/_ignored", "not input");
    JobResult fromS3 = MapReduce.exec(WordCount.spec("s3://" + BUCKET + "/wc/in", "s3://" + BUCKET + "/wc/out",
        tmp.resolve("work")).build()).get(2, TimeUnit.MINUTES);
    JobResult fromDisk = MapReduce.exec(WordCount.spec(local.toString(), tmp.resolve("wc-out").toString(),
        tmp.resolve("work")).build()).get(2, TimeUnit.MINUTES);

    assertThat(fromS3.outputFiles()).hasSize(3);
    for (int r = 0; r < 3; r++) {
      assertThat(get(fromS3.outputFiles().get(r))).isEqualTo(Files.readString(Path.of(fromDisk.outputFiles().get(r))));
    }
    assertThat(keys("wc/out/")).contains("wc/out/_SUCCESS").hasSize(4);
  }

  @Test
  void globOverThousandsOfObjects_listsEveryPage() throws Exception {
    int n = 2_100; // three pages of at most 1,000 keys
    for (int i = 0; i < n; i++) {
      put(String.format("many/2017/%02d/obj-%04d.txt", i % 12 + 1, i), "x\n");
    }
    // Beside them, keys the glob must not match.
    put("many/2016/01/obj-0000.txt", "y\n");
    put("many/2017/01/obj-0000.csv", "y\n");
    put("many/2017/obj-0000.txt", "y\n");
    JobResult r = MapReduce.exec(MapReduceSpecification.builder().mapper(new Words()).reducer(new Sum())
        .input("s3://" + BUCKET + "/many/2017/*/*.txt").output("s3://" + BUCKET + "/many-out")
        .workDirectory(tmp.resolve("work")).build()).get(3, TimeUnit.MINUTES);
    assertThat(get(r.outputFiles().get(0))).isEqualTo("x\t" + n + "\n");
  }

  @Test
  void existingOutputPrefix_isRefusedBeforeTheJobStarts_andLeftUntouched() throws Exception {
    put("taken/in.txt", "a b\n");
    put("taken/out/keep.txt", "mine");
    var job = MapReduce.exec(MapReduceSpecification.builder().mapper(new Words()).reducer(new Sum())
        .input("s3://" + BUCKET + "/taken/in.txt").output("s3://" + BUCKET + "/taken/out")
        .workDirectory(tmp.resolve("work")).build());
    assertThatThrownBy(() -> job.get(1, TimeUnit.MINUTES)).isInstanceOf(ExecutionException.class)
        .cause().hasMessageContaining("already exists").hasMessageContaining("s3://" + BUCKET + "/taken/out");
    assertThat(keys("taken/out/")).containsExactly("taken/out/keep.txt");
  }

  @Test
  void missingBucket_failsAtOnceSayingSo() {
    var job = MapReduce.exec(MapReduceSpecification.builder().mapper(new Words()).reducer(new Sum())
        .input("s3://no-such-bucket/in").output("s3://" + BUCKET + "/nb-out").workDirectory(tmp.resolve("work"))
        .build());
    assertThatThrownBy(() -> job.get(1, TimeUnit.MINUTES)).isInstanceOf(ExecutionException.class)
        .cause().hasMessageContaining("bucket no-such-bucket does not exist");
  }

  /** Counts the HTTP requests a client sends, each retry included. */
  static final class Requests implements ExecutionInterceptor {
    final AtomicInteger sent = new AtomicInteger();

    @Override
    public void beforeTransmission(Context.BeforeTransmission context, ExecutionAttributes attributes) {
      sent.incrementAndGet();
    }
  }

  @Test
  void wrongSecret_isDeniedAtTheFirstRequest_withoutRetries() throws Exception {
    put("denied/in.txt", "a b\n");
    Requests requests = new Requests();
    // The job's client as S3Clients sets it up (retries included), but for the secret.
    S3ClientBuilder b = S3Clients.builder().credentialsProvider(StaticCredentialsProvider.create(
        AwsBasicCredentials.create(S3ProxyServer.ACCESS_KEY, "wrong-" + S3ProxyServer.SECRET_KEY)));
    b.overrideConfiguration(b.overrideConfiguration().toBuilder().addExecutionInterceptor(requests).build());
    try (S3Client wrongSecret = b.build()) {
      S3Storage storage = new S3Storage(wrongSecret);
      assertThatThrownBy(() -> storage.listInputs("s3://" + BUCKET + "/denied/in.txt"))
          .isInstanceOf(AccessDeniedException.class).hasMessage("s3://" + BUCKET + "/denied/in.txt: S3 denied access");
      assertThat(requests.sent).hasValue(1);
      assertThatThrownBy(() -> storage.createOutput("s3://" + BUCKET + "/denied/out", "job-1"))
          .isInstanceOf(AccessDeniedException.class)
          .hasMessageStartingWith("s3://" + BUCKET + "/denied/out: S3 denied access (");
      assertThat(requests.sent).hasValue(2);
    }
  }

  @Test
  void unreachableEndpoint_failsNamingThePath_andSayingS3CannotBeReached() throws Exception {
    int closedPort;
    try (var probe = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      closedPort = probe.getLocalPort();
    }
    S3ClientBuilder b = S3Clients.builder().endpointOverride(java.net.URI.create("http://127.0.0.1:" + closedPort))
        .credentialsProvider(StaticCredentialsProvider.create(
            AwsBasicCredentials.create(S3ProxyServer.ACCESS_KEY, S3ProxyServer.SECRET_KEY)));
    // One attempt: the point is the message, not the retries' backoff.
    b.overrideConfiguration(b.overrideConfiguration().toBuilder()
        .retryStrategy(software.amazon.awssdk.retries.DefaultRetryStrategy.doNotRetry()).build());
    try (S3Client nowhere = b.build()) {
      S3Storage storage = new S3Storage(nowhere);
      assertThatThrownBy(() -> storage.listInputs("s3://" + BUCKET + "/some/in.txt"))
          .isInstanceOf(java.io.IOException.class)
          .hasMessageStartingWith("s3://" + BUCKET + "/some/in.txt: cannot reach S3: ");
      assertThatThrownBy(() -> storage.createOutput("s3://" + BUCKET + "/some/out", "job-9"))
          .hasMessageStartingWith("s3://" + BUCKET + "/some/out: cannot reach S3: ");
    }
  }

  @Test
  void wrongSecret_jobsFailBeforeAnyTask_withOneLineSayingAccessToThePathWasDenied() throws Exception {
    put("denied/in.txt", "a b\n");
    Path localIn = Files.writeString(tmp.resolve("denied-in.txt"), "a b\n");
    Path localOut = tmp.resolve("denied-out");
    Map<String, String> wrongSecret = server.systemProperties();
    wrongSecret.put("aws.secretAccessKey", "wrong-" + S3ProxyServer.SECRET_KEY);
    List<String> printed = WordCount.runInChildJvm(tmp, wrongSecret, tmp.resolve("denied-work").toString(),
        "s3://" + BUCKET + "/denied/in.txt", localOut.toString(),
        localIn.toString(), "s3://" + BUCKET + "/denied/out");
    assertThat(printed).hasSize(2);
    assertThat(printed.get(0)).isEqualTo(localOut + ": 0 lines mapped, failed: cannot read input s3://" + BUCKET
        + "/denied/in.txt: S3 denied access");
    assertThat(printed.get(1)).startsWith("s3://" + BUCKET + "/denied/out: 0 lines mapped, failed: cannot create "
        + "output directory s3://" + BUCKET + "/denied/out: S3 denied access (");
    assertThat(localOut).doesNotExist();
    assertThat(keys("denied/out")).isEmpty();
  }

  /** Writes more than a part (so a multipart upload starts), then fails. */
  static final class FailingReducer extends Reducer<String, Long> {
    @Override
    public void reduce(String key, Iterable<Long> values, Emitter<String, Long> emitter) {
      String filler = "y".repeat(1 << 20);
      for (int i = 0; i < 10; i++) {
        emitter.emit(key + filler + i, 1L);
      }
      throw new IllegalStateException("reducer gives up");
    }
  }

  @Test
  void failingAttempts_leaveNoVisibleObjectAndNoUpload() throws Exception {
    put("fail/in.txt", "a\n");
    var job = MapReduce.exec(MapReduceSpecification.builder().mapper(new Words()).reducer(new FailingReducer())
        .input("s3://" + BUCKET + "/fail/in.txt").output("s3://" + BUCKET + "/fail/out").maxTaskAttempts(2)
        .workDirectory(tmp.resolve("work")).build());
    assertThatThrownBy(() -> job.get(2, TimeUnit.MINUTES)).cause().hasMessageContaining("reducer gives up");
    job.awaitTermination(java.time.Duration.ofSeconds(30));
    assertThat(keys("fail/out")).isEmpty();
    assertThat(s3.listMultipartUploads(ListMultipartUploadsRequest.builder().bucket(BUCKET).prefix("fail/out").build())
        .uploads()).isEmpty();
  }

  @Test
  void rangedReads_fromAnOffset_returnTheRest() throws Exception {
    put("range/a.txt", "0123456789");
    S3Storage storage = new S3Storage(s3);
    var file = storage.listInputs("s3://" + BUCKET + "/range/a.txt").get(0);
    assertThat(file.length()).isEqualTo(10);
    try (InputStream in = storage.open(file, 4)) {
      assertThat(new String(in.readAllBytes(), StandardCharsets.US_ASCII)).isEqualTo("456789");
    }
  }
}

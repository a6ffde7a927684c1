package io.mapreduce.s3;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mapreduce.spi.SharedDirectory;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * A job's shared scratch directory in S3 (s3proxy on 127.0.0.1): files written whole (one PUT, or
 * parts), read back by byte ranges, and deleted with the uploads a killed attempt left.
 */
class S3SharedDirectoryTest {
  @TempDir static Path tmp;
  private static S3ProxyServer s3;
  private static S3Storage storage;

  @BeforeAll
  static void start() throws Exception {
    s3 = S3ProxyServer.start(tmp);
    s3.createBucket("scratch");
    storage = new S3Storage(s3.client());
  }

  @AfterAll
  static void stop() throws InterruptedException {
    if (s3 != null) {
      s3.close();
    }
  }

  private static List<String> keys(String prefix) {
    return s3.client().listObjectsV2Paginator(b -> b.bucket("scratch").prefix(prefix)).contents().stream()
        .map(S3Object::key).toList();
  }

  private static byte[] read(SharedDirectory d, String name, long offset, long length) throws Exception {
    try (InputStream in = d.read(name, offset, length)) {
      return in.readAllBytes();
    }
  }

  @Test
  void putRead_smallFileInOnePut_largeFileInParts_rangesComeBackExactly() throws Exception {
    // Parts of 5 MiB (S3's smallest but for the last) above 1 MiB: a 12 MiB file goes in 3 parts.
    SharedDirectory d = new S3SharedDirectory(storage, S3Path.parse("s3://scratch/tmp/job-a"), 1 << 20, 5 << 20);
    d.create();
    byte[] small = new byte[1000];
    byte[] large = new byte[(12 << 20) + 7];
    Random random = new Random(1);
    random.nextBytes(small);
    random.nextBytes(large);
    Files.write(tmp.resolve("small"), small);
    Files.write(tmp.resolve("large"), large);

    d.put("m-00000.1.index", tmp.resolve("small"));
    d.put("m-00000.1.data", tmp.resolve("large"));

    assertThat(keys("tmp/job-a/")).containsExactlyInAnyOrder("tmp/job-a/_job", "tmp/job-a/m-00000.1.index",
        "tmp/job-a/m-00000.1.data");
    assertThat(read(d, "m-00000.1.index", 0, small.length)).isEqualTo(small);
    assertThat(read(d, "m-00000.1.data", 0, large.length)).isEqualTo(large);
    long from = (5 << 20) - 3;
    assertThat(read(d, "m-00000.1.data", from, 10)).as("a range across two parts")
        .isEqualTo(Arrays.copyOfRange(large, (int) from, (int) from + 10));
    assertThat(read(d, "m-00000.1.data", large.length - 1, 1)).containsExactly(large[large.length - 1]);
    assertThat(read(d, "m-00000.1.data", 5, 0)).isEmpty();
    assertThat(d.path()).isEqualTo("s3://scratch/tmp/job-a");
  }

  @Test
  void delete_removesEveryObjectAndUnfinishedUpload_andMayRunTwice() throws Exception {
    SharedDirectory d = storage.sharedDirectory("s3://scratch/tmp/job-b/");
    d.create();
    Files.write(tmp.resolve("b"), new byte[] {1, 2, 3});
    for (int i = 0; i < 5; i++) {
      d.put("m-0000" + i + ".1.data", tmp.resolve("b"));
    }
    // As an attempt killed in the middle of a large upload leaves it.
    s3.client().createMultipartUpload(b -> b.bucket("scratch").key("tmp/job-b/m-00009.1.data"));
    s3.client().putObject(b -> b.bucket("scratch").key("tmp/job-bb/other"),
        software.amazon.awssdk.core.sync.RequestBody.fromString("another job's"));

    d.delete();
    d.delete();

    assertThat(keys("tmp/job-b/")).isEmpty();
    assertThat(s3.client().listMultipartUploads(b -> b.bucket("scratch").prefix("tmp/job-b/")).uploads()).isEmpty();
    assertThat(keys("tmp/job-bb/")).as("a sibling prefix").containsExactly("tmp/job-bb/other");
  }

  @Test
  void create_missingBucket_failsNamingIt() {
    assertThatThrownBy(() -> storage.sharedDirectory("s3://no-such-bucket/tmp/job-c").create())
        .isInstanceOf(NoSuchFileException.class).hasMessageContaining("no-such-bucket");
  }
}

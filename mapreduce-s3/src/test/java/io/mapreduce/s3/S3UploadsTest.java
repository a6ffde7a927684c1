package io.mapreduce.s3;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mapreduce.spi.JobOutput;
import io.mapreduce.spi.SharedDirectory;
import java.io.InputStream;
import java.io.OutputStream;
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

/**
 * What mapreduce-s3 writes, straight through the SPI against s3proxy on 127.0.0.1: a job's output
 * (files larger than a part go up in parts in the background and come back byte for byte; an
 * aborted file leaves no object and no upload; an attached output neither commits nor aborts the
 * job), and a job's shared scratch directory (files written whole, in one PUT or in parts, read
 * back by byte ranges, and deleted with the uploads a killed attempt left).
 */
class S3UploadsTest {
  @TempDir static Path tmp;
  private static S3ProxyServer s3;
  private static S3Storage storage;

  @BeforeAll
  static void start() throws Exception {
    s3 = S3ProxyServer.start(tmp);
    s3.createBucket("scratch");
    s3.createBucket("out");
    storage = new S3Storage(s3.client());
  }

  @AfterAll
  static void stop() throws InterruptedException {
    if (s3 != null) {
      s3.close();
    }
  }

  private static List<String> keys(String prefix) {
    return s3.keys("scratch", prefix);
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
  void create_prefixThatHoldsObjects_refused_andDeleteOfAWholeBucketImpossible() throws Exception {
    s3.client().putObject(b -> b.bucket("scratch").key("tmp/taken/keep"),
        software.amazon.awssdk.core.sync.RequestBody.fromString("not a job's"));
    // A job's directory is deleted whole when the job ends: it must be one the job made.
    assertThatThrownBy(() -> storage.sharedDirectory("s3://scratch/tmp/taken").create())
        .isInstanceOf(java.nio.file.FileAlreadyExistsException.class)
        .hasMessageContaining("s3://scratch/tmp/taken").hasMessageContaining("holds objects already");
    for (String bucket : List.of("s3://scratch", "s3://scratch/")) {
      assertThatThrownBy(() -> storage.sharedDirectory(bucket)).isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("a whole bucket");
    }
    assertThat(keys("tmp/taken/")).containsExactly("tmp/taken/keep");
  }

  @Test
  void create_missingBucket_failsNamingIt() {
    assertThatThrownBy(() -> storage.sharedDirectory("s3://no-such-bucket/tmp/job-c").create())
        .isInstanceOf(NoSuchFileException.class).hasMessageContaining("no-such-bucket");
  }

  /** Writes {@code data} in uneven pieces, some a byte at a time. */
  private static void write(OutputStream out, byte[] data) throws Exception {
    Random random = new Random(7);
    int i = 0;
    while (i < data.length) {
      if (random.nextInt(10) == 0) {
        out.write(data[i++]);
      } else {
        int n = Math.min(data.length - i, 1 + random.nextInt(3 << 20));
        out.write(data, i, n);
        i += n;
      }
    }
  }

  @Test
  void largeFile_inPartsUploadedInTheBackground_comesBackWhole_abortedOneLeavesNothing() throws Exception {
    byte[] big = new byte[(2 * S3JobOutput.PART_BYTES) + (3 << 20) + 5]; // three parts
    byte[] other = new byte[S3JobOutput.PART_BYTES + 1];
    new Random(1).nextBytes(big);
    new Random(2).nextBytes(other);
    JobOutput output = storage.createOutput("s3://out/job-1", "job-1");

    try (JobOutput.TaskOutput file = output.create("mr-out-00000", "r-00000.1")) {
      write(file.stream(), big);
      file.commit();
    }
    try (JobOutput.TaskOutput aborted = output.create("mr-out-00001", "r-00001.1")) {
      write(aborted.stream(), other);
    } // closed without a commit: aborted
    try (JobOutput.TaskOutput small = output.create("mr-out-00002", "r-00002.1")) {
      small.stream().write(new byte[] {'h', 'i', '\n'});
      small.commit();
    }
    assertThat(output.commit()).extracting(Object::toString)
        .containsExactly("s3://out/job-1/mr-out-00000", "s3://out/job-1/mr-out-00002");

    assertThat(s3.client().getObjectAsBytes(b -> b.bucket("out").key("job-1/mr-out-00000")).asByteArray())
        .isEqualTo(big);
    assertThat(s3.client().getObjectAsBytes(b -> b.bucket("out").key("job-1/mr-out-00002")).asUtf8String())
        .isEqualTo("hi\n");
    assertThat(s3.keys("out", "job-1/")).containsExactlyInAnyOrder("job-1/mr-out-00000", "job-1/mr-out-00002",
        "job-1/_SUCCESS");
    assertThat(s3.client().listMultipartUploads(b -> b.bucket("out").prefix("job-1/")).uploads()).isEmpty();
  }

  @Test
  void attachedOutput_writesTaskFiles_butNeitherCommitsNorAbortsTheJob() throws Exception {
    JobOutput created = storage.createOutput("s3://out/job-2", "job-2");
    JobOutput attached = storage.attachOutput("s3://out/job-2", "job-2");
    try (JobOutput.TaskOutput file = attached.create("mr-out-00000", "r-00000.1")) {
      file.stream().write('x');
      file.commit();
    }
    attached.abort();
    assertThat(s3.keys("out", "job-2/")).containsExactly("job-2/mr-out-00000");
    assertThatThrownBy(attached::commit).isInstanceOf(IllegalStateException.class);
    created.abort();
    assertThat(s3.keys("out", "job-2/")).isEmpty();
  }

  @Test
  void abort_onAnInterruptedThread_stillAbortsTheUpload_andKeepsTheInterrupt() throws Exception {
    // A cancelled task's thread is interrupted; the SDK sends nothing from such a thread.
    JobOutput output = storage.createOutput("s3://out/job-3", "job-3");
    JobOutput.TaskOutput file = output.create("mr-out-00000", "r-00000.1");
    write(file.stream(), new byte[S3JobOutput.PART_BYTES + 10]); // one part sent, an upload open
    Thread.currentThread().interrupt();
    file.close();
    assertThat(Thread.interrupted()).as("the interrupt, kept").isTrue();
    assertThat(s3.client().listMultipartUploads(b -> b.bucket("out").prefix("job-3/")).uploads()).isEmpty();
    assertThat(s3.keys("out", "job-3/")).isEmpty();
  }
}

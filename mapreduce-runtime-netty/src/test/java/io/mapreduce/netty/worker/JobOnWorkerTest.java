package io.mapreduce.netty.worker;

import static org.assertj.core.api.Assertions.assertThat;

import io.mapreduce.internal.engine.ShippedJob;
import io.mapreduce.internal.engine.WorkerJob;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** When a job's files leave a worker: not from under attempts that are still unwinding. */
class JobOnWorkerTest {
  @TempDir Path dir;

  private static JobOnWorker job(Path directory) {
    ShippedJob shipped = new ShippedJob("wc", List.of("/in"), "/out", 1, 64, 4, false, "java.lang.String",
        "java.lang.Long", new byte[] {1}, new byte[] {2}, null, null);
    return new JobOnWorker("j1", shipped, List.of(), directory, new JobOnWorker.Host() {
      @Override
      public Path jar(String sha256) {
        throw new AssertionError("these tests fetch no jar");
      }

      @Override
      public WorkerJob open(String jobId, ShippedJob job, Path directory) {
        throw new AssertionError("these tests open no job code");
      }
    });
  }

  @Test
  void close_whileAnAttemptUnwinds_removesTheDirectoryWhenTheAttemptLeaves() throws Exception {
    Path directory = Files.createDirectories(dir.resolve("jobs").resolve("j1"));
    JobOnWorker job = job(directory);
    assertThat(job.enter()).isTrue();
    Path attempt = Files.createDirectories(directory.resolve("m-00000").resolve("attempt-1"));

    job.close();
    // A stopped map attempt removes its attempt directory as it unwinds, and no more: removing the
    // job's directory before would leave m-00000/ behind once the attempt made it again.
    assertThat(attempt).exists();
    Files.delete(attempt);
    job.exit();

    assertThat(directory).doesNotExist();
  }

  @Test
  void close_withNoAttemptIn_removesTheDirectoryAtOnce_andNoAttemptEntersAfter() throws Exception {
    Path directory = Files.createDirectories(dir.resolve("jobs").resolve("j1"));
    JobOnWorker job = job(directory);
    assertThat(job.enter()).isTrue();
    job.exit();
    assertThat(directory).exists();

    job.close();

    assertThat(directory).doesNotExist();
    assertThat(job.enter()).as("an attempt that begins after the job ended").isFalse();
    assertThat(directory).doesNotExist();
  }
}

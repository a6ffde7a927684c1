package io.mapreduce.internal.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.mapreduce.internal.io.LocalStorage;
import io.mapreduce.spi.JobOutput;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TaskAttemptCommitTest {
  @TempDir Path dir;

  /**
   * An embedded attempt that committed one of its files (a side output) and then failed: the
   * retry's same file stands as published (one attempt of a task runs at a time here), and the
   * retry publishes the rest, where it used to fail on "task output already committed" forever.
   */
  @Test
  void embeddedRetry_fileAnEarlierAttemptCommitted_standsAndTheRestIsPublished() throws Exception {
    JobOutput output = LocalStorage.INSTANCE.createOutput(dir.resolve("out").toString(), "job-1");
    try (JobOutput.TaskOutput side = output.create("copy-00000", "r-00000_1")) {
      side.stream().write("x\t1\n".getBytes(StandardCharsets.UTF_8));
      side.commit();
    }
    TaskAttempt retry = new TaskAttempt("job-1", "r-00000", 2, null, 1, () -> false, CommitGate.ALWAYS);
    JobOutput.TaskOutput again = output.create("copy-00000", "r-00000_2");
    again.stream().write("x\t1\n".getBytes(StandardCharsets.UTF_8));
    retry.commit(again);
    JobOutput.TaskOutput main = output.create("mr-out-00000", "r-00000_2");
    main.stream().write("x\t1\n".getBytes(StandardCharsets.UTF_8));
    retry.commit(main);
    output.commit();

    assertThat(Files.readString(dir.resolve("out/copy-00000"))).isEqualTo("x\t1\n");
    assertThat(Files.readString(dir.resolve("out/mr-out-00000"))).isEqualTo("x\t1\n");
  }
}

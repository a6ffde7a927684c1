package io.mapreduce;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A job whose work directory fills up fails at once with a message that says so. Needs a small
 * file system of its own: a 1 MiB tmpfs, which only root can mount; elsewhere the test is skipped.
 */
class DiskFullTest {
  @TempDir
  Path dir;

  private Path mounted;

  @AfterEach
  void unmount() throws Exception {
    if (mounted != null) {
      Process umount = new ProcessBuilder("umount", mounted.toString()).redirectErrorStream(true).start();
      String said = new String(umount.getInputStream().readAllBytes());
      assertThat(umount.waitFor(30, TimeUnit.SECONDS) && umount.exitValue() == 0).as("umount: %s", said).isTrue();
    }
  }

  @Test
  void exec_workDirectoryFull_failsSayingTheDiskIsFull() throws Exception {
    Path small = Files.createDirectories(dir.resolve("small"));
    Process mount = new ProcessBuilder("mount", "-t", "tmpfs", "-o", "size=1m,mode=0700", "tmpfs", small.toString())
        .redirectErrorStream(true).start();
    assumeTrue(mount.waitFor(30, TimeUnit.SECONDS) && mount.exitValue() == 0,
        "cannot mount a tmpfs here (not root?): " + new String(mount.getInputStream().readAllBytes()));
    mounted = small;

    Path input = Files.createDirectories(dir.resolve("input"));
    Files.writeString(input.resolve("a.txt"), "some words to count again and again\n".repeat(200_000));
    var spec = MapReduceSpecification.builder().mapper(new EngineContract.TokenMapper())
        .reducer(new EngineContract.Sum()).input(input.toString()).output(dir.resolve("out").toString())
        .workDirectory(small).sortBufferSize(64 << 10).build();
    Job job = MapReduce.exec(spec);
    Throwable failure = catchThrowable(() -> job.get(120, TimeUnit.SECONDS));
    assertThat(failure).isInstanceOf(ExecutionException.class);
    assertThat(failure.getCause()).hasMessageContaining("disk full").hasMessageContaining(small.toString());
    assertThat(dir.resolve("out")).doesNotExist();
    try (var left = Files.list(small.resolve("jobs"))) {
      assertThat(left.toList()).isEmpty();
    }
  }
}

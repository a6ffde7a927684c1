package io.mapreduce.lib.streaming;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mapreduce.MapReduce;
import io.mapreduce.MapReduceSpecification;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The task timeout on the embedded engine, with real programs: a hung one is killed and its task
 * retried; a slow one that keeps printing, or keeps reporting status on stderr, is left alone.
 */
class TaskTimeoutTest {
  /** A Java mapper whose first attempt blocks (interruptibly) on its first record; later ones copy lines. */
  public static final class SleepsOnFirstAttempt extends io.mapreduce.Mapper<String, String> {
    static final java.util.concurrent.atomic.AtomicInteger ATTEMPTS = new java.util.concurrent.atomic.AtomicInteger();
    private transient boolean hang;

    @Override
    public void setup(io.mapreduce.TaskContext context) {
      hang = ATTEMPTS.incrementAndGet() == 1;
    }

    @Override
    public void map(long offset, String line, io.mapreduce.Emitter<String, String> emitter) throws Exception {
      if (hang) {
        Thread.sleep(600_000);
      }
      emitter.emit(line, "");
    }
  }

  @TempDir Path dir;
  Path input;

  @BeforeEach
  void setUp() throws IOException {
    input = Files.createDirectories(dir.resolve("in"));
    Files.writeString(input.resolve("a.txt"), "one\ntwo\nthree\n");
  }

  private StreamingMapper mapper(String name, String script) throws IOException {
    Path p = dir.resolve(name);
    Files.writeString(p, script);
    Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
    return new StreamingMapper(StreamingProgram.builder("./" + name).file(p).build());
  }

  private MapReduceSpecification.Builder<byte[], byte[]> job(StreamingMapper mapper, Duration timeout) {
    return MapReduceSpecification.builder().mapper(mapper).input(input.toString())
        .output(dir.resolve("out").toString()).workDirectory(dir.resolve("work")).reduceTasks(0)
        .taskTimeout(timeout);
  }

  private List<String> output() throws IOException {
    return Files.readAllLines(dir.resolve("out").resolve("mr-out-00000"));
  }

  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  void exec_hungFirstAttempt_isKilledByTheTimeoutAndTheRetryFinishesTheJob() throws Exception {
    Path attempts = dir.resolve("attempts.log");
    // More input than a pipe holds: the program's stdin pump is blocked writing when it is killed.
    StringBuilder big = new StringBuilder("one\ntwo\nthree\n");
    for (int i = 0; i < 20_000; i++) {
      big.append("line ").append(i).append('\n');
    }
    Files.writeString(input.resolve("a.txt"), big);
    StreamingMapper hung = mapper("hung.sh", StreamingScripts.hungFirstAttempt(dir.resolve("marker"), attempts));
    long start = System.nanoTime();

    MapReduce.exec(job(hung, Duration.ofSeconds(2)).maxTaskAttempts(2).build())
        .get(50, TimeUnit.SECONDS);

    assertThat(output()).hasSize(3 + 20_000).startsWith("one", "two", "three").endsWith("line 19999");
    // One failed attempt (the hung one, killed, its program gone), then the one that succeeded.
    assertThat(Files.readAllLines(attempts)).containsExactly("m-00000_1", "m-00000_2");
    StreamingScripts.assertHungProgramEnded(dir.resolve("marker"));
    assertThat(Duration.ofNanos(System.nanoTime() - start)).as("killed after the 2 s timeout, not sooner")
        .isGreaterThanOrEqualTo(Duration.ofSeconds(2));
  }

  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  void exec_javaMapperBlockedOnItsFirstAttempt_isInterruptedAndRetried() throws Exception {
    SleepsOnFirstAttempt.ATTEMPTS.set(0);
    MapReduce.exec(MapReduceSpecification.builder().mapper(new SleepsOnFirstAttempt()).input(input.toString())
        .output(dir.resolve("out").toString()).workDirectory(dir.resolve("work")).reduceTasks(0)
        .taskTimeout(Duration.ofSeconds(1)).maxTaskAttempts(2).build()).get(50, TimeUnit.SECONDS);

    assertThat(output()).containsExactly("one\t", "two\t", "three\t");
    assertThat(SleepsOnFirstAttempt.ATTEMPTS).hasValue(2);
  }

  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  void exec_hungEveryAttempt_failsTheJobNamingTheTimeout() throws Exception {
    StreamingMapper hung = mapper("hang.sh", "#!/bin/sh\nexec sleep 600\n");

    assertThatThrownBy(() -> MapReduce.exec(job(hung, Duration.ofSeconds(1)).maxTaskAttempts(1).build())
        .get(50, TimeUnit.SECONDS))
        .isInstanceOf(ExecutionException.class)
        .hasMessageContaining("task m-00000 attempt 1 made no progress for 1 s (mapreduce.task.timeout): killed");
  }

  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  void exec_slowMapperPrintingEveryHalfSecond_isNotKilled() throws Exception {
    StreamingMapper slow = mapper("slow.sh", "#!/bin/sh\ncat > /dev/null\n"
        + "i=0; while [ $i -lt 10 ]; do echo \"line $i\"; sleep 0.5; i=$((i+1)); done\n");

    MapReduce.exec(job(slow, Duration.ofSeconds(2)).maxTaskAttempts(1).build()).get(50, TimeUnit.SECONDS);

    assertThat(output()).hasSize(10).startsWith("line 0").endsWith("line 9");
  }

  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  void exec_quietMapperReportingStatusOnStderr_isNotKilled() throws Exception {
    StreamingMapper quiet = mapper("quiet.sh", "#!/bin/sh\ncat > /dev/null\n"
        + "i=0; while [ $i -lt 8 ]; do echo \"reporter:status:working $i\" >&2; sleep 0.4; i=$((i+1)); done\n"
        + "echo done\n");

    MapReduce.exec(job(quiet, Duration.ofSeconds(1)).maxTaskAttempts(1).build()).get(50, TimeUnit.SECONDS);

    assertThat(output()).containsExactly("done");
  }
}

package io.mapreduce.examples.classpath;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * An application killed with SIGKILL, which cannot close its {@code LocalCluster}, leaves no worker
 * JVM behind: each worker ends when the pipe from its parent does.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class LocalClusterLifecycleIT {
  @TempDir Path work;

  @Test
  void applicationKilled_workersExit() throws Exception {
    Path log = work.resolve("app.log");
    Process app = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx128m",
        "-cp", System.getProperty("java.class.path"), HoldsLocalCluster.class.getName())
        .redirectErrorStream(true).redirectOutput(log.toFile()).start();
    List<ProcessHandle> workers = List.of();
    try {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (!Files.readString(log).contains("ready") && app.isAlive() && System.nanoTime() < deadline) {
        Thread.sleep(50);
      }
      assertThat(Files.readString(log)).as("the application's output").contains("ready");
      workers = app.children().toList();
      assertThat(workers).as("worker JVMs").hasSize(2);

      app.destroyForcibly().waitFor(10, TimeUnit.SECONDS);

      for (ProcessHandle worker : workers) {
        assertThat(worker.onExit().completeOnTimeout(null, 30, TimeUnit.SECONDS).get())
            .as("worker %d exited within 30 s of its application", worker.pid()).isNotNull();
      }
    } finally {
      app.destroyForcibly();
      workers.forEach(ProcessHandle::destroyForcibly);
    }
  }
}

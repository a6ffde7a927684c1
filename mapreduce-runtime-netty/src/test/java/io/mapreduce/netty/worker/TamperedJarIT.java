package io.mapreduce.netty.worker;

import static org.assertj.core.api.Assertions.assertThat;

import io.mapreduce.netty.WordCountCluster;
import io.mapreduce.netty.master.Master;
import io.mapreduce.netty.protocol.JarStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Jars cached by name are hashed again before use: a jar changed on disk after it was stored (in
 * the master's store or a worker's cache) is refused and fetched again, and the job runs the code
 * its client sent.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class TamperedJarIT {
  @TempDir Path dir;
  private Master master;
  private Worker worker;

  @AfterEach
  void stop() {
    if (worker != null) {
      worker.close();
    }
    if (master != null) {
      master.close();
    }
  }

  private static List<Path> jars(Path directory) throws Exception {
    try (Stream<Path> files = Files.list(directory)) {
      return files.filter(p -> p.getFileName().toString().endsWith(".jar")).toList();
    }
  }

  /** Overwrites each jar with random bytes of its own length: a jar no class loader can open. */
  private static void tamper(List<Path> jars) throws Exception {
    Random random = new Random(7);
    for (Path jar : jars) {
      byte[] garbage = new byte[(int) Files.size(jar)];
      random.nextBytes(garbage);
      Files.write(jar, garbage);
    }
  }

  private static void assertIntact(List<Path> jars) throws Exception {
    for (Path jar : jars) {
      String name = jar.getFileName().toString();
      assertThat(JarStore.sha256(Files.readAllBytes(jar))).as(name).isEqualTo(name.substring(0, name.length() - 4));
    }
  }

  @Test
  void tamperedCachedJars_onWorkerAndMaster_refusedAndFetchedAgain_jobRunsTheClientsCode() throws Exception {
    master = Master.start(Master.Config.local());
    Path workDir = dir.resolve("worker");
    worker = Worker.start(Worker.Config.local(master.port(), 2, workDir));
    WordCountCluster wordCount = new WordCountCluster(Files.createDirectories(dir.resolve("wordcount")));
    wordCount.runAndCheck(master.port());
    List<Path> cached = jars(workDir.resolve("jars"));
    List<Path> stored = jars(master.workDirectory().resolve("jars"));
    assertThat(cached).as("the job's classes travel as jars").isNotEmpty();
    assertThat(stored).hasSameSizeAs(cached);

    // The worker's cache alone: the worker fetches from the master again.
    tamper(cached);
    wordCount.runAndCheck(master.port());
    assertIntact(cached);

    // Both: the master asks the client for the jar again, then the worker fetches it.
    tamper(cached);
    tamper(stored);
    wordCount.runAndCheck(master.port());
    assertIntact(cached);
    assertIntact(stored);
  }
}

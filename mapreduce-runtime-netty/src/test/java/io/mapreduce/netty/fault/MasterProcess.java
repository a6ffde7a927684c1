package io.mapreduce.netty.fault;

import io.mapreduce.netty.master.Master;
import io.mapreduce.netty.master.MasterState;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * A master in its own JVM, for tests that kill it: {@code MasterProcess PORT WORK_DIR READY_FILE}.
 * Heartbeats every 200 ms, workers lost after 2 s of silence; writes READY_FILE once it listens,
 * then runs until killed.
 */
public final class MasterProcess {
  private MasterProcess() {}

  public static void main(String[] args) throws Exception {
    Master m = Master.start(Master.Config.local().withPort(Integer.parseInt(args[0]))
        .withWorkDirectory(Path.of(args[1])).withSettings(FaultToleranceIT.FAST));
    Runtime.getRuntime().addShutdownHook(new Thread(m::close));
    Path ready = Path.of(args[2]);
    Path tmp = ready.resolveSibling(ready.getFileName() + ".tmp");
    Files.writeString(tmp, Long.toString(ProcessHandle.current().pid()));
    Files.move(tmp, ready, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    Thread.currentThread().join();
  }

  /** The settings the fault tests run masters with. */
  static MasterState.Settings settings(boolean backups) {
    return new MasterState.Settings(Duration.ofMillis(200), Duration.ofSeconds(2), 0.8, backups, Duration.ofMinutes(1));
  }
}

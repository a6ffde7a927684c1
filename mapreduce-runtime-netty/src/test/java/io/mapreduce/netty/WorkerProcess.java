package io.mapreduce.netty;

import io.mapreduce.netty.worker.Worker;
import java.nio.file.Path;

/**
 * A worker in its own JVM, for tests: {@code WorkerProcess MASTER_PORT SLOTS WORK_DIR [MASTER_HOST]}
 * (the master on 127.0.0.1 unless told); runs until killed.
 */
public final class WorkerProcess {
  private WorkerProcess() {}

  public static void main(String[] args) throws Exception {
    Worker.Config local = Worker.Config.local(Integer.parseInt(args[0]), Integer.parseInt(args[1]), Path.of(args[2]));
    Worker w = Worker.start(args.length < 4 ? local : new Worker.Config(args[3], local.masterPort(), local.slots(),
        local.workDirectory(), local.bindAddress(), local.shufflePort(), local.advertisedHost(), local.secret(),
        local.maxFrameBytes()));
    Runtime.getRuntime().addShutdownHook(new Thread(w::close));
    Thread.currentThread().join();
  }
}

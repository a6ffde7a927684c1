package io.mapreduce.netty;

import io.mapreduce.netty.worker.Worker;
import java.nio.file.Path;

/** A worker in its own JVM, for tests: {@code WorkerProcess MASTER_PORT SLOTS WORK_DIR}; runs until killed. */
public final class WorkerProcess {
  private WorkerProcess() {}

  public static void main(String[] args) throws Exception {
    Worker w = Worker.start(Worker.Config.local(Integer.parseInt(args[0]), Integer.parseInt(args[1]), Path.of(args[2])));
    Runtime.getRuntime().addShutdownHook(new Thread(w::close));
    Thread.currentThread().join();
  }
}

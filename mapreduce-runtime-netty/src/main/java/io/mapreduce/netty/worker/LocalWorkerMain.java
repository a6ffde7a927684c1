package io.mapreduce.netty.worker;

import io.mapreduce.netty.protocol.ClusterSecret;
import io.mapreduce.netty.protocol.ClusterTls;
import io.mapreduce.netty.protocol.Frames;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;

/**
 * The main class of a worker JVM that {@link io.mapreduce.netty.LocalCluster} starts: {@code
 * MASTER_PORT SLOTS WORK_DIRECTORY}, on loopback, with the secret and TLS of the environment (as
 * the client and the master find them). It runs until it is stopped (SIGTERM), then closes the worker.
 */
public final class LocalWorkerMain {
  private LocalWorkerMain() {}

  public static void main(String[] args) throws Exception {
    if (args.length != 3) {
      System.err.println("usage: LocalWorkerMain MASTER_PORT SLOTS WORK_DIRECTORY");
      System.exit(2);
    }
    int masterPort = Integer.parseInt(args[0]);
    int slots = Integer.parseInt(args[1]);
    Path dir = Path.of(args[2]);
    Worker worker = Worker.start(new Worker.Config("127.0.0.1", masterPort, slots, dir, "127.0.0.1", 0, "127.0.0.1",
        ClusterSecret.resolve(null), Frames.DEFAULT_MAX_FRAME_BYTES, ClusterTls.fromEnvironment()));
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      try {
        worker.close();
      } finally {
        stopped.countDown();
      }
    }, "mapreduce-worker-stop"));
    stopped.await();
  }
}

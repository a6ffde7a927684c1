package io.mapreduce.netty.worker;

import io.mapreduce.netty.protocol.ClusterSecret;
import io.mapreduce.netty.protocol.ClusterTls;
import io.mapreduce.netty.protocol.Frames;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;

/**
 * The main class of a worker JVM that {@link io.mapreduce.netty.LocalCluster} starts: {@code
 * MASTER_PORT SLOTS WORK_DIRECTORY}, on loopback, with the secret and TLS of the environment (as
 * the client and the master find them). It runs until it is stopped (SIGTERM), or until its
 * standard input, a pipe from the JVM that started it, ends: so a worker does not outlive an
 * application that died without closing its cluster. It then closes the worker.
 */
public final class LocalWorkerMain {
  private LocalWorkerMain() {}

  public static void main(String[] args) {
    Worker worker;
    try {
      if (args.length != 3) {
        throw new IllegalArgumentException("usage: LocalWorkerMain MASTER_PORT SLOTS WORK_DIRECTORY");
      }
      worker = Worker.start(new Worker.Config("127.0.0.1", Integer.parseInt(args[0]), Integer.parseInt(args[1]),
          Path.of(args[2]), "127.0.0.1", 0, "127.0.0.1", ClusterSecret.resolve(null), Frames.DEFAULT_MAX_FRAME_BYTES,
          ClusterTls.fromEnvironment()));
    } catch (Exception | Error e) {
      // One line, which LocalCluster shows from the log's last lines when a worker does not register.
      System.err.println("mapreduce: local worker did not start: " + causes(e));
      System.exit(1);
      return;
    }
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      try {
        worker.close();
      } finally {
        stopped.countDown();
      }
    }, "mapreduce-worker-stop"));
    Thread parentWatch = new Thread(() -> {
      awaitEnd(System.in);
      System.exit(0);
    }, "mapreduce-worker-parent-watch");
    parentWatch.setDaemon(true);
    parentWatch.start();
    try {
      stopped.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static void awaitEnd(InputStream in) {
    byte[] ignored = new byte[256];
    try {
      while (in.read(ignored) != -1) {
        // nothing is sent on it; only its end means something
      }
    } catch (IOException closed) {
      // ended all the same
    }
  }

  private static String causes(Throwable e) {
    StringBuilder line = new StringBuilder(String.valueOf(e));
    for (Throwable c = e.getCause(); c != null && c != c.getCause(); c = c.getCause()) {
      line.append("; caused by ").append(c);
    }
    return line.toString();
  }
}

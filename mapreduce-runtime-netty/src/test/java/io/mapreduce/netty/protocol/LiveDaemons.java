package io.mapreduce.netty.protocol;

import io.mapreduce.netty.master.Master;
import io.mapreduce.netty.worker.Worker;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A master and a worker, each in its own JVM on 127.0.0.1 with a small heap, for black-box tests
 * of what a peer can do to them: their ports, their logs, their heaps after a full GC (by
 * {@code jcmd}) and the classes they loaded. The worker may reach the master through another port
 * (a relay's). Both are killed on {@link #close}.
 *
 * <p>Also the daemons' own main: {@code LiveDaemons master READY WORK_DIR} or {@code LiveDaemons
 * worker MASTER_PORT READY WORK_DIR}, which write "pid port" (the worker: its shuffle port) to READY
 * once they listen, and run until killed.
 */
final class LiveDaemons implements AutoCloseable {
  /** The daemons' heap: small, so that an amplification would show (or kill them). */
  static final String HEAP = "-Xmx256m";

  final Process master;
  final Process worker;
  final long masterPid;
  final long workerPid;
  final int masterPort;
  final int shufflePort;
  final Path masterLog;
  final Path workerLog;

  private LiveDaemons(Process master, Process worker, long[] m, long[] w, Path masterLog, Path workerLog) {
    this.master = master;
    this.worker = worker;
    this.masterPid = m[0];
    this.masterPort = (int) m[1];
    this.workerPid = w[0];
    this.shufflePort = (int) w[1];
    this.masterLog = masterLog;
    this.workerLog = workerLog;
  }

  /** A master, and a worker that connects to it directly. */
  static LiveDaemons start(Path dir, Path logs) throws Exception {
    return start(dir, logs, null);
  }

  /**
   * A master, and a worker that connects to it through {@code relay} (given the master's port,
   * it returns the port the worker is to use), or directly when {@code relay} is null.
   */
  static LiveDaemons start(Path dir, Path logs, java.util.function.IntUnaryOperator relay) throws Exception {
    Files.createDirectories(logs);
    Path masterLog = logs.resolve("master.log");
    Path workerLog = logs.resolve("worker.log");
    Path masterReady = dir.resolve("master.ready");
    Process master = launch(masterLog, "master", masterReady.toString(), dir.resolve("master").toString());
    Process worker = null;
    try {
      long[] m = awaitReady(master, masterReady, masterLog);
      int port = relay == null ? (int) m[1] : relay.applyAsInt((int) m[1]);
      Path workerReady = dir.resolve("worker.ready");
      worker = launch(workerLog, "worker", Integer.toString(port), workerReady.toString(),
          dir.resolve("worker").toString());
      long[] w = awaitReady(worker, workerReady, workerLog);
      return new LiveDaemons(master, worker, m, w, masterLog, workerLog);
    } catch (Exception | AssertionError e) {
      master.destroyForcibly();
      if (worker != null) {
        worker.destroyForcibly();
      }
      throw e;
    }
  }

  private static Process launch(Path log, String... args) throws IOException {
    List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        HEAP, "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"),
        LiveDaemons.class.getName()));
    cmd.addAll(List.of(args));
    return new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
  }

  private static long[] awaitReady(Process p, Path ready, Path log) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (!Files.exists(ready)) {
      if (!p.isAlive() || System.nanoTime() > deadline) {
        throw new AssertionError("daemon not listening (alive: " + p.isAlive() + "); its log:\n"
            + Files.readString(log, StandardCharsets.UTF_8));
      }
      Thread.sleep(50);
    }
    String[] parts = Files.readString(ready).trim().split(" ");
    return new long[] {Long.parseLong(parts[0]), Long.parseLong(parts[1])};
  }

  /** The heap in use after a full GC, in bytes, by {@code jcmd PID GC.run} then {@code GC.heap_info}. */
  static long heapAfterGc(long pid) throws Exception {
    jcmd(pid, "GC.run");
    String info = jcmd(pid, "GC.heap_info");
    Matcher m = Pattern.compile("(?:generation|heap)\\s+total \\d+K, used (\\d+)K").matcher(info);
    long used = 0;
    boolean found = false;
    while (m.find()) {
      used += Long.parseLong(m.group(1)) << 10;
      found = true;
    }
    if (!found) {
      throw new AssertionError("no heap figures in jcmd's GC.heap_info:\n" + info);
    }
    return used;
  }

  /** Whether the JVM has loaded a class of this name, by {@code jcmd PID VM.class_hierarchy}. */
  static boolean hasLoaded(long pid, String className) throws Exception {
    return jcmd(pid, "VM.class_hierarchy").contains(className + "/");
  }

  private static String jcmd(long pid, String command) throws Exception {
    Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
        Long.toString(pid), command).redirectErrorStream(true).start();
    byte[] out = p.getInputStream().readAllBytes();
    if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
      throw new AssertionError("jcmd " + pid + " " + command + " failed: " + new String(out, StandardCharsets.UTF_8));
    }
    return new String(out, StandardCharsets.UTF_8);
  }

  /** The longest line of a log, in characters. */
  static int longestLine(Path log) throws IOException {
    int longest = 0;
    try (var lines = Files.lines(log, StandardCharsets.UTF_8)) {
      for (var it = lines.iterator(); it.hasNext(); ) {
        longest = Math.max(longest, it.next().length());
      }
    }
    return longest;
  }

  @Override
  public void close() {
    for (Process p : new Process[] {worker, master}) {
      p.destroyForcibly();
    }
    for (Process p : new Process[] {worker, master}) {
      try {
        p.waitFor(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  public static void main(String[] args) throws Exception {
    long pid = ProcessHandle.current().pid();
    Path ready;
    int port;
    if (args[0].equals("master")) {
      Master m = Master.start(Master.Config.local().withWorkDirectory(Path.of(args[2])));
      Runtime.getRuntime().addShutdownHook(new Thread(m::close));
      ready = Path.of(args[1]);
      port = m.port();
    } else {
      Worker w = Worker.start(Worker.Config.local(Integer.parseInt(args[1]), 2, Path.of(args[3])));
      Runtime.getRuntime().addShutdownHook(new Thread(w::close));
      ready = Path.of(args[2]);
      port = w.shufflePort();
    }
    Path tmp = ready.resolveSibling(ready.getFileName() + ".tmp");
    Files.writeString(tmp, pid + " " + port);
    Files.move(tmp, ready, StandardCopyOption.ATOMIC_MOVE);
    Thread.currentThread().join();
  }
}

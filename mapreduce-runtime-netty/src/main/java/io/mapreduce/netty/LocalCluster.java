package io.mapreduce.netty;

import io.mapreduce.Cluster;
import io.mapreduce.MapReduceException;
import io.mapreduce.internal.io.LocalStorage;
import io.mapreduce.internal.io.PrivateDirectories;
import io.mapreduce.netty.master.Master;
import io.mapreduce.netty.protocol.ClusterSecret;
import io.mapreduce.netty.protocol.ClusterTls;
import io.mapreduce.netty.worker.LocalWorkerMain;
import java.io.File;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.CodeSource;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * A cluster on this machine, for tests and for jobs that want the cluster's isolation (each task
 * in a worker JVM, map outputs served over the network) without machines: a master in this JVM and
 * worker JVMs, started together and stopped by {@link #close}. Use it as the specification's
 * {@link io.mapreduce.MapReduceSpecification.Builder#cluster(Cluster) cluster}; the command line's
 * {@code --local-workers N} is this.
 *
 * <p>The workers run this JVM's class path (or module path) and JVM settings (heap, collector);
 * their logs go to files in the cluster's directory (mode 0700), whose last lines are shown when a
 * worker fails to start. All use the secret the client uses: {@code MAPREDUCE_SECRET} (the workers
 * inherit the environment, which only this user can read), else this user's own; the system
 * properties the workers need ({@code mapreduce.*}, {@code aws.*}), which may hold passwords, reach
 * them in a file of mode 0600, never on their command lines, which every user of the machine can read.
 */
public final class LocalCluster implements Cluster {
  private static final long START_TIMEOUT_MILLIS = 60_000;

  private final Path root;
  private final Master master;
  private final List<Process> workers = new ArrayList<>();

  private LocalCluster(Path root, Master master) {
    this.root = root;
    this.master = master;
  }

  /**
   * Starts a master and {@code workerCount} workers, which share this machine's processors, and
   * returns once all have registered (within a minute).
   *
   * @throws IllegalArgumentException if {@code workerCount} is below 1
   * @throws MapReduceException if a worker exits or does not register in time (with its log's last lines)
   */
  public static LocalCluster start(int workerCount) throws IOException, InterruptedException {
    if (workerCount < 1) {
      throw new IllegalArgumentException("workerCount must be at least 1 but was " + workerCount);
    }
    Path root = PrivateDirectories.createTemporary("mapreduce-local-cluster-");
    // As the client finds them (ClusterEngine): the same secret and TLS, from the environment.
    Master.Config config = Master.Config.local();
    Master master;
    try {
      master = Master.start(new Master.Config(config.bindAddress(), config.port(), config.policy(),
          ClusterSecret.resolve(null), config.maxFrameBytes(), config.settings(), null, -1, ClusterTls.fromEnvironment()));
    } catch (IOException | InterruptedException | RuntimeException e) {
      LocalStorage.deleteRecursively(root);
      throw e;
    }
    LocalCluster cluster = new LocalCluster(root, master);
    try {
      int cores = Runtime.getRuntime().availableProcessors();
      int slots = Math.max(1, (cores + workerCount - 1) / workerCount);
      List<String> launch = workerLaunch();
      for (int i = 0; i < workerCount; i++) {
        cluster.startWorker(launch, i, slots);
      }
      cluster.awaitWorkers(workerCount);
      // Read by every worker JVM at its start: the passwords it may hold need not outlive that.
      Files.deleteIfExists(cluster.root.resolve(PROPERTIES_FILE));
      return cluster;
    } catch (IOException | InterruptedException | RuntimeException e) {
      cluster.close();
      throw e;
    }
  }

  /**
   * The master's CPU time so far, in one line ("master CPU 1.23 s: state 0.40 s, network 0.70 s,
   * ..."): the master runs in this JVM, whose CPU time would otherwise hide it.
   */
  public String masterCpu() {
    Map<String, Long> cpu = master.cpuNanos();
    long total = cpu.values().stream().mapToLong(Long::longValue).sum();
    StringBuilder line = new StringBuilder(String.format(java.util.Locale.ROOT, "master CPU %.2f s:", total / 1e9));
    String sep = " ";
    for (Map.Entry<String, Long> e : cpu.entrySet()) {
      line.append(sep).append(e.getKey()).append(String.format(java.util.Locale.ROOT, " %.2f s", e.getValue() / 1e9));
      sep = ", ";
    }
    return line.toString();
  }

  /** The master's address, {@code 127.0.0.1:PORT}. */
  @Override
  public String master() {
    return "127.0.0.1:" + master.port();
  }

  /** Empty: the master and the workers use the secret the client finds (see the class comment). */
  @Override
  public Optional<Path> secretFile() {
    return Optional.empty();
  }

  private void startWorker(List<String> launch, int i, int slots) throws IOException {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    // The JVM settings this JVM was given (heap, collector, compiler: JAVA_OPTS=-Xmx... bounds the
    // workers too), but agents and debugging ports, which would clash.
    for (String arg : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
      if (arg.startsWith("-Xmx") || arg.startsWith("-Xms") || arg.startsWith("-Xss") || arg.startsWith("-XX:")) {
        cmd.add(arg);
      }
    }
    // Settings the client was given as properties (--s3-path-style, an S3 endpoint, AWS settings,
    // a TLS password) hold for its workers too: in a java @argfile, as they may be secrets.
    cmd.add("@" + propertiesFile());
    cmd.addAll(launch);
    cmd.addAll(List.of(Integer.toString(master.port()), Integer.toString(slots),
        root.resolve("worker-" + i).toString()));
    Path log = root.resolve("worker-" + i + ".log");
    workers.add(new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start());
  }

  /** How a worker JVM finds {@link LocalWorkerMain}: this JVM's module path, or a class path. */
  private static List<String> workerLaunch() {
    String modulePath = System.getProperty("jdk.module.path");
    if (LocalCluster.class.getModule().isNamed() && modulePath != null && !modulePath.isEmpty()) {
      return List.of("--module-path", modulePath, "--add-modules", "ALL-MODULE-PATH",
          "-m", LocalCluster.class.getModule().getName() + "/" + LocalWorkerMain.class.getName());
    }
    return List.of("-cp", workerClassPath(), LocalWorkerMain.class.getName());
  }

  /** Classes whose jars a worker needs: the library, its relocated and its other dependencies. */
  private static final List<String> LIBRARY_CLASSES = List.of(LocalWorkerMain.class.getName(),
      "io.mapreduce.MapReduce", "io.mapreduce.thirdparty.com.google.common.base.Preconditions",
      "io.mapreduce.thirdparty.io.netty.channel.Channel", "net.jpountz.lz4.LZ4Factory", "com.github.luben.zstd.Zstd",
      "org.slf4j.LoggerFactory");

  /**
   * This JVM's class path, and the jars the library was loaded from when they are not on it: an
   * application that a class loader of its own holds (spark-submit, a servlet container) may have
   * none of them on {@code java.class.path}. The job's own classes reach the workers as shipped
   * jars either way; optional parts (S3 with the AWS SDK, a logging binding) come only from the
   * class path.
   */
  private static String workerClassPath() {
    Set<String> entries = new LinkedHashSet<>();
    for (String entry : System.getProperty("java.class.path", "").split(File.pathSeparator)) {
      if (!entry.isEmpty()) {
        entries.add(entry);
      }
    }
    for (String name : LIBRARY_CLASSES) {
      try {
        CodeSource source = Class.forName(name, false, LocalCluster.class.getClassLoader()).getProtectionDomain()
            .getCodeSource();
        if (source != null && source.getLocation() != null && "file".equals(source.getLocation().getProtocol())) {
          entries.add(Path.of(source.getLocation().toURI()).toString());
        }
      } catch (ClassNotFoundException | URISyntaxException | RuntimeException notFromAFile) {
        // not loaded from a file (nothing to add), or not there at all (the worker will say so)
      }
    }
    return String.join(File.pathSeparator, entries);
  }

  /** The client's {@code mapreduce.*} and {@code aws.*} properties as a java argument file, mode 0600. */
  private Path propertiesFile() throws IOException {
    Path file = root.resolve(PROPERTIES_FILE);
    if (!Files.exists(file)) {
      StringBuilder args = new StringBuilder();
      for (String name : System.getProperties().stringPropertyNames()) {
        if (name.startsWith("mapreduce.") || name.startsWith("aws.")) {
          args.append(quoted("-D" + name + "=" + System.getProperty(name))).append('\n');
        }
      }
      Files.writeString(Files.createFile(file, OWNER_ONLY), args);
    }
    return file;
  }

  private static final String PROPERTIES_FILE = "worker-properties.args";

  private static final FileAttribute<?> OWNER_ONLY = PosixFilePermissions.asFileAttribute(
      PosixFilePermissions.fromString("rw-------"));

  /** One argument of a java @argfile: in double quotes, in which a backslash escapes. */
  static String quoted(String arg) {
    return '"' + arg.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n").replace("\r", "\\r")
        .replace("\t", "\\t").replace("\f", "\\f") + '"';
  }

  private void awaitWorkers(int count) throws InterruptedException, IOException {
    long deadline = System.currentTimeMillis() + START_TIMEOUT_MILLIS;
    while (master.status().workers().size() < count) {
      for (int i = 0; i < workers.size(); i++) {
        if (!workers.get(i).isAlive()) {
          throw new MapReduceException("local worker " + i + " exited with status " + workers.get(i).exitValue()
              + " before registering: " + lastLines(root.resolve("worker-" + i + ".log")));
        }
      }
      if (System.currentTimeMillis() > deadline) {
        throw new MapReduceException("only " + master.status().workers().size() + " of " + count
            + " local workers registered within " + START_TIMEOUT_MILLIS / 1000 + " s");
      }
      Thread.sleep(10);
    }
  }

  private static String lastLines(Path log) throws IOException {
    List<String> lines = Files.exists(log) ? Files.readAllLines(log) : List.of();
    return String.join(" | ", lines.subList(Math.max(0, lines.size() - 5), lines.size()));
  }

  /** Stops the workers (SIGTERM, then SIGKILL after 10 s), then the master, and deletes the directory. */
  @Override
  public void close() {
    for (Process p : workers) {
      p.destroy();
    }
    for (Process p : workers) {
      try {
        if (!p.waitFor(10, TimeUnit.SECONDS)) {
          p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
      } catch (InterruptedException e) {
        p.destroyForcibly();
        Thread.currentThread().interrupt();
      }
    }
    master.close();
    LocalStorage.deleteRecursively(root);
  }
}

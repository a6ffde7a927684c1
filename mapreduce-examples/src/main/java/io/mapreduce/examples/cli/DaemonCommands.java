package io.mapreduce.examples.cli;

import io.mapreduce.thirdparty.com.google.common.net.HostAndPort;
import io.mapreduce.internal.io.LocalStorage;
import io.mapreduce.internal.io.PrivateDirectories;
import io.mapreduce.netty.master.HealthServer;
import io.mapreduce.netty.master.Master;
import io.mapreduce.netty.master.MasterState;
import io.mapreduce.netty.master.SchedulingPolicy;
import io.mapreduce.netty.master.StatusPageAccess;
import io.mapreduce.netty.protocol.ClusterSecret;
import io.mapreduce.netty.protocol.ClusterTls;
import io.mapreduce.netty.protocol.Frames;
import io.mapreduce.netty.worker.Worker;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Option;

/** The daemons: {@code mapreduce master} and {@code mapreduce worker}. Both stop cleanly on SIGTERM. */
final class DaemonCommands {
  private DaemonCommands() {}

  private static ClusterTls tls(CommandSpec spec, Path keystore) {
    try {
      return ClusterTls.resolve(keystore);
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), e.getMessage());
    }
  }

  private static final String HEALTH_PORT_HELP = "Answer probes on --bind at this port: GET /healthz (200 while "
      + "alive) and GET /readyz (200 when ready, else 503), nothing else (default: none).";

  /**
   * Starts the health endpoint on {@code bind}:{@code port}, or returns null when {@code port} is
   * null. Started before the daemon, so that a slow start (a master reading its journal) is alive
   * and not ready rather than unanswered.
   */
  private static HealthServer health(CommandSpec spec, String bind, Integer port, BooleanSupplier ready)
      throws InterruptedException {
    if (port == null) {
      return null;
    }
    if (port < 0 || port > 65535) {
      throw new ParameterException(spec.commandLine(), "--health-port must be in 0..65535, was " + port);
    }
    return HealthServer.start(bind, port, ready);
  }

  /** Closes {@code health} if there is one (the daemon did not start, or stopped). */
  private static void close(HealthServer health) {
    if (health != null) {
      health.close();
    }
  }

  /** Runs until the JVM is asked to stop, then closes the daemon. */
  private static int runUntilStopped(AutoCloseable daemon) throws InterruptedException {
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      try {
        daemon.close();
      } catch (Exception ignored) {
        // exiting anyway
      } finally {
        stopped.countDown();
      }
    }, "mapreduce-daemon-stop"));
    stopped.await();
    return 0;
  }

  @Command(name = "master", mixinStandardHelpOptions = true,
      description = "Starts a master that runs jobs submitted with --cluster HOST:PORT until it is stopped. "
          + "Jobs run concurrently, first come first served for free slots.")
  static final class MasterCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--port", defaultValue = "7077", description = "Port for workers and clients (default: ${DEFAULT-VALUE}).")
    int port;

    @Option(names = "--bind", defaultValue = "127.0.0.1", paramLabel = "ADDR",
        description = "Address to listen on (default: ${DEFAULT-VALUE}; another needs a cluster secret).")
    String bind;

    @Option(names = "--http-port", defaultValue = "8080", paramLabel = "PORT",
        description = "Port of the status page (HTML at /, JSON at /api/status; default: ${DEFAULT-VALUE}; -1: none).")
    int httpPort;

    @Option(names = "--http-bind", defaultValue = "127.0.0.1", paramLabel = "ADDR",
        description = "Address of the status page (default: ${DEFAULT-VALUE}, whatever --bind is; another needs "
            + "--http-auth-file).")
    String httpBind;

    @Option(names = "--http-auth-file", paramLabel = "FILE",
        description = "Ask status page readers for the token in FILE (mode 0600, 16+ characters): as "
            + "'Authorization: Bearer TOKEN', or as the password of HTTP Basic (any user name).")
    Path httpAuthFile;

    @Option(names = "--http-host", paramLabel = "NAME",
        description = "A host name the status page answers to besides localhost and its addresses (repeatable; "
            + "requests naming other hosts are refused, against DNS rebinding).")
    java.util.List<String> httpHosts = new java.util.ArrayList<>();

    @Option(names = "--scheduler", defaultValue = "card-dealing",
        description = "card-dealing, pairwise or load-aware (default: ${DEFAULT-VALUE}).")
    String scheduler;

    @Option(names = "--secret-file", paramLabel = "FILE",
        description = "The cluster secret (default: $MAPREDUCE_SECRET, else this user's own secret: loopback only).")
    Path secretFile;

    @Option(names = "--work-dir", paramLabel = "DIR",
        description = "Where the master keeps the jars clients send, mode 0700 (default: a new private directory "
            + "under $TMPDIR, removed on exit).")
    Path workDirectory;

    @Option(names = "--tls-keystore", paramLabel = "FILE",
        description = "Encrypt every connection with TLS, with this PKCS#12 keystore shared by the cluster "
            + "(password: $MAPREDUCE_TLS_PASSWORD; default: $MAPREDUCE_TLS_KEYSTORE, else no TLS).")
    Path tlsKeystore;

    @Option(names = "--backup-tasks", negatable = true, defaultValue = "true", fallbackValue = "true",
        description = "Give a task far slower than its peers near the end of a phase a backup attempt on another "
            + "worker; the first to finish wins (default: on).")
    boolean backupTasks;

    @Option(names = "--no-worker-timeout", defaultValue = "60", paramLabel = "SECONDS",
        description = "Running jobs fail after this long without any worker (default: ${DEFAULT-VALUE}).")
    int noWorkerTimeout;

    @Option(names = "--heartbeat-timeout", defaultValue = "10", paramLabel = "SECONDS",
        description = "A worker silent this long is lost (default: ${DEFAULT-VALUE}).")
    int heartbeatTimeout;

    @Option(names = "--health-port", paramLabel = "PORT", description = HEALTH_PORT_HELP
        + " Ready: listening for workers and clients.")
    Integer healthPort;

    @Override
    public Integer call() throws Exception {
      SchedulingPolicy policy;
      try {
        policy = SchedulingPolicy.named(scheduler);
      } catch (IllegalArgumentException e) {
        throw new ParameterException(spec.commandLine(), e.getMessage());
      }
      MasterState.Settings settings = new MasterState.Settings(Duration.ofSeconds(1),
          Duration.ofSeconds(heartbeatTimeout), 0.8, backupTasks, Duration.ofSeconds(noWorkerTimeout));
      Master.Config config = new Master.Config(bind, port, policy, ClusterSecret.resolve(secretFile),
          Frames.DEFAULT_MAX_FRAME_BYTES, settings,
          workDirectory, httpPort,
          tls(spec, tlsKeystore)).withStatusPage(statusPage());
      AtomicReference<Master> started = new AtomicReference<>();
      HealthServer health = health(spec, bind, healthPort, () -> started.get() != null && started.get().listening());
      Master master;
      try {
        master = Master.start(config);
      } catch (Exception | Error e) {
        close(health);
        throw e;
      }
      started.set(master);
      System.err.println("mapreduce: master listening on " + bind + ":" + master.port() + " (scheduler "
          + policy.name() + ")" + (master.httpPort() < 0 ? "" : ", status page on http://"
          + (httpBind.indexOf(':') >= 0 ? "[" + httpBind + "]" : httpBind) + ":" + master.httpPort() + "/")
          + (health == null ? "" : ", health on port " + health.port()));
      return runUntilStopped(() -> {
        master.close();
        close(health);
      });
    }

    private StatusPageAccess statusPage() {
      try {
        return StatusPageAccess.of(httpBind, httpAuthFile, httpHosts);
      } catch (IllegalArgumentException e) {
        throw new ParameterException(spec.commandLine(), e.getMessage());
      } catch (java.io.IOException e) {
        throw new ParameterException(spec.commandLine(), "cannot read the status page token file " + httpAuthFile
            + ": " + e);
      }
    }
  }

  @Command(name = "worker", mixinStandardHelpOptions = true,
      description = "Starts a worker that runs tasks for the master until it is stopped.")
  static final class WorkerCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--master", required = true, paramLabel = "HOST:PORT", description = "The master's address.")
    String master;

    @Option(names = "--slots", paramLabel = "N", description = "Tasks run at once (default: available processors).")
    Integer slots;

    @Option(names = "--work-dir", paramLabel = "DIR",
        description = "Where map outputs and cached jars live, mode 0700 (default: a new private directory under "
            + "$TMPDIR, removed on exit).")
    Path workDirectory;

    @Option(names = "--shuffle-port", defaultValue = "0", paramLabel = "P",
        description = "Port reducers fetch map outputs from (default: a free one, announced to the master).")
    int shufflePort;

    @Option(names = "--bind", defaultValue = "127.0.0.1", paramLabel = "ADDR",
        description = "Address the shuffle port listens on (default: ${DEFAULT-VALUE}; another needs a cluster secret).")
    String bind;

    @Option(names = "--location", paramLabel = "TEXT",
        description = "Where this worker runs, as the status page shows it (such as 'ec2 i-0abc eu-west-1a'; at most "
            + "200 printable characters; launchers set it).")
    String location;

    @Option(names = "--advertise", paramLabel = "HOST",
        description = "Host name other machines reach this worker by (default: the bind address, or this host's name).")
    String advertise;

    @Option(names = "--secret-file", paramLabel = "FILE",
        description = "The cluster secret (default: $MAPREDUCE_SECRET, else this user's own secret: loopback only).")
    Path secretFile;

    @Option(names = "--tls-keystore", paramLabel = "FILE",
        description = "Encrypt every connection with TLS, with this PKCS#12 keystore shared by the cluster "
            + "(password: $MAPREDUCE_TLS_PASSWORD; default: $MAPREDUCE_TLS_KEYSTORE, else no TLS).")
    Path tlsKeystore;

    @Option(names = "--health-port", paramLabel = "PORT", description = HEALTH_PORT_HELP
        + " Ready: registered with the master.")
    Integer healthPort;

    @Override
    public Integer call() throws Exception {
      HostAndPort m;
      try {
        m = HostAndPort.fromString(master);
      } catch (IllegalArgumentException e) {
        m = null;
      }
      if (m == null || !m.hasPort()) {
        throw new ParameterException(spec.commandLine(), "--master must be HOST:PORT but was '" + master + "'");
      }
      String host = advertise != null ? advertise
          : InetAddress.getByName(bind).isAnyLocalAddress() ? InetAddress.getLocalHost().getHostName() : bind;
      ClusterSecret secret = ClusterSecret.resolve(secretFile);
      // Before anything is made: a worker with no secret of its cluster's takes jobs from loopback only.
      secret.checkCanConnectTo(m.getHost(), m.getPort(), "take jobs from the master at");
      // Unpredictable, so that another user cannot make it first.
      Path dir = workDirectory != null ? workDirectory : PrivateDirectories.createTemporary("mapreduce-worker-");
      int n = slots != null ? slots : Runtime.getRuntime().availableProcessors();
      Worker.Config config;
      try {
        config = new Worker.Config(m.getHost(), m.getPort(), n, dir, bind, shufflePort, host,
            secret, Frames.DEFAULT_MAX_FRAME_BYTES, tls(spec, tlsKeystore)).withLocation(location);
      } catch (IllegalArgumentException e) {
        throw new ParameterException(spec.commandLine(), "--location: " + e.getMessage());
      }
      AtomicReference<Worker> started = new AtomicReference<>();
      HealthServer health = health(spec, bind, healthPort, () -> started.get() != null && started.get().registered());
      Worker worker;
      try {
        worker = Worker.start(config);
      } catch (Exception | Error e) {
        close(health);
        throw e;
      }
      started.set(worker);
      System.err.println("mapreduce: worker with " + n + " slots, map outputs served on " + bind + ":"
          + worker.shufflePort() + ", master " + master + (health == null ? "" : ", health on port " + health.port()));
      return runUntilStopped(() -> {
        worker.close();
        close(health);
        if (workDirectory == null) {
          LocalStorage.deleteRecursively(dir);
        }
      });
    }
  }

  @Command(name = "secret", mixinStandardHelpOptions = true,
      description = "Makes a cluster secret: 32 random bytes in hex, printed, or written to a new file of mode 0600 "
          + "for --secret-file.")
  static final class SecretCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--out", paramLabel = "FILE", description = "Write it to this new file (never overwritten).")
    Path out;

    @Override
    public Integer call() throws IOException {
      if (out == null) {
        spec.commandLine().getOut().println(ClusterSecret.generate());
        spec.commandLine().getOut().flush();
        return 0;
      }
      try {
        ClusterSecret.writeNew(out);
      } catch (FileAlreadyExistsException e) {
        throw new ParameterException(spec.commandLine(), out + " exists: a cluster secret is never overwritten");
      }
      spec.commandLine().getErr().println("mapreduce: wrote a new cluster secret to " + out + " (mode 0600)");
      return 0;
    }
  }
}

package io.mapreduce.launcher;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * The nodes of an ssh cluster as its state describes them, and what is done to them over ssh:
 * every step runs on all hosts at once, each with a deadline, and prints one line per host,
 * prefixed {@code [host]}. A step that fails on any host fails with one line per failing host,
 * naming the host and the step.
 */
final class SshNodes {
  private static final Duration PROBE = Duration.ofSeconds(60);
  private static final Duration COPY = Duration.ofMinutes(10);
  private static final Duration INSTALL = Duration.ofMinutes(10);
  private static final Duration SHORT = Duration.ofSeconds(60);
  static final int STOP_GRACE_SECONDS = 10;
  /** How often a launcher waiting for the master it started asks whether the daemon still runs. */
  private static final Duration CHECK_INTERVAL = Duration.ofSeconds(2);

  private final ClusterState state;
  private final PrintStream progress;
  private final NodeLayout layout;
  private final Ssh ssh;
  /** Node name to host, master first. */
  private final Map<String, String> nodes = new LinkedHashMap<>();
  /**
   * Node name to the address the daemons know it by: its host unless the state says
   * {@code node.NAME.internal} (an EC2 instance's private address, where ssh reaches its public one).
   */
  private final Map<String, String> internal = new LinkedHashMap<>();

  SshNodes(ClusterState state, PrintStream progress) {
    this.state = state;
    this.progress = progress;
    this.layout = new NodeLayout(state.require("remote.dir"), state.name());
    String identity = state.get("ssh.identity");
    this.ssh = new Ssh(state.get("ssh.user"), identity == null ? null : Path.of(identity),
        Integer.parseInt(state.require("ssh.port")), state.knownHosts(),
        Duration.ofSeconds(Long.parseLong(state.require("ssh.connectTimeoutSeconds"))));
    for (String node : state.require("nodes").split(",")) {
      nodes.put(node, state.require("node." + node));
      internal.put(node, java.util.Objects.requireNonNullElse(state.get("node." + node + ".internal"), nodes.get(node)));
    }
  }

  Map<String, String> nodes() {
    return nodes;
  }

  private Set<String> hosts() {
    return new LinkedHashSet<>(nodes.values());
  }

  private String masterHost() {
    return nodes.get("master");
  }

  MasterStatus masterStatus() throws IOException {
    return new MasterStatus(masterHost(), Integer.parseInt(state.require("master.httpPort")), state.token());
  }

  /** On every host: Java there (or installed), the jar there (or copied), the nodes' secrets written. */
  void prepareHosts(Path jar, String sha, boolean installJava) throws InterruptedException, IOException {
    String secret = state.secret();
    String token = state.token();
    onEach(hosts(), host -> {
      Ssh.Result probe = ssh.run(host, RemoteScripts.probe(layout.jar(sha)), null, PROBE);
      check(probe, "reaching the host");
      markReached(host);
      if (probe.out().contains("java none")) {
        if (!installJava) {
          throw new StepFailedException(host + ": no Java 17 or newer, and installing it is not allowed (allow it with"
              + " --install-java)");
        }
        progress.println("[" + host + "] installing Java");
        check(ssh.run(host, RemoteScripts.findJava(true) + "echo \"java $java\"\n", null, INSTALL), "installing Java");
      }
      if (probe.out().contains("jar absent")) {
        progress.println("[" + host + "] copying the jar (" + Files.size(jar) / 1024 + " KiB, " + sha.substring(0, 12)
            + ")");
        try (InputStream in = Files.newInputStream(jar)) {
          check(ssh.run(host, RemoteScripts.receiveJar(layout.jars(), sha), in, COPY), "copying the jar");
        }
      } else {
        progress.println("[" + host + "] jar present (" + sha.substring(0, 12) + ")");
      }
      for (Map.Entry<String, String> node : nodes.entrySet()) {
        if (node.getValue().equals(host)) {
          check(ssh.run(host, RemoteScripts.writeSecrets(layout.nodeDir(node.getKey())),
              SshLauncher.lines(secret, token), SHORT), "writing the secret of " + node.getKey());
        }
      }
      return null;
    });
  }

  /**
   * Writes every node's secret and status token, retrying each host until its ssh answers or
   * {@code wait} runs out: for machines just made, whose sshd may not listen yet.
   */
  void writeSecretsWhenReachable(Duration wait) throws InterruptedException, IOException {
    String secret = state.secret();
    String token = state.token();
    long deadline = System.nanoTime() + wait.toNanos();
    onEach(new ArrayList<>(nodes.keySet()), node -> {
      String host = nodes.get(node);
      while (true) {
        Ssh.Result r = ssh.run(host, RemoteScripts.writeSecrets(layout.nodeDir(node)), SshLauncher.lines(secret, token),
            SHORT);
        boolean unreachable = r.exitCode() == 255 || r.exitCode() == Ssh.TIMED_OUT;
        if (r.ok() || !unreachable || System.nanoTime() > deadline) {
          check(r, "writing the secret of " + node);
          progress.println("[" + host + "] " + node + ": secret written");
          return null;
        }
        Thread.sleep(2_000);
      }
    });
  }


  /** Starts these nodes' daemons where they do not run, all at once. */
  void start(List<String> which) throws InterruptedException {
    String jar = layout.jar(state.require("jar.sha256"));
    boolean install = Boolean.parseBoolean(state.get("installJava"));
    List<String> javaOptions = options(state.get("java.options"));
    int masterPort = Integer.parseInt(state.require("master.port"));
    String slots = state.get("worker.slots");
    onEach(which, node -> {
      String host = nodes.get(node);
      List<String> args = node.equals("master")
          ? layout.masterArgs(node, masterPort, Integer.parseInt(state.require("master.httpPort")), host)
          : layout.workerArgs(node, internal.get("master"), masterPort, internal.get(node),
              slots == null ? null : Integer.valueOf(slots), state.require("provider") + " " + host);
      Ssh.Result r = ssh.run(host, RemoteScripts.start(layout.nodeDir(node), jar, javaOptions, args, install), null,
          install ? INSTALL : SHORT);
      check(r, "starting " + node);
      progress.println("[" + host + "] " + node + ": " + r.out().strip().replace('\n', ' '));
      return null;
    });
  }

  private static List<String> options(String value) {
    return value == null || value.isBlank() ? List.of() : Arrays.asList(value.strip().split("\\s+"));
  }

  /** Waits until the master's status endpoint answers; else fails with the end of its log. */
  void awaitMaster(MasterStatus master, Duration timeout) throws InterruptedException, IOException {
    awaitMaster(master, timeout, false);
  }

  /**
   * As {@link #awaitMaster(MasterStatus, Duration)}, for a master this launcher started: fails as
   * soon as its daemon is gone rather than at the timeout. The start script sees a daemon that
   * exits within its first second; on a busy host a JVM may take longer to find its port taken.
   */
  void awaitStartedMaster(MasterStatus master, Duration timeout) throws InterruptedException, IOException {
    awaitMaster(master, timeout, true);
  }

  private void awaitMaster(MasterStatus master, Duration timeout, boolean failIfGone)
      throws InterruptedException, IOException {
    long deadline = System.nanoTime() + timeout.toNanos();
    long nextCheck = System.nanoTime() + CHECK_INTERVAL.toNanos();
    IOException last = null;
    while (System.nanoTime() < deadline) {
      try {
        master.workers();
        return;
      } catch (IOException e) {
        last = e;
      }
      if (failIfGone && System.nanoTime() > nextCheck) {
        Ssh.Result r = ssh.run(masterHost(), RemoteScripts.status(layout.nodeDir("master")), null, SHORT);
        if (r.ok() && r.out().strip().equals("not running")) {
          throw new StepFailedException(masterHost() + ": starting master: the daemon exited at once; its log ends: "
              + logTail("master", 5));
        }
        nextCheck = System.nanoTime() + CHECK_INTERVAL.toNanos();
      }
      Thread.sleep(250);
    }
    throw new StepFailedException(masterHost() + ": the master did not answer at " + master.address() + " within "
        + timeout.toSeconds() + " s (" + (last == null ? "" : last.getMessage()) + "); its log ends: "
        + logTail("master", 5));
  }

  /** Waits until a worker of every worker node's host has registered; else names those missing, with their logs' ends. */
  void awaitWorkers(MasterStatus master, Duration timeout) throws InterruptedException, IOException {
    long deadline = System.nanoTime() + timeout.toNanos();
    List<String> missing = missingWorkers(master);
    while (!missing.isEmpty() && System.nanoTime() < deadline) {
      Thread.sleep(250);
      missing = missingWorkers(master);
    }
    if (!missing.isEmpty()) {
      List<String> lines = new ArrayList<>();
      for (String node : missing) {
        lines.add(nodes.get(node) + ": " + node + " never registered with the master within " + timeout.toSeconds()
            + " s; its log ends: " + logTail(node, 5));
      }
      throw new StepFailedException(String.join("\n", lines));
    }
  }

  /** The worker nodes not registered. */
  List<String> missingWorkers(MasterStatus master) throws IOException, InterruptedException {
    Map<String, String> registered = registeredWorkers(master);
    return nodes.keySet().stream().filter(n -> !n.equals("master") && !registered.containsKey(n)).toList();
  }

  /**
   * The registered worker nodes, each with where it says it runs ("" if it says nothing): a node
   * counts once per registered worker advertising its host.
   */
  Map<String, String> registeredWorkers(MasterStatus master) throws IOException, InterruptedException {
    List<MasterStatus.Registered> registered = new ArrayList<>(master.workers());
    Map<String, String> found = new LinkedHashMap<>();
    for (String node : nodes.keySet()) {
      if (node.equals("master")) {
        continue;
      }
      for (java.util.Iterator<MasterStatus.Registered> it = registered.iterator(); it.hasNext(); ) {
        MasterStatus.Registered r = it.next();
        if (r.host().equals(internal.get(node))) {
          found.put(node, r.location() == null ? "" : r.location());
          it.remove();
          break;
        }
      }
    }
    return found;
  }

  /** Each node's state on its host: {@code running PID}, {@code not running}, or why the host did not say. */
  Map<String, String> processes() throws InterruptedException {
    Map<String, String> out = new java.util.concurrent.ConcurrentHashMap<>();
    onEachQuietly(new ArrayList<>(nodes.keySet()), node -> {
      Ssh.Result r = ssh.run(nodes.get(node), RemoteScripts.status(layout.nodeDir(node)), null, SHORT);
      out.put(node, r.ok() ? r.out().strip() : "unreachable (" + r.failure("status") + ")");
      return null;
    });
    return out;
  }

  /** The last lines of a node's log, on one line; or why they could not be read. */
  String logTail(String node, int lines) throws InterruptedException {
    Ssh.Result r = ssh.run(nodes.get(node), RemoteScripts.tail(layout.nodeDir(node), lines), null, SHORT);
    return r.ok() ? r.out().strip().replace('\n', '|') : "(" + r.failure("reading the log") + ")";
  }

  /** Prints a node's log's last lines. */
  void printLog(String node, int lines, PrintStream out) throws InterruptedException {
    String host = nodes.get(node);
    if (host == null) {
      throw new IllegalArgumentException("cluster " + state.name() + " has no node " + node + " (it has "
          + String.join(", ", nodes.keySet()) + ")");
    }
    Ssh.Result r = ssh.run(host, RemoteScripts.tail(layout.nodeDir(node), lines), null, SHORT);
    check(r, "reading the log of " + node);
    for (String line : r.out().split("\n", -1)) {
      if (!line.isEmpty()) {
        out.println("[" + node + " " + host + "] " + line);
      }
    }
  }

  /**
   * Stops every node (all at once: a worker that sees its master go first only tries to reconnect
   * until it stops; SIGTERM, SIGKILL after a grace) and removes the cluster's directory from every
   * host whose nodes all stopped: where a stop failed, the pid file stays, so that a later
   * {@code down} still finds the daemon. Fails, naming the hosts and steps, if any failed: the
   * state stays, so that {@code down} can be run again.
   */
  void down() throws InterruptedException {
    Duration stop = Duration.ofSeconds(STOP_GRACE_SECONDS + 30);
    // A host no up ever reached holds nothing of the cluster: that it cannot be reached now is no failure.
    Set<String> unreached = java.util.concurrent.ConcurrentHashMap.newKeySet();
    Set<String> stopped = java.util.concurrent.ConcurrentHashMap.newKeySet();
    List<String> failures = new ArrayList<>(onEachQuietly(new ArrayList<>(nodes.keySet()), node -> {
      Ssh.Result r = ssh.run(nodes.get(node), RemoteScripts.stop(layout.nodeDir(node), STOP_GRACE_SECONDS), null,
          stop);
      if (neverReached(nodes.get(node), r)) {
        unreached.add(nodes.get(node));
        return null;
      }
      check(r, "stopping " + node);
      stopped.add(node);
      progress.println("[" + nodes.get(node) + "] " + node + ": " + r.out().strip());
      return null;
    }));
    List<String> clean = hosts().stream().filter(host -> !unreached.contains(host) && nodes.entrySet().stream()
        .filter(n -> n.getValue().equals(host)).allMatch(n -> stopped.contains(n.getKey()))).toList();
    failures.addAll(onEachQuietly(clean, host -> {
      check(ssh.run(host, RemoteScripts.removeClusterDir(layout.clusterDir()), null, SHORT),
          "removing " + layout.clusterDir());
      return null;
    }));
    if (!failures.isEmpty()) {
      throw new StepFailedException(String.join("\n", failures));
    }
    for (String host : unreached) {
      progress.println("[" + host + "] not reachable, and no up ever reached it: nothing of the cluster is there");
    }
  }

  /**
   * Records that an {@code up} reached the host (so that {@code down} must reach it too). States
   * from before this record was kept have no {@code reached} key: every host counts as reached.
   */
  private void markReached(String host) throws IOException {
    synchronized (state) {
      Set<String> reached = reached();
      if (reached.add(host)) {
        state.set("reached", String.join(",", reached));
        state.save();
      }
    }
  }

  private Set<String> reached() {
    String list = state.get("reached");
    return list == null || list.isEmpty() ? new LinkedHashSet<>() : new LinkedHashSet<>(Arrays.asList(list.split(",")));
  }

  /** Whether the step failed for want of the host, and no up ever reached it. */
  private boolean neverReached(String host, Ssh.Result r) {
    boolean unreachable = r.exitCode() == 255 || r.exitCode() == Ssh.TIMED_OUT;
    synchronized (state) {
      return unreachable && state.get("reached") != null && !reached().contains(host);
    }
  }

  private static void check(Ssh.Result r, String step) {
    if (!r.ok()) {
      throw new StepFailedException(r.failure(step));
    }
  }

  interface Step<T> {
    Void run(T item) throws Exception;
  }

  /** Runs the step on every item at once; fails with one line per failed item. */
  private <T> void onEach(java.util.Collection<T> items, Step<T> step) throws InterruptedException {
    List<String> failures = onEachQuietly(items, step);
    if (!failures.isEmpty()) {
      throw new StepFailedException(String.join("\n", failures));
    }
  }

  private <T> List<String> onEachQuietly(java.util.Collection<T> items, Step<T> step) throws InterruptedException {
    ExecutorService pool = Executors.newFixedThreadPool(Math.max(1, Math.min(items.size(), 64)), r -> {
      Thread t = new Thread(r, "mapreduce-launcher-step");
      t.setDaemon(true);
      return t;
    });
    try {
      List<Future<Void>> futures = new ArrayList<>();
      for (T item : items) {
        futures.add(pool.submit((Callable<Void>) () -> step.run(item)));
      }
      List<String> failures = new ArrayList<>();
      for (Future<Void> f : futures) {
        try {
          f.get();
        } catch (ExecutionException e) {
          Throwable c = e.getCause();
          failures.add(c instanceof StepFailedException ? c.getMessage()
              : c instanceof UncheckedIOException u ? u.getMessage() : c.toString());
        }
      }
      return failures;
    } finally {
      pool.shutdownNow();
    }
  }
}

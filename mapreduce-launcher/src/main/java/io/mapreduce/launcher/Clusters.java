package io.mapreduce.launcher;

import io.mapreduce.Cluster;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Clusters launched from this machine, by name, as the per-user state directory remembers them:
 * attach to one, report on it, read its logs, take it down.
 */
public final class Clusters {
  private Clusters() {}

  /** A handle on the named cluster that leaves it running when closed. */
  public static Cluster attach(String name) throws IOException {
    return attach(ClusterState.root(), name);
  }

  public static Cluster attach(Path stateRoot, String name) throws IOException {
    return handle(state(stateRoot, name), null);
  }

  /** What takes a launched cluster down: the launcher's own {@code down}, with its own settings. */
  @FunctionalInterface
  public interface Teardown {
    void down() throws IOException, InterruptedException;
  }

  /**
   * A launcher's {@code launch()}: a cluster of its own, never one of the name that is already
   * there (a transient job would take it down when it ends); brought up by {@code up}, and if that
   * fails, what it made is taken down before the failure is thrown. The handle's {@code close()}
   * runs {@code down}.
   */
  public static Cluster launchOwn(Path root, String name, PrintStream progress, Teardown up, Teardown down)
      throws IOException, InterruptedException {
    if (ClusterState.open(root, name).isPresent()) {
      throw new IllegalStateException("a cluster named '" + name + "' is already there (state in " + root.resolve(name)
          + "): launch() starts a cluster of its own; attach to that one with Clusters.attach, or take it down");
    }
    try {
      up.down();
    } catch (IOException | InterruptedException | RuntimeException | Error e) {
      try {
        if (ClusterState.open(root, name).isPresent()) {
          progress.println("cluster " + name + " did not come up: taking down what was made of it");
          down.down();
        }
      } catch (Exception suppressed) {
        e.addSuppressed(suppressed);
      }
      throw e;
    }
    return handle(state(root, name), down);
  }

  static Cluster handle(ClusterState state, Teardown onClose) {
    String master = NodeLayout.hostPort(state.require("master.host"), Integer.parseInt(state.require("master.port")));
    Path secret = state.secretFile();
    String name = state.name();
    return new Cluster() {
      @Override
      public String master() {
        return master;
      }

      @Override
      public Optional<Path> secretFile() {
        return Optional.of(secret);
      }

      @Override
      public void close() {
        if (onClose == null) {
          return;
        }
        try {
          onClose.down();
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IllegalStateException("interrupted while taking cluster " + name + " down", e);
        }
      }

      @Override
      public String toString() {
        return "cluster " + name + " (master " + master + ")";
      }
    };
  }

  private static ClusterState state(Path root, String name) throws IOException {
    return ClusterState.open(root, name).orElseThrow(() -> new IllegalArgumentException("no cluster named '" + name
        + "' was launched from here (state directory " + root + ")"));
  }

  /**
   * Prints every node (role, host, provider, process, registration) and returns true if every one
   * runs and every worker is registered with the master.
   */
  public static boolean status(Path root, String name, PrintStream out) throws IOException, InterruptedException {
    ClusterState state = state(root, name);
    SshNodes nodes = new SshNodes(state, out);
    Map<String, String> processes = nodes.processes();
    Map<String, String> registered;
    String masterAnswer;
    MasterStatus master = nodes.masterStatus();
    try {
      registered = nodes.registeredWorkers(master);
      masterAnswer = "answers at " + master.address();
    } catch (IOException e) {
      registered = null;
      masterAnswer = "does not answer at " + master.address() + " (" + e.getMessage() + ")";
    }
    boolean healthy = registered != null;
    out.printf("cluster %s (provider %s): master %s%n", name, state.require("provider"), masterAnswer);
    String row = "%-12s %-7s %-24s %-9s %-28s %-10s %s%n";
    out.printf(row, "NODE", "ROLE", "HOST", "PROVIDER", "PROCESS", "REGISTERED", "RUNS ON (as the worker says)");
    for (Map.Entry<String, String> node : nodes.nodes().entrySet()) {
      String process = processes.getOrDefault(node.getKey(), "unknown");
      boolean isMaster = node.getKey().equals("master");
      String where = registered == null ? null : registered.get(node.getKey());
      String isRegistered = isMaster ? "-" : registered == null ? "unknown" : where == null ? "no" : "yes";
      healthy &= process.startsWith("running") && (isMaster || where != null);
      out.printf(row, node.getKey(), isMaster ? "master" : "worker", node.getValue(), state.require("provider"),
          process, isRegistered, where == null || where.isEmpty() ? "-" : where);
    }
    return healthy;
  }

  /** Prints the last lines of one node's log, or of every node's. */
  public static void logs(Path root, String name, String node, int lines, PrintStream out)
      throws IOException, InterruptedException {
    SshNodes nodes = new SshNodes(state(root, name), out);
    for (String n : node != null ? List.of(node) : List.copyOf(nodes.nodes().keySet())) {
      nodes.printLog(n, lines, out);
    }
  }

  /** Stops every daemon and removes what {@code up} made on the hosts, then forgets the cluster here. */
  public static void down(Path root, String name, PrintStream progress) throws IOException, InterruptedException {
    ClusterState state = state(root, name);
    try (ClusterState.Lock lock = state.lock("down")) {
      if ("ec2".equals(state.get("provider"))) {
        // Its machines go whole: terminated by tag, not stopped over ssh (a lost spot worker answers no ssh).
        io.mapreduce.launcher.ec2.Ec2Launcher.down(root, name, progress);
        return;
      }
      if (state.get("nodes") != null) {
        new SshNodes(state, progress).down();
      }
      state.delete();
    }
    progress.println("cluster " + name + " is down: no daemon runs, its directories are removed, and this machine"
        + " forgot it");
  }

  /** The state directory clusters are remembered in. */
  public static Path stateRoot() {
    return ClusterState.root();
  }
}

package io.mapreduce.launcher;

import io.mapreduce.Cluster;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A cluster on machines a provider made itself (EC2 instances), for the providers in this
 * package's sub-packages: once the machines run, their nodes are an ssh cluster's, laid out as
 * {@link NodeLayout} says, so that {@code cluster status}, {@code logs} and the secrets go over
 * ssh as for the {@code ssh} provider. A node has two addresses: the one ssh reaches from this
 * machine, and the one the daemons know each other by (they differ across a NAT, as an
 * instance's public and private addresses do). Not an API for applications.
 */
public final class ProvisionedCluster {
  private final ClusterState state;
  private final PrintStream progress;

  private ProvisionedCluster(ClusterState state, PrintStream progress) {
    this.state = state;
    this.progress = progress;
  }

  /** The named cluster's state, made (with a new secret and status token) if there is none yet. */
  public static ProvisionedCluster openOrCreate(Path stateRoot, String name, PrintStream progress) throws IOException {
    return new ProvisionedCluster(ClusterState.openOrCreate(stateRoot, name), progress);
  }

  /** The named cluster's state, if it was launched from here. */
  public static Optional<ProvisionedCluster> open(Path stateRoot, String name, PrintStream progress)
      throws IOException {
    return ClusterState.open(stateRoot, name).map(s -> new ProvisionedCluster(s, progress));
  }

  /** A node: the address ssh reaches from here, and the one the other daemons reach it at. */
  public record Node(String sshAddress, String internalAddress) {}

  /** How the nodes are logged in to, and where they keep their files. */
  public record Access(String user, Path identity, int sshPort, Duration connectTimeout, String remoteDir) {}

  /** The runnable jar this launcher runs from, if it is one; else says to name one. */
  public static Path thisJar() {
    return RunnableJar.thisOne();
  }

  /** A file's SHA-256 in hex: the content address of a jar on the nodes. */
  public static String sha256(Path file) throws IOException {
    return SshLauncher.sha256(file);
  }

  public String name() {
    return state.name();
  }

  /** A provider's own setting, kept with the cluster (never a secret: the state is a plain file). */
  public String get(String key) {
    return state.get(key);
  }

  public void set(String key, String value) {
    state.set(key, value);
  }

  public void save() throws IOException {
    state.save();
  }

  /** Records the nodes (master first) and how to reach them, as the ssh provider records its hosts. */
  public void recordNodes(String provider, Map<String, Node> nodes, Access access, int masterPort, int httpPort,
      List<String> javaOptions, String jarSha, Duration registerTimeout) throws IOException {
    if (!nodes.containsKey("master")) {
      throw new IllegalArgumentException("a cluster needs a master node");
    }
    String[] old = state.get("nodes") == null ? new String[0] : state.get("nodes").split(",");
    for (String node : old) {
      state.set("node." + node, null);
      state.set("node." + node + ".internal", null);
    }
    state.set("provider", provider);
    state.set("master.host", nodes.get("master").sshAddress());
    state.set("master.port", Integer.toString(masterPort));
    state.set("master.httpPort", Integer.toString(httpPort));
    state.set("nodes", String.join(",", nodes.keySet()));
    nodes.forEach((node, n) -> {
      state.set("node." + node, n.sshAddress());
      state.set("node." + node + ".internal", n.internalAddress().equals(n.sshAddress()) ? null : n.internalAddress());
    });
    state.set("ssh.user", access.user());
    state.set("ssh.identity", access.identity() == null ? null : access.identity().toAbsolutePath().toString());
    state.set("ssh.port", Integer.toString(access.sshPort()));
    state.set("ssh.connectTimeoutSeconds", Long.toString(access.connectTimeout().toSeconds()));
    state.set("remote.dir", access.remoteDir());
    state.set("installJava", "false");
    state.set("java.options", String.join(" ", javaOptions));
    state.set("jar.sha256", jarSha);
    state.set("registerTimeoutSeconds", Long.toString(registerTimeout.toSeconds()));
    state.save();
  }

  /**
   * Writes every node's secret and status token over ssh (into 0600 files, through ssh's stdin,
   * host keys accepted on first contact into the cluster's own known_hosts), waiting up to
   * {@code sshWait} for each machine's sshd; then waits up to {@code registerTimeout} for the
   * master to answer and every worker to register. Returns the status page's address.
   */
  public String deliverSecretsAndAwait(Duration sshWait, Duration registerTimeout)
      throws IOException, InterruptedException {
    SshNodes nodes = new SshNodes(state, progress);
    nodes.writeSecretsWhenReachable(sshWait);
    MasterStatus master = nodes.masterStatus();
    nodes.awaitMaster(master, registerTimeout);
    nodes.awaitWorkers(master, registerTimeout);
    return master.address().toString();
  }

  /** The file holding the status page's token, on this machine. */
  public Path tokenFile() {
    return state.tokenFile();
  }


  /** Forgets the cluster here: its state directory goes, secret and all. */
  public void forget() throws IOException {
    state.delete();
  }
}

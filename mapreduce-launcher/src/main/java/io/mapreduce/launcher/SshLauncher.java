package io.mapreduce.launcher;

import io.mapreduce.Cluster;
import io.mapreduce.ClusterLauncher;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The {@code ssh} provider: starts a master and workers on machines the user names in a hosts
 * file, over the system's ssh. {@link #launch()} (and {@code mapreduce cluster up}) is idempotent:
 * it starts only the daemons not running, copies the runnable jar only to hosts that lack it (by
 * content), and returns when the master answers and every worker has registered.
 *
 * <p>Build one with {@link #builder()}; {@link Clusters} attaches to, reports on and takes down
 * clusters by name.
 */
public final class SshLauncher implements ClusterLauncher {
  private final SshSettings settings;
  private final PrintStream progress;

  private SshLauncher(SshSettings settings, PrintStream progress) {
    this.settings = settings;
    this.progress = progress;
  }

  public static Builder builder() {
    return new Builder();
  }

  /**
   * Starts a cluster of this name, which must not be there yet, and returns a handle whose
   * {@code close()} takes it down; if it does not come up, what was made of it is taken down
   * before the failure is thrown. For a cluster that outlives this JVM, use {@link #up()} (or the
   * command line) and {@link Clusters#attach}.
   */
  @Override
  public Cluster launch() throws IOException, InterruptedException {
    return Clusters.launchOwn(settings.stateRoot(), settings.name(), progress, this::up,
        () -> Clusters.down(settings.stateRoot(), settings.name(), progress));
  }

  /** Brings the cluster up and returns its status page's address. */
  public String up() throws IOException, InterruptedException {
    Path jar = settings.jar();
    String sha = sha256(jar); // before anything is made: an unreadable jar leaves nothing behind
    Map<String, String> nodes = new LinkedHashMap<>();
    nodes.put("master", settings.hosts().master());
    for (int i = 0; i < settings.hosts().workers().size(); i++) {
      nodes.put("worker-" + (i + 1), settings.hosts().workers().get(i));
    }
    ClusterState state = ClusterState.openOrCreate(settings.stateRoot(), settings.name());
    try (ClusterState.Lock lock = state.lock("up")) {
      return up(state, nodes, jar, sha);
    }
  }

  private String up(ClusterState state, Map<String, String> nodes, Path jar, String sha)
      throws IOException, InterruptedException {
    Map<String, String> recorded = state.nodes();
    if (!recorded.isEmpty() && !recorded.equals(nodes)) {
      // Another host list would leave daemons of the old one that no 'down' knows of.
      throw new IllegalArgumentException("cluster " + settings.name() + " runs on " + recorded + ", not on "
          + nodes + ": take it down first ('cluster down " + settings.name() + "')");
    }
    // Written before any host is touched: a 'down' after an interrupted 'up' finds every host.
    settings.writeTo(state, nodes, sha);
    state.save();
    SshNodes remote = new SshNodes(state, progress);
    remote.prepareHosts(jar, sha, settings.installJava());
    // The master first, and the workers once it answers: an up cut short leaves either no worker
    // or workers with a master, and a master that fails does so before anything else starts.
    remote.start(List.of("master"));
    MasterStatus master = remote.masterStatus();
    remote.awaitStartedMaster(master, settings.registerTimeout());
    remote.start(settings.workerNodes());
    remote.awaitWorkers(master, settings.registerTimeout());
    progress.println("cluster " + settings.name() + " is up: master " + NodeLayout.hostPort(nodes.get("master"),
        settings.masterPort()) + ", " + settings.hosts().workers().size() + " workers, status page "
        + master.address() + " (token in " + state.tokenFile() + ")");
    return master.address().toString();
  }

  static String sha256(Path file) throws IOException {
    try (InputStream in = Files.newInputStream(file)) {
      MessageDigest digest = MessageDigest.getInstance("SHA-256");
      byte[] buffer = new byte[1 << 16];
      for (int n; (n = in.read(buffer)) > 0; ) {
        digest.update(buffer, 0, n);
      }
      return HexFormat.of().formatHex(digest.digest());
    } catch (NoSuchAlgorithmException e) {
      throw new AssertionError(e);
    }
  }

  static InputStream lines(String... lines) {
    return new ByteArrayInputStream((String.join("\n", lines) + "\n").getBytes(StandardCharsets.UTF_8));
  }

  /** Builds an {@link SshLauncher}. */
  public static final class Builder implements NodeSettings<Builder> {
    private String name;
    private HostsFile hosts;
    private String user;
    private Path identity;
    private int sshPort = 22;
    private boolean installJava;
    private String remoteDir = "$HOME/.mapreduce";
    private int masterPort = 7077;
    private int httpPort = 8080;
    private Integer slots;
    private List<String> javaOptions = List.of();
    private Duration registerTimeout = Duration.ofMinutes(2);
    private Duration connectTimeout = Duration.ofSeconds(10);
    private Path jar;
    private Path stateRoot;
    private PrintStream progress = System.err;

    private Builder() {}

    /** The cluster's name (a DNS label): how jobs, {@code status} and {@code down} name it. */
    public Builder name(String name) {
      this.name = NodeLayout.checkName(name);
      return this;
    }

    /** The hosts, from a hosts file (one per line; the master's marked {@code master}, else the first). */
    public Builder hostsFile(Path file) throws IOException {
      this.hosts = HostsFile.read(file);
      return this;
    }

    /** The hosts: the master's first, then the workers'. */
    public Builder hosts(List<String> hosts) {
      this.hosts = HostsFile.parse(hosts, "the host list");
      return this;
    }

    /** The login user on every host (default: ssh's, from its configuration or this user's name). */
    public Builder user(String user) {
      this.user = user;
      return this;
    }

    /** The private key ssh logs in with (default: ssh's own choice). */
    @Override
    public Builder identity(Path key) {
      this.identity = key;
      return this;
    }

    public Builder sshPort(int port) {
      this.sshPort = port;
      return this;
    }

    /** Installs Java 17 through a host's package manager where none is found (default: no, it fails). */
    public Builder installJava(boolean install) {
      this.installJava = install;
      return this;
    }

    /** Where nodes keep their files on the hosts (default {@code $HOME/.mapreduce}). */
    @Override
    public Builder remoteDir(String dir) {
      this.remoteDir = dir;
      return this;
    }

    @Override
    public Builder masterPort(int port) {
      this.masterPort = port;
      return this;
    }

    /** The status page's port on the master's host (default 8080). */
    @Override
    public Builder httpPort(int port) {
      this.httpPort = port;
      return this;
    }

    /** Task slots per worker (default: each host's processors). */
    @Override
    public Builder slots(int slots) {
      this.slots = slots;
      return this;
    }

    /** JVM options of the daemons, such as {@code -Xmx4g}. */
    @Override
    public Builder javaOptions(List<String> options) {
      this.javaOptions = List.copyOf(options);
      return this;
    }

    /** How long {@code up} waits for the master to answer, and again for the workers to register. */
    @Override
    public Builder registerTimeout(Duration timeout) {
      this.registerTimeout = timeout;
      return this;
    }

    public Builder connectTimeout(Duration timeout) {
      this.connectTimeout = timeout;
      return this;
    }

    /** The runnable jar the hosts run (default: the one this class was loaded from, if it is one). */
    @Override
    public Builder jar(Path jar) {
      this.jar = jar;
      return this;
    }

    /** The state directory (default: {@code $MAPREDUCE_STATE_DIR}, else the per-user one). */
    @Override
    public Builder stateRoot(Path root) {
      this.stateRoot = root;
      return this;
    }

    /** Where progress lines go (default: standard error). */
    @Override
    public Builder progress(PrintStream progress) {
      this.progress = Objects.requireNonNull(progress);
      return this;
    }

    public SshLauncher build() {
      if (name == null) {
        throw new IllegalArgumentException("the cluster needs a name");
      }
      if (hosts == null) {
        throw new IllegalArgumentException("the cluster needs hosts (a hosts file)");
      }
      if (identity != null && !Files.isReadable(identity)) {
        throw new IllegalArgumentException("cannot read the ssh key " + identity);
      }
      new NodeLayout(remoteDir, name); // checks the directory
      for (int port : new int[] {sshPort, masterPort, httpPort}) {
        if (port < 1 || port > 65535) {
          throw new IllegalArgumentException("port " + port + " is not between 1 and 65535");
        }
      }
      if (masterPort == httpPort) {
        throw new IllegalArgumentException("the master's port and the status page's are both " + masterPort);
      }
      if (slots != null && slots < 1) {
        throw new IllegalArgumentException("slots must be at least 1 but was " + slots);
      }
      Path j = jar != null ? jar : RunnableJar.thisOne();
      if (!Files.isRegularFile(j)) {
        throw new IllegalArgumentException("the runnable jar " + j + " is not there");
      }
      return new SshLauncher(new SshSettings(name, hosts, user, identity, sshPort, installJava, remoteDir, masterPort,
          httpPort, slots, javaOptions, registerTimeout, connectTimeout, j,
          stateRoot != null ? stateRoot : ClusterState.root()), progress);
    }
  }

  /** Everything an ssh cluster is launched with. */
  record SshSettings(String name, HostsFile hosts, String user, Path identity, int sshPort, boolean installJava,
      String remoteDir, int masterPort, int httpPort, Integer slots, List<String> javaOptions,
      Duration registerTimeout, Duration connectTimeout, Path jar, Path stateRoot) {

    List<String> workerNodes() {
      List<String> nodes = new ArrayList<>();
      for (int i = 1; i <= hosts.workers().size(); i++) {
        nodes.add("worker-" + i);
      }
      return nodes;
    }

    void writeTo(ClusterState state, Map<String, String> nodes, String jarSha) {
      state.set("provider", "ssh");
      state.set("master.host", hosts.master());
      state.set("master.port", Integer.toString(masterPort));
      state.set("master.httpPort", Integer.toString(httpPort));
      List<String> names = new ArrayList<>(nodes.keySet());
      state.set("nodes", String.join(",", names));
      nodes.forEach((node, host) -> state.set("node." + node, host));
      state.set("ssh.user", user);
      state.set("ssh.identity", identity == null ? null : identity.toAbsolutePath().toString());
      state.set("ssh.port", Integer.toString(sshPort));
      state.set("ssh.connectTimeoutSeconds", Long.toString(connectTimeout.toSeconds()));
      state.set("remote.dir", remoteDir);
      state.set("installJava", Boolean.toString(installJava));
      state.set("worker.slots", slots == null ? null : slots.toString());
      state.set("java.options", String.join(" ", javaOptions));
      state.set("jar.sha256", jarSha);
      state.set("registerTimeoutSeconds", Long.toString(registerTimeout.toSeconds()));
      if (state.get("reached") == null) {
        state.set("reached", ""); // the hosts an up reached, added to as each answers (SshNodes)
      }
    }
  }
}

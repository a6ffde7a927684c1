package io.mapreduce.launcher.ec2;

import io.mapreduce.Cluster;
import io.mapreduce.ClusterLauncher;
import io.mapreduce.launcher.NodeLayout;
import io.mapreduce.launcher.ProvisionedCluster;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ec2.model.Instance;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.presigner.S3Presigner;

/**
 * The {@code ec2} provider: {@link #up()} makes the cluster's security group (its ports open only
 * among its members, ssh, the master's port and the status page from the user's address), starts
 * the master's instance and, once it runs, the workers' with the master's private address; every
 * resource tagged {@code mapreduce:cluster=NAME}. Each instance boots with a user-data script
 * (Java, the jar from a presigned S3 URL, then the daemon once its secret is there). The secret
 * travels over ssh only, written as the {@code ssh} provider writes it, with the key pair's key and
 * host keys accepted on first contact into the cluster's own known_hosts: user data is readable by
 * every process on the instance and by whoever may describe it, and tags by the whole account.
 *
 * <p>{@code up} is idempotent: it launches only the nodes without a pending or running instance (a
 * spot worker EC2 took back is a lost worker, launched again by the next {@code up}).
 * {@link #down()} (and {@code cluster down}) terminates by tag, waits, and deletes the group.
 */
public final class Ec2Launcher implements ClusterLauncher {
  private static final Duration TERMINATE_TIMEOUT = Duration.ofMinutes(10);

  private final Builder b;

  private Ec2Launcher(Builder b) {
    this.b = b;
  }

  public static Builder builder() {
    return new Builder();
  }

  /**
   * Starts a cluster of this name, which must not be there yet, and returns a handle whose
   * {@code close()} takes it down with this launcher's settings and credentials; if it does not
   * come up, what was made of it is terminated before the failure is thrown.
   */
  @Override
  public Cluster launch() throws IOException, InterruptedException {
    return io.mapreduce.launcher.Clusters.launchOwn(b.stateRoot, b.name, b.progress, this::up, this::down);
  }

  /** Brings the cluster up (what is missing of it) and returns its status page's address. */
  public String up() throws IOException, InterruptedException {
    ProvisionedCluster cluster = provision();
    String page = cluster.deliverSecretsAndAwait(b.bootTimeout, b.registerTimeout);
    b.progress.println("cluster " + b.name + " is up on EC2: master " + cluster.get("master.host") + ", " + b.workers
        + " workers, status page " + page + " (token in " + cluster.tokenFile() + ")");
    return page;
  }

  /** The EC2 half of {@code up}: group, instances running, nodes recorded; no ssh yet. */
  ProvisionedCluster provision() throws IOException, InterruptedException {
    ProvisionedCluster cluster = ProvisionedCluster.openOrCreate(b.stateRoot, b.name, b.progress);
    // Saved before anything is made: a 'down' after an interrupted 'up' finds the region, and the rest by tag.
    cluster.set("provider", "ec2");
    cluster.set("ec2.region", b.region.id());
    cluster.set("ec2.endpoint", b.ec2Endpoint == null ? null : b.ec2Endpoint.toString());
    cluster.save();
    String sha = ProvisionedCluster.sha256(b.jar);
    NodeLayout layout = new NodeLayout(b.remoteDir, b.name);
    try (Ec2Client ec2 = b.ec2Client(); S3Client s3 = b.s3Client(); S3Presigner presigner = b.presigner()) {
      String url = new JarStaging(s3, presigner, b.staging, b.progress).stage(b.jar, sha);
      Ec2Machines machines = new Ec2Machines(ec2, b.name, b.progress, b.poll);
      String image = b.image != null ? b.image : machines.newestImage(b.imageFamily);
      String vpc = b.subnet == null ? null : machines.vpcOf(b.subnet);
      String group = machines.ensureGroup(vpc, b.accessFrom, b.masterPort, b.httpPort);
      Map<String, Instance> live = machines.live();

      Instance master = live.get("master");
      if (master == null) {
        String userData = UserData.script(layout, "master", b.loginUser(), sha, url, b.javaOptions,
            layout.masterArgs("master", b.masterPort, b.httpPort, UserData.STATUS_HOST), null, b.secretWait);
        master = machines.launch(launch(image, b.masterType, false, group), "master", userData, null);
      }
      master = machines.awaitRunning(List.of(master.instanceId()), b.bootTimeout).get("master");
      String masterAddress = master.privateIpAddress();

      List<String> stale = new ArrayList<>();
      List<String> workerIds = new ArrayList<>();
      for (int i = 1; i <= b.workers; i++) {
        String node = "worker-" + i;
        Instance w = live.get(node);
        if (w != null && !masterAddress.equals(Ec2Machines.tag(w, Ec2Machines.MASTER_TAG))) {
          stale.add(w.instanceId());
          w = null;
        }
        if (w == null) {
          String userData = UserData.script(layout, node, b.loginUser(), sha, url, b.javaOptions,
              layout.workerArgs(node, masterAddress, b.masterPort, UserData.OWN_ADDRESS, b.slots, UserData.LOCATION), masterAddress,
              b.secretWait);
          w = machines.launch(launch(image, b.workerType, b.spot, group), node, userData, masterAddress);
        }
        workerIds.add(w.instanceId());
      }
      machines.terminate(stale, "their user data names a master that is gone");
      Map<String, Instance> workers = workerIds.isEmpty() ? Map.of() : machines.awaitRunning(workerIds,
          b.bootTimeout);

      Map<String, ProvisionedCluster.Node> nodes = new LinkedHashMap<>();
      nodes.put("master", node(master));
      for (int i = 1; i <= b.workers; i++) {
        nodes.put("worker-" + i, node(workers.get("worker-" + i)));
      }
      cluster.recordNodes("ec2", nodes, new ProvisionedCluster.Access(b.loginUser(), b.identity, 22,
          b.connectTimeout, b.remoteDir), b.masterPort, b.httpPort, b.javaOptions, sha, b.registerTimeout);
      cluster.set("ec2.securityGroup", group);
      cluster.save();
      return cluster;
    }
  }

  private Ec2Machines.Launch launch(String image, String type, boolean spot, String group) {
    return new Ec2Machines.Launch(image, type, spot, b.keyName, b.subnet, group, b.instanceProfile);
  }

  /** ssh reaches an instance at its public address if it has one, else at its private one (a VPN, a bastion). */
  private static ProvisionedCluster.Node node(Instance i) {
    String ssh = i.publicIpAddress() != null ? i.publicIpAddress() : i.privateIpAddress();
    return new ProvisionedCluster.Node(ssh, i.privateIpAddress());
  }

  /** Terminates the cluster's instances (by tag), waits, deletes its security group, and forgets it here. */
  public void down() throws IOException, InterruptedException {
    try (Ec2Client ec2 = b.ec2Client()) {
      down(ec2, b.stateRoot, b.name, b.progress, b.poll);
    }
  }

  /**
   * {@code cluster down} of an ec2 cluster: with the region and endpoint it was made with, and the
   * default AWS credentials.
   */
  public static void down(Path stateRoot, String name, PrintStream progress) throws IOException, InterruptedException {
    ProvisionedCluster cluster = ProvisionedCluster.open(stateRoot, name, progress).orElseThrow(
        () -> new IllegalArgumentException("no cluster named '" + name + "' was launched from here"));
    Builder settings = builder().region(cluster.get("ec2.region"));
    if (cluster.get("ec2.endpoint") != null) {
      settings.ec2Endpoint(URI.create(cluster.get("ec2.endpoint")));
    }
    try (Ec2Client ec2 = settings.ec2Client()) {
      down(ec2, stateRoot, name, progress, Duration.ofSeconds(5));
    }
  }

  private static void down(Ec2Client ec2, Path stateRoot, String name, PrintStream progress, Duration poll)
      throws IOException, InterruptedException {
    new Ec2Machines(ec2, name, progress, poll).terminateAll(TERMINATE_TIMEOUT);
    ProvisionedCluster.open(stateRoot, name, progress).ifPresent(c -> {
      try {
        c.forget();
      } catch (IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    });
    progress.println("cluster " + name + " is down: its instances are terminated, its security group deleted, and"
        + " this machine forgot it");
  }

  /** Builds an {@link Ec2Launcher}; each setter checks its argument. */
  public static final class Builder implements io.mapreduce.launcher.NodeSettings<Builder> {
    private String name;
    private Region region;
    private String image;
    private ImageFamily imageFamily = ImageFamily.AMAZON_LINUX_2023;
    private String loginUser;
    private String masterType = "m7i.large";
    private String workerType = "m7i.large";
    private int workers = 2;
    private boolean spot;
    private String keyName;
    private Path identity;
    private String subnet;
    private String instanceProfile;
    private URI staging;
    private String accessFrom;
    private int masterPort = 7077;
    private int httpPort = 8080;
    private Integer slots;
    private List<String> javaOptions = List.of();
    private String remoteDir = "$HOME/.mapreduce";
    private Duration bootTimeout = Duration.ofMinutes(10);
    private Duration registerTimeout = Duration.ofMinutes(10);
    private Duration secretWait = Duration.ofMinutes(30);
    private Duration connectTimeout = Duration.ofSeconds(10);
    private Duration poll = Duration.ofSeconds(5);
    private URI ec2Endpoint;
    private URI s3Endpoint;
    private boolean s3PathStyle;
    private AwsCredentialsProvider credentials;
    private Path jar;
    private Path stateRoot;
    private PrintStream progress = System.err;

    private Builder() {}

    /** The cluster's name (a DNS label): it names the tags, the security group and the state. */
    public Builder name(String name) {
      this.name = NodeLayout.checkName(name);
      return this;
    }

    /** The AWS region, e.g. {@code eu-west-1}. */
    public Builder region(String region) {
      if (region == null || !region.matches("[a-z]{2}(-[a-z]+)+-[0-9]+")) {
        throw new IllegalArgumentException("region '" + region + "' is not an AWS region name (like eu-west-1)");
      }
      this.region = Region.of(region);
      return this;
    }

    /** The image (AMI id) every instance boots (default: the newest of {@link #imageFamily}). */
    public Builder image(String ami) {
      if (ami == null || !ami.matches("ami-[0-9a-f]{8,17}")) {
        throw new IllegalArgumentException("image '" + ami + "' is not an AMI id (ami-...)");
      }
      this.image = ami;
      return this;
    }

    /** The family whose newest image is looked up when no image is named (default Amazon Linux 2023). */
    public Builder imageFamily(ImageFamily family) {
      this.imageFamily = Objects.requireNonNull(family, "family");
      return this;
    }

    /** The user ssh logs in as, owning the nodes' files (default: the image family's). */
    public Builder loginUser(String user) {
      if (user == null || !user.matches("[a-z_][a-z0-9_-]{0,31}")) {
        throw new IllegalArgumentException("login user '" + user + "' is not a user name");
      }
      this.loginUser = user;
      return this;
    }

    public Builder masterType(String type) {
      this.masterType = instanceType(type);
      return this;
    }

    public Builder workerType(String type) {
      this.workerType = instanceType(type);
      return this;
    }

    private static String instanceType(String type) {
      if (type == null || !type.matches("[a-z][a-z0-9-]*\\.[a-z0-9]+")) {
        throw new IllegalArgumentException("instance type '" + type + "' is not one (like m7i.large)");
      }
      return type;
    }

    /** How many workers (default 2). */
    public Builder workers(int count) {
      if (count < 1 || count > 1000) {
        throw new IllegalArgumentException("workers must be 1 to 1000 but is " + count);
      }
      this.workers = count;
      return this;
    }

    /** Workers on spot instances, terminated when EC2 takes them back (default: on-demand). The master is always on-demand. */
    public Builder spot(boolean spot) {
      this.spot = spot;
      return this;
    }

    /** The EC2 key pair the instances let in (its name in the region). */
    public Builder keyName(String keyName) {
      if (keyName == null || keyName.isBlank()) {
        throw new IllegalArgumentException("key pair name must not be empty");
      }
      this.keyName = keyName;
      return this;
    }

    /** The key pair's private key, for ssh (default: ssh's own choice, such as an agent's key). */
    @Override
    public Builder identity(Path key) {
      this.identity = key;
      return this;
    }

    /** The subnet the instances join (default: the default VPC's default subnet). */
    public Builder subnet(String subnet) {
      if (subnet == null || !subnet.matches("subnet-[0-9a-f]{8,17}")) {
        throw new IllegalArgumentException("subnet '" + subnet + "' is not a subnet id (subnet-...)");
      }
      this.subnet = subnet;
      return this;
    }

    /** An instance profile (name or ARN) the instances run with, for their jobs' S3 access. */
    public Builder instanceProfile(String profile) {
      if (profile == null || profile.isBlank()) {
        throw new IllegalArgumentException("instance profile must not be empty");
      }
      this.instanceProfile = profile;
      return this;
    }

    /** Where the runnable jar is staged for the instances: {@code s3://BUCKET/PREFIX}. */
    public Builder staging(String location) {
      this.staging = JarStaging.checkLocation(location);
      return this;
    }

    /** The user's address as a CIDR ({@code 203.0.113.7/32}): the only one let in to ssh, the master and its status page. */
    public Builder accessFrom(String cidr) {
      if (cidr == null || !cidr.matches("[0-9]{1,3}(\\.[0-9]{1,3}){3}/[0-9]{1,2}")) {
        throw new IllegalArgumentException("access address '" + cidr + "' must be an IPv4 CIDR like 203.0.113.7/32");
      }
      this.accessFrom = cidr;
      return this;
    }

    /** The master's port (default 7077), open to the cluster and to {@link #accessFrom}. */
    @Override
    public Builder masterPort(int port) {
      this.masterPort = port(port, "master port");
      return this;
    }

    /** The status page's port (default 8080), open to the cluster and to {@link #accessFrom}. */
    @Override
    public Builder httpPort(int port) {
      this.httpPort = port(port, "status page port");
      return this;
    }

    private static int port(int port, String what) {
      if (port < 1 || port > 65535 || port == 22) {
        throw new IllegalArgumentException(what + " must be 1 to 65535 and not ssh's 22, but is " + port);
      }
      return port;
    }

    /** Task slots per worker (default: each instance's processors). */
    @Override
    public Builder slots(int slots) {
      if (slots < 1) {
        throw new IllegalArgumentException("slots must be at least 1 but is " + slots);
      }
      this.slots = slots;
      return this;
    }

    @Override
    public Builder javaOptions(List<String> options) {
      this.javaOptions = List.copyOf(options);
      return this;
    }

    /** Where nodes keep their files in the login user's home (default {@code $HOME/.mapreduce}). */
    @Override
    public Builder remoteDir(String dir) {
      this.remoteDir = dir;
      return this;
    }

    /** How long instances may take to run and their sshd to answer (default 10 minutes). */
    public Builder bootTimeout(Duration timeout) {
      this.bootTimeout = timeout;
      return this;
    }

    /** How long {@code up} waits for the master to answer, and again for the workers to register. */
    @Override
    public Builder registerTimeout(Duration timeout) {
      this.registerTimeout = timeout;
      return this;
    }

    /** How long a booting instance waits for its secret before it gives up (default 30 minutes). */
    public Builder secretWait(Duration wait) {
      this.secretWait = wait;
      return this;
    }

    /** EC2's endpoint (default: the region's). */
    public Builder ec2Endpoint(URI endpoint) {
      this.ec2Endpoint = endpoint;
      return this;
    }

    /** S3's endpoint for the staging (default: the region's), and whether it wants path-style addresses. */
    public Builder s3Endpoint(URI endpoint, boolean pathStyle) {
      this.s3Endpoint = endpoint;
      this.s3PathStyle = pathStyle;
      return this;
    }

    /** The AWS credentials (default: the SDK's default chain). */
    public Builder credentials(AwsCredentialsProvider credentials) {
      this.credentials = credentials;
      return this;
    }

    /** How often instance states are polled (default 5 s). */
    public Builder poll(Duration poll) {
      this.poll = poll;
      return this;
    }

    /** The runnable jar the instances run (default: the one this class was loaded from, if it is one). */
    @Override
    public Builder jar(Path jar) {
      this.jar = jar;
      return this;
    }

    @Override
    public Builder stateRoot(Path root) {
      this.stateRoot = root;
      return this;
    }

    @Override
    public Builder progress(PrintStream progress) {
      this.progress = Objects.requireNonNull(progress);
      return this;
    }

    String loginUser() {
      return loginUser != null ? loginUser : imageFamily.loginUser();
    }

    public Ec2Launcher build() {
      List<String> missing = new ArrayList<>();
      if (name == null) {
        missing.add("a name");
      }
      if (region == null) {
        missing.add("a region");
      }
      if (keyName == null) {
        missing.add("a key pair (keyName)");
      }
      if (staging == null) {
        missing.add("a staging location (s3://BUCKET/PREFIX)");
      }
      if (accessFrom == null) {
        missing.add("the user's address (accessFrom, a CIDR)");
      }
      if (!missing.isEmpty()) {
        throw new IllegalArgumentException("the ec2 cluster needs " + String.join(", ", missing));
      }
      if (identity != null && !Files.isReadable(identity)) {
        throw new IllegalArgumentException("cannot read the ssh key " + identity);
      }
      new NodeLayout(remoteDir, name); // checks the directory
      jar = jar != null ? jar : ProvisionedCluster.thisJar();
      if (!Files.isRegularFile(jar)) {
        throw new IllegalArgumentException("the runnable jar " + jar + " is not there");
      }
      if (stateRoot == null) {
        stateRoot = io.mapreduce.launcher.Clusters.stateRoot();
      }
      return new Ec2Launcher(this);
    }

    Ec2Client ec2Client() {
      return AwsClients.ec2(region, credentials, ec2Endpoint);
    }

    S3Client s3Client() {
      return AwsClients.s3(region, credentials, s3Endpoint, s3PathStyle);
    }

    S3Presigner presigner() {
      return AwsClients.presigner(region, credentials, s3Endpoint, s3PathStyle);
    }
  }
}

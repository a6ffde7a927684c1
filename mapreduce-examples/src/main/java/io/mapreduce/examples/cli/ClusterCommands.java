package io.mapreduce.examples.cli;

import io.mapreduce.launcher.Clusters;
import io.mapreduce.launcher.NodeSettings;
import io.mapreduce.launcher.SshLauncher;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code mapreduce cluster up|status|logs|down}: clusters this machine starts on other machines,
 * remembered by name in the per-user state directory. Exit codes: 0 done (status: every node up),
 * 1 a step failed on a host (one line per host says which and why), 2 bad arguments.
 */
@Command(name = "cluster", mixinStandardHelpOptions = true,
    description = "Starts, reports on and stops clusters on your machines (over ssh) or on EC2, and writes what Kubernetes "
        + "and compose need (k8s manifest); jobs then take --cluster NAME.",
    subcommands = {ClusterCommands.Up.class, ClusterCommands.Status.class, ClusterCommands.Logs.class,
        ClusterCommands.Down.class, ClusterK8sCommand.class})
final class ClusterCommands implements Runnable {
  @Spec
  CommandSpec spec;

  @Override
  public void run() {
    throw new ParameterException(spec.commandLine(), "name a cluster command: up, status, logs or down");
  }

  /** Where clusters are remembered: {@code --state-dir}, else the per-user default. */
  static Path stateRoot(Path given) {
    return given != null ? given : Clusters.stateRoot();
  }

  @Command(name = "up", mixinStandardHelpOptions = true, sortOptions = false,
      description = "Starts what is missing of a cluster (the master first, then the workers) and returns when the "
          + "master answers and every worker has registered, printing the status page's address.")
  static final class Up implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--config", paramLabel = "FILE", description = "A cluster.yaml: its keys are these options' names"
        + " in camel case (name, provider, hosts, user, identity, installJava, region, keyPair, ...); options given"
        + " here override it.")
    Path config;

    @Option(names = "--name", paramLabel = "NAME", description = "The cluster's name (a DNS label).")
    String name;

    @Option(names = "--provider", paramLabel = "ssh|ec2", description = "Where nodes run: ssh (default) or ec2.")
    String provider;

    @Option(names = {"--identity", "-i"}, paramLabel = "KEY", description = "The ssh private key (default: ssh's).")
    Path identity;

    @Option(names = "--port", paramLabel = "PORT", description = "The master's port (default: 7077).")
    Integer port;

    @Option(names = "--http-port", paramLabel = "PORT", description = "The status page's port (default: 8080).")
    Integer httpPort;

    @Option(names = "--slots", paramLabel = "N", description = "Task slots per worker (default: its processors).")
    Integer slots;

    @Option(names = "--java-opts", paramLabel = "OPTS", description = "The daemons' JVM options, e.g. '-Xmx4g'.")
    String javaOpts;

    @Option(names = "--remote-dir", paramLabel = "DIR",
        description = "Where nodes keep their files on their hosts (default: $HOME/.mapreduce).")
    String remoteDir;

    @Option(names = "--register-timeout", paramLabel = "SECONDS",
        description = "How long to wait for the master to answer, and for the workers to register (default: ssh 120,"
            + " ec2 600).")
    Integer registerTimeout;

    @Option(names = "--jar", paramLabel = "JAR", description = "The runnable jar the nodes run (default: this one).")
    Path jar;

    // ssh
    @Option(names = "--hosts", paramLabel = "FILE", description = "ssh: one host per line; the master's host says "
        + "'master' after it, else the first is the master's.")
    Path hosts;

    @Option(names = "--user", paramLabel = "USER", description = "ssh: the login user (default: ssh's).")
    String user;

    @Option(names = "--ssh-port", paramLabel = "PORT", description = "ssh: the hosts' ssh port (default: 22).")
    Integer sshPort;

    @Option(names = "--install-java", negatable = true,
        description = "ssh: install Java 17 with a host's package manager where there is none (default: no, fail).")
    Boolean installJava;

    // ec2
    @Option(names = "--region", paramLabel = "REGION", description = "ec2: the AWS region, e.g. eu-west-1.")
    String region;

    @Option(names = "--key-pair", paramLabel = "NAME", description = "ec2: the EC2 key pair the instances accept "
        + "(its private key: --identity).")
    String keyPair;

    @Option(names = "--staging", paramLabel = "s3://BUCKET/PREFIX",
        description = "ec2: where the runnable jar is staged for the instances to fetch.")
    String staging;

    @Option(names = "--access-from", paramLabel = "CIDR",
        description = "ec2: the addresses allowed to reach ssh, the master and the status page (e.g. 203.0.113.7/32).")
    String accessFrom;

    @Option(names = "--workers", paramLabel = "N", description = "ec2: worker instances (default: 2).")
    Integer workers;

    @Option(names = "--master-type", paramLabel = "TYPE", description = "ec2: the master's instance type (default: "
        + "m7i.large).")
    String masterType;

    @Option(names = "--worker-type", paramLabel = "TYPE", description = "ec2: the workers' instance type (default: "
        + "m7i.large).")
    String workerType;

    @Option(names = "--spot", negatable = true, description = "ec2: workers on spot instances (the master is always "
        + "on-demand); a worker taken away is a lost worker, and the next 'up' replaces it.")
    Boolean spot;

    @Option(names = "--image", paramLabel = "AMI", description = "ec2: the image (default: the newest of "
        + "--image-family, looked up).")
    String image;

    @Option(names = "--image-family", paramLabel = "FAMILY",
        description = "ec2: AMAZON_LINUX_2023 (default) or DEBIAN_12.")
    io.mapreduce.launcher.ec2.ImageFamily imageFamily;

    @Option(names = "--login-user", paramLabel = "USER", description = "ec2: the image's login user (default: the "
        + "family's, ec2-user or admin).")
    String loginUser;

    @Option(names = "--subnet", paramLabel = "SUBNET", description = "ec2: the subnet (default: the default VPC's).")
    String subnet;

    @Option(names = "--instance-profile", paramLabel = "NAME",
        description = "ec2: an instance profile for the instances (S3 access for jobs' inputs and outputs).")
    String instanceProfile;

    @picocli.CommandLine.Mixin
    StateDirMixin state;

    @Override
    public Integer call() throws Exception {
      try {
        if (config != null) {
          ClusterConfigFile.read(config).fillUnset(spec.commandLine());
        }
        String chosen = provider == null ? "ssh" : provider;
        String page = switch (chosen) {
          case "ssh" -> ssh().up();
          case "ec2" -> ec2().up();
          default -> throw new IllegalArgumentException("provider '" + chosen + "' is not one of: ssh, ec2");
        };
        spec.commandLine().getOut().println(page);
        spec.commandLine().getOut().flush();
        return 0;
      } catch (IllegalArgumentException e) {
        throw new ParameterException(spec.commandLine(), e.getMessage());
      }
    }

    private SshLauncher ssh() throws java.io.IOException {
      SshLauncher.Builder b = SshLauncher.builder();
      requireFor("ssh", "--name", name);
      b.name(name);
      requireFor("ssh", "--hosts", hosts);
      b.hostsFile(hosts);
      if (user != null) {
        b.user(user);
      }
      if (sshPort != null) {
        b.sshPort(sshPort);
      }
      if (installJava != null) {
        b.installJava(installJava);
      }
      return common(b).build();
    }

    private io.mapreduce.launcher.ec2.Ec2Launcher ec2() {
      var b = io.mapreduce.launcher.ec2.Ec2Launcher.builder();
      requireFor("ec2", "--name", name);
      b.name(name);
      requireFor("ec2", "--region", region);
      b.region(region);
      requireFor("ec2", "--key-pair", keyPair);
      b.keyName(keyPair);
      requireFor("ec2", "--staging", staging);
      b.staging(staging);
      requireFor("ec2", "--access-from", accessFrom);
      b.accessFrom(accessFrom);
      if (workers != null) {
        b.workers(workers);
      }
      if (masterType != null) {
        b.masterType(masterType);
      }
      if (workerType != null) {
        b.workerType(workerType);
      }
      if (spot != null) {
        b.spot(spot);
      }
      if (image != null) {
        b.image(image);
      }
      if (imageFamily != null) {
        b.imageFamily(imageFamily);
      }
      if (loginUser != null) {
        b.loginUser(loginUser);
      }
      if (subnet != null) {
        b.subnet(subnet);
      }
      if (instanceProfile != null) {
        b.instanceProfile(instanceProfile);
      }
      return common(b).build();
    }

    /** The options both providers take. */
    private <B extends NodeSettings<B>> B common(B b) {
      b.stateRoot(stateRoot(state.stateDir)).progress(printStream(spec));
      if (identity != null) {
        b.identity(identity);
      }
      if (remoteDir != null) {
        b.remoteDir(remoteDir);
      }
      if (port != null) {
        b.masterPort(port);
      }
      if (httpPort != null) {
        b.httpPort(httpPort);
      }
      if (slots != null) {
        b.slots(slots);
      }
      if (javaOpts != null) {
        b.javaOptions(List.of(javaOpts.strip().split("\\s+")));
      }
      if (registerTimeout != null) {
        b.registerTimeout(Duration.ofSeconds(registerTimeout));
      }
      if (jar != null) {
        b.jar(jar);
      }
      return b;
    }

    private static void requireFor(String provider, String option, Object value) {
      if (value == null) {
        throw new IllegalArgumentException("the " + provider + " provider needs " + option
            + " (or its key in --config)");
      }
    }
  }

  /** The command line's error stream as a PrintStream, for launcher progress lines (autoflushed). */
  static PrintStream printStream(CommandSpec spec) {
    return printStream(spec.commandLine().getErr());
  }

  static PrintStream printStream(java.io.PrintWriter err) {
    return new PrintStream(new java.io.OutputStream() {
      @Override
      public void write(int b) {
        err.write(b);
      }

      @Override
      public void write(byte[] b, int off, int len) {
        err.write(new String(b, off, len, java.nio.charset.StandardCharsets.UTF_8));
      }

      @Override
      public void flush() {
        err.flush();
      }
    }, true, java.nio.charset.StandardCharsets.UTF_8);
  }

  /** {@code --state-dir}, shared by the cluster commands. */
  static final class StateDirMixin {
    @Option(names = "--state-dir", paramLabel = "DIR",
        description = "Where clusters are remembered (default: $MAPREDUCE_STATE_DIR, else $XDG_STATE_HOME/mapreduce/"
            + "clusters, else ~/.mapreduce/clusters).")
    Path stateDir;
  }

  @Command(name = "status", mixinStandardHelpOptions = true,
      description = "Shows every node of the cluster (role, host, provider, process, registration); exits with 1 if "
          + "one is down.")
  static final class Status implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "NAME", description = "The cluster.")
    String name;

    @picocli.CommandLine.Mixin
    StateDirMixin state;

    @Override
    public Integer call() throws Exception {
      PrintStream out = printStream(spec.commandLine().getOut());
      boolean healthy;
      try {
        healthy = Clusters.status(stateRoot(state.stateDir), checked(spec, name), out);
      } catch (IllegalArgumentException e) {
        throw new ParameterException(spec.commandLine(), e.getMessage());
      }
      return healthy ? 0 : Main.JOB_FAILED;
    }
  }

  @Command(name = "logs", mixinStandardHelpOptions = true,
      description = "Prints the last lines of a node's log (default: every node's), each line prefixed by node and host.")
  static final class Logs implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "NAME", description = "The cluster.")
    String name;

    @Parameters(index = "1", arity = "0..1", paramLabel = "NODE", description = "master, worker-1, ...")
    String node;

    @Option(names = {"-n", "--lines"}, defaultValue = "100", description = "Lines per node (default: ${DEFAULT-VALUE}).")
    int lines;

    @picocli.CommandLine.Mixin
    StateDirMixin state;

    @Override
    public Integer call() throws Exception {
      PrintStream out = printStream(spec.commandLine().getOut());
      try {
        Clusters.logs(stateRoot(state.stateDir), checked(spec, name), node, lines, out);
      } catch (IllegalArgumentException e) {
        throw new ParameterException(spec.commandLine(), e.getMessage());
      }
      return 0;
    }
  }

  @Command(name = "down", mixinStandardHelpOptions = true,
      description = "Stops every daemon of the cluster (SIGTERM, then SIGKILL after 10 s), removes what 'up' made on "
          + "its hosts (the content-addressed jar stays, for the next up) and forgets the cluster here.")
  static final class Down implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "NAME", description = "The cluster.")
    String name;

    @picocli.CommandLine.Mixin
    StateDirMixin state;

    @Override
    public Integer call() throws Exception {
      try {
        Clusters.down(stateRoot(state.stateDir), checked(spec, name), printStream(spec));
      } catch (IllegalArgumentException e) {
        throw new ParameterException(spec.commandLine(), e.getMessage());
      }
      return 0;
    }
  }

  private static String checked(CommandSpec spec, String name) {
    try {
      return io.mapreduce.launcher.NodeLayout.checkName(name);
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), e.getMessage());
    }
  }
}

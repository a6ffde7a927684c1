package io.mapreduce.examples.cli;

import io.mapreduce.launcher.ClusterConfigFile;
import io.mapreduce.launcher.Clusters;
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

  @Command(name = "up", mixinStandardHelpOptions = true,
      description = "Starts what is missing of a cluster (the master first, then the workers) and returns when the "
          + "master answers and every worker has registered, printing the status page's address.")
  static final class Up implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--config", paramLabel = "FILE", description = "A cluster.yaml (its keys are these options' names"
        + " in camel case: name, provider, hosts, user, identity, installJava, ...); options given here override it.")
    Path config;

    @Option(names = "--name", paramLabel = "NAME", description = "The cluster's name (a DNS label).")
    String name;

    @Option(names = "--provider", paramLabel = "ssh", description = "Where nodes run: ssh (default).")
    String provider;

    @Option(names = "--hosts", paramLabel = "FILE",
        description = "One host per line; the master's host says 'master' after it, else the first is the master's.")
    Path hosts;

    @Option(names = "--user", paramLabel = "USER", description = "The ssh login user (default: ssh's).")
    String user;

    @Option(names = {"--identity", "-i"}, paramLabel = "KEY", description = "The ssh private key (default: ssh's).")
    Path identity;

    @Option(names = "--ssh-port", paramLabel = "PORT", description = "The hosts' ssh port (default: 22).")
    Integer sshPort;

    @Option(names = "--install-java", negatable = true,
        description = "Install Java 17 with a host's package manager where there is none (default: no, fail).")
    Boolean installJava;

    @Option(names = "--remote-dir", paramLabel = "DIR",
        description = "Where nodes keep their files on the hosts (default: $HOME/.mapreduce).")
    String remoteDir;

    @Option(names = "--port", paramLabel = "PORT", description = "The master's port (default: 7077).")
    Integer port;

    @Option(names = "--http-port", paramLabel = "PORT", description = "The status page's port (default: 8080).")
    Integer httpPort;

    @Option(names = "--slots", paramLabel = "N", description = "Task slots per worker (default: its processors).")
    Integer slots;

    @Option(names = "--java-opts", paramLabel = "OPTS", description = "The daemons' JVM options, e.g. '-Xmx4g'.")
    String javaOptions;

    @Option(names = "--register-timeout", paramLabel = "SECONDS",
        description = "How long to wait for the master to answer, and for the workers to register (default: 120).")
    Integer registerTimeout;

    @Option(names = "--jar", paramLabel = "JAR", description = "The runnable jar to run (default: this one).")
    Path jar;

    @picocli.CommandLine.Mixin
    StateDirMixin state;

    @Override
    public Integer call() throws Exception {
      SshLauncher.Builder b = SshLauncher.builder().stateRoot(stateRoot(state.stateDir));
      String chosenProvider = provider;
      try {
        if (config != null) {
          ClusterConfigFile file = ClusterConfigFile.read(config);
          file.applyTo(b);
          if (chosenProvider == null) {
            chosenProvider = file.provider();
          }
        }
        if (chosenProvider != null && !chosenProvider.equals("ssh")) {
          throw new IllegalArgumentException("provider '" + chosenProvider + "' is not one of: ssh");
        }
        if (name != null) {
          b.name(name);
        }
        if (hosts != null) {
          b.hostsFile(hosts);
        }
        if (user != null) {
          b.user(user);
        }
        if (identity != null) {
          b.identity(identity);
        }
        if (sshPort != null) {
          b.sshPort(sshPort);
        }
        if (installJava != null) {
          b.installJava(installJava);
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
        if (javaOptions != null) {
          b.javaOptions(List.of(javaOptions.strip().split("\\s+")));
        }
        if (registerTimeout != null) {
          b.registerTimeout(Duration.ofSeconds(registerTimeout));
        }
        if (jar != null) {
          b.jar(jar);
        }
        b.progress(printStream(spec));
      } catch (IllegalArgumentException e) {
        throw new ParameterException(spec.commandLine(), e.getMessage());
      }
      SshLauncher launcher;
      try {
        launcher = b.build();
      } catch (IllegalArgumentException e) {
        throw new ParameterException(spec.commandLine(), e.getMessage());
      }
      String page = launcher.up();
      spec.commandLine().getOut().println(page);
      spec.commandLine().getOut().flush();
      return 0;
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
      boolean healthy = Clusters.status(stateRoot(state.stateDir), checked(spec, name), out);
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
      Clusters.down(stateRoot(state.stateDir), checked(spec, name), printStream(spec));
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

package io.mapreduce.launcher;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Where a launched node keeps its files on its host, and the daemon command line it runs. Every
 * provider lays nodes out the same way, under a base directory in the login user's home
 * ({@code ~/.mapreduce} unless configured):
 * <pre>
 *   BASE/jars/SHA256.jar                      the runnable jar, by content: copied once per host
 *   BASE/clusters/CLUSTER/NODE/secret         the cluster secret (0600), and http-token, the status page's
 *   BASE/clusters/CLUSTER/NODE/pid, node.log  the daemon's process id and its output
 *   BASE/clusters/CLUSTER/NODE/work/          its work directory
 * </pre>
 * Nodes are named {@code master} and {@code worker-1} ... {@code worker-N}: one host may hold
 * the master and a worker, or several workers, without their files meeting.
 */
public final class NodeLayout {
  /** A cluster's name: a DNS label, so that it can name a namespace, a tag or a directory as it is. */
  private static final Pattern NAME = Pattern.compile("[a-z0-9]([a-z0-9-]{0,38}[a-z0-9])?");
  private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");

  private final String base;
  private final String cluster;

  /**
   * @param base the base directory as the remote shell reads it ({@code $HOME/.mapreduce}): it is
   *     written into scripts unquoted up to its first {@code /}, so that {@code $HOME} expands
   */
  public NodeLayout(String base, String cluster) {
    this.base = checkBase(base);
    this.cluster = checkName(cluster);
  }

  /** Checks a cluster name, or says in one line what is wrong with it. */
  public static String checkName(String name) {
    if (name == null || !NAME.matcher(name).matches()) {
      throw new IllegalArgumentException("cluster name '" + name + "' must be 1 to 40 lower-case letters, digits"
          + " and inner hyphens (it names directories, tags and a Kubernetes namespace)");
    }
    return name;
  }

  private static String checkBase(String base) {
    // Written into shell scripts in double quotes: nothing there may end the quotes or expand but $HOME.
    String rest = base.startsWith("$HOME/") ? base.substring("$HOME/".length()) : base;
    if (rest.isEmpty() || !rest.matches("[A-Za-z0-9_./-]+") || rest.contains("..")) {
      throw new IllegalArgumentException("remote directory '" + base + "' must be a plain path ($HOME/ may"
          + " start it)");
    }
    return base;
  }

  public String cluster() {
    return cluster;
  }

  /** The directory of the content-addressed jars. */
  public String jars() {
    return base + "/jars";
  }

  public String jar(String sha256) {
    if (!SHA256.matcher(sha256).matches()) {
      throw new IllegalArgumentException("not a SHA-256 in hex: " + sha256);
    }
    return jars() + "/" + sha256 + ".jar";
  }

  /** The cluster's directory on a host: what {@code down} removes. */
  public String clusterDir() {
    return base + "/clusters/" + cluster;
  }

  public String nodeDir(String node) {
    if (!node.equals("master") && !node.matches("worker-[1-9][0-9]{0,5}")) {
      throw new IllegalArgumentException("not a node name: " + node);
    }
    return clusterDir() + "/" + node;
  }

  /** The master's arguments after {@code java -jar JAR}: listens on every address, with the secret. */
  public List<String> masterArgs(String node, int port, int httpPort, String httpHost) {
    String dir = nodeDir(node);
    List<String> args = new ArrayList<>(List.of("master", "--bind", "0.0.0.0", "--port", Integer.toString(port),
        "--secret-file", dir + "/secret", "--work-dir", dir + "/work",
        "--http-port", Integer.toString(httpPort), "--http-bind", "0.0.0.0",
        "--http-auth-file", dir + "/http-token"));
    if (httpHost != null) {
      args.add("--http-host");
      args.add(httpHost);
    }
    return args;
  }

  /**
   * A worker's arguments after {@code java -jar JAR}; {@code location} is where it runs as the
   * status page shows it (provider, host, instance), or null.
   */
  public List<String> workerArgs(String node, String master, int masterPort, String advertise, Integer slots,
      String location) {
    String dir = nodeDir(node);
    List<String> args = new ArrayList<>(List.of("worker", "--master", hostPort(master, masterPort),
        "--bind", "0.0.0.0", "--advertise", advertise, "--secret-file", dir + "/secret", "--work-dir", dir + "/work"));
    if (location != null) {
      args.add("--location");
      args.add(location);
    }
    if (slots != null) {
      args.add("--slots");
      args.add(Integer.toString(slots));
    }
    return args;
  }

  static String hostPort(String host, int port) {
    return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
  }
}

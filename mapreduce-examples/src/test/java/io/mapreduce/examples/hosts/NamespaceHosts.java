package io.mapreduce.examples.hosts;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;

/**
 * Hosts on one machine, for tests of what crosses a network: each a Linux network namespace with
 * its own address on a bridge, its own sshd (its own host key), and its own
 * {@code ~/.mapreduce} (a private directory bind-mounted over it in the sshd's mount namespace,
 * so that what a launcher copies to one host is not on the others). The machine itself is
 * {@code 10.<net>.0.1} on the bridge; host {@code i} (from 1) is {@code 10.<net>.0.<i+1>}.
 *
 * <p>Needs root, {@code ip} (iproute2), {@code unshare} and OpenSSH's server:
 * {@link #unavailableBecause()} says why not, for a test to skip. {@link #close()} stops the
 * sshds, kills whatever still runs in the namespaces (processes the test started there), and
 * removes the namespaces and the bridge.
 */
public final class NamespaceHosts implements AutoCloseable {
  private static final String SSHD = "/usr/sbin/sshd";

  private final String prefix;
  private final int net;
  private final Path dir;
  private final List<String> namespaces = new ArrayList<>();
  private final List<Process> sshds = new ArrayList<>();
  private final Path userKey;
  private final java.util.Set<Integer> withoutJava = new java.util.HashSet<>();

  /** Why these hosts cannot be made here, or null if they can. */
  public static String unavailableBecause() {
    if (!"root".equals(System.getProperty("user.name"))) {
      return "network namespaces need root (run the tests as root, as CI does)";
    }
    for (String tool : List.of("/usr/sbin/ip", "/usr/bin/unshare", SSHD, "/usr/bin/ssh", "/usr/bin/ssh-keygen")) {
      if (!Files.isExecutable(Path.of(tool)) && !Files.isExecutable(Path.of(tool.replace("/usr/sbin/", "/sbin/")))) {
        return tool + " is missing (.ci/run installs openssh-server and iproute2)";
      }
    }
    return null;
  }

  /**
   * Makes {@code count} hosts named {@code <prefix>h1 ...} on the bridge {@code <prefix>br},
   * in 10.{@code net}.0.0/24. The prefix (3 to 6 letters) keeps tests' links and namespaces apart.
   */
  public static NamespaceHosts create(String prefix, int net, int count, Path dir) throws IOException,
      InterruptedException {
    return create(prefix, net, count, dir, java.util.Set.of());
  }

  /**
   * As {@link #create(String, int, int, Path)}, but the hosts numbered in {@code withoutJava} have
   * no Java: in their sshd's mount namespace an empty directory hides {@code /usr/lib/jvm} (so
   * {@code /usr/bin/java} dangles) and this JVM's own home, wherever it is.
   */
  public static NamespaceHosts create(String prefix, int net, int count, Path dir,
      java.util.Set<Integer> withoutJava) throws IOException, InterruptedException {
    NamespaceHosts hosts = new NamespaceHosts(prefix, net, dir);
    hosts.withoutJava.addAll(withoutJava);
    try {
      hosts.setUp(count);
      return hosts;
    } catch (IOException | InterruptedException | RuntimeException e) {
      hosts.close();
      throw e;
    }
  }

  private NamespaceHosts(String prefix, int net, Path dir) throws IOException {
    if (!prefix.matches("[a-z]{3,6}") || net < 1 || net > 254) {
      throw new IllegalArgumentException("prefix " + prefix + " / net " + net);
    }
    this.prefix = prefix;
    this.net = net;
    this.dir = Files.createDirectories(dir);
    this.userKey = dir.resolve("user_ed25519");
  }

  /**
   * Waits (up to {@link #LOCK_WAIT_MINUTES}) for the machine-wide lock of this prefix: another
   * build on this machine (a second checkout's {@code mvn verify}) may be using the same names and
   * subnet, and the clean-up of leftovers below would otherwise remove its hosts under it. The
   * kernel releases the lock when its JVM ends, however it ends, so what remains unlocked is a
   * leftover indeed.
   */
  private void lockPrefix() throws IOException, InterruptedException {
    lockChannel = FileChannel.open(Path.of(System.getProperty("java.io.tmpdir"), "mapreduce-nshosts-" + prefix + ".lock"),
        StandardOpenOption.CREATE, StandardOpenOption.WRITE);
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(LOCK_WAIT_MINUTES);
    while ((lock = lockChannel.tryLock()) == null) {
      if (System.nanoTime() > deadline) {
        lockChannel.close();
        throw new IOException("the hosts " + prefix + "h* are another build's on this machine for over "
            + LOCK_WAIT_MINUTES + " minutes");
      }
      Thread.sleep(500);
    }
  }

  private static final int LOCK_WAIT_MINUTES = 15;
  private FileChannel lockChannel;
  private FileLock lock;

  private void setUp(int count) throws IOException, InterruptedException {
    lockPrefix();
    cleanLeftovers();
    run("ip", "link", "add", bridge(), "type", "bridge");
    run("ip", "addr", "add", "10." + net + ".0.1/24", "dev", bridge());
    run("ip", "link", "set", bridge(), "up");
    run("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", userKey.toString());
    Files.createDirectories(Path.of("/run/sshd"));
    // The mount point every host's private ~/.mapreduce is bound over, in its own mount namespace.
    Path home = Path.of(System.getProperty("user.home"), ".mapreduce");
    if (!Files.isDirectory(home)) {
      Files.createDirectories(home, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
    }
    for (int i = 1; i <= count; i++) {
      String ns = prefix + "h" + i;
      run("ip", "netns", "add", ns);
      namespaces.add(ns);
      run("ip", "link", "add", veth(i), "type", "veth", "peer", "name", "eth0", "netns", ns);
      run("ip", "link", "set", veth(i), "master", bridge(), "up");
      run("ip", "-n", ns, "addr", "add", address(i) + "/24", "dev", "eth0");
      run("ip", "-n", ns, "link", "set", "eth0", "up");
      run("ip", "-n", ns, "link", "set", "lo", "up");
      startSshd(i, home);
    }
    for (int i = 1; i <= count; i++) {
      awaitPort(address(i), 22);
    }
  }

  private void startSshd(int i, Path home) throws IOException, InterruptedException {
    Path hostDir = Files.createDirectories(dir.resolve("host" + i));
    Path mapreduceDir = Files.createDirectories(hostDir.resolve("home-mapreduce"));
    Path hostKey = hostDir.resolve("ssh_host_ed25519_key");
    run("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", hostKey.toString());
    Path config = hostDir.resolve("sshd_config");
    Files.writeString(config, String.join("\n",
        "ListenAddress " + address(i),
        "Port 22",
        "HostKey " + hostKey,
        "AuthorizedKeysFile " + userKey + ".pub",
        "PermitRootLogin prohibit-password",
        "PasswordAuthentication no",
        "KbdInteractiveAuthentication no",
        "UsePAM no",
        "StrictModes no",
        "PidFile " + hostDir.resolve("sshd.pid"),
        "") + "\n");
    String script = "mount --bind " + mapreduceDir + " " + home + " && " + hideJava(i, hostDir) + "exec " + SSHD
        + " -D -e -f " + config;
    Process sshd = new ProcessBuilder("ip", "netns", "exec", prefix + "h" + i, "unshare", "-m", "sh", "-c", script)
        .redirectErrorStream(true).redirectOutput(hostDir.resolve("sshd.log").toFile()).start();
    sshds.add(sshd);
  }

  /** Shell commands that bind an empty directory over every Java home host {@code i} could find, if it has none. */
  private String hideJava(int i, Path hostDir) throws IOException {
    if (!withoutJava.contains(i)) {
      return "";
    }
    Path empty = Files.createDirectories(hostDir.resolve("no-java"));
    java.util.Set<Path> homes = new java.util.LinkedHashSet<>();
    homes.add(Path.of("/usr/lib/jvm"));
    Path self = Path.of(System.getProperty("java.home")).toRealPath();
    if (!self.startsWith("/usr/lib/jvm")) {
      homes.add(self);
    }
    StringBuilder commands = new StringBuilder();
    for (Path h : homes) {
      if (Files.isDirectory(h)) {
        commands.append("mount --bind ").append(empty).append(' ').append(h).append(" && ");
      }
    }
    return commands.toString();
  }

  private void awaitPort(String address, int port) throws IOException, InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (System.nanoTime() < deadline) {
      try (java.net.Socket s = new java.net.Socket()) {
        s.connect(new java.net.InetSocketAddress(address, port), 500);
        return;
      } catch (IOException e) {
        Thread.sleep(100);
      }
    }
    throw new IOException("sshd on " + address + " did not listen within 20 s: " + Files.readString(
        dir.resolve("host" + (Integer.parseInt(address.substring(address.lastIndexOf('.') + 1)) - 1)).resolve("sshd.log")));
  }

  /** Host {@code i}'s address (from 1). */
  public String address(int i) {
    return "10." + net + ".0." + (i + 1);
  }

  /** The machine's own address on the bridge, where servers of the test listen for the hosts. */
  public String gateway() {
    return "10." + net + ".0.1";
  }

  public int count() {
    return namespaces.size();
  }

  /** The private key every host's sshd accepts for root. */
  public Path userKey() {
    return userKey;
  }

  /** Host {@code i}'s own {@code ~/.mapreduce}, as this machine sees it. */
  public Path mapreduceDir(int i) {
    return dir.resolve("host" + i).resolve("home-mapreduce");
  }

  public String namespace(int i) {
    return namespaces.get(i - 1);
  }

  /** Cuts host {@code i} off the network (its link on the bridge goes down), or joins it again. */
  public void link(int i, boolean up) throws IOException, InterruptedException {
    run("ip", "link", "set", veth(i), up ? "up" : "down");
  }

  /**
   * The command lines of the processes running in host {@code i}'s namespace (sshd among them);
   * processes that ended and wait to be reaped are not counted.
   */
  public List<String> processes(int i) throws IOException, InterruptedException {
    List<String> out = new ArrayList<>();
    for (String pid : output("ip", "netns", "pids", namespace(i)).split("\\s+")) {
      if (pid.isBlank()) {
        continue;
      }
      try {
        String cmdline = new String(Files.readAllBytes(Path.of("/proc", pid, "cmdline")), StandardCharsets.UTF_8)
            .replace('\0', ' ').strip();
        // An ended process waiting to be reaped (a zombie; its command line is gone already) runs nothing.
        if (!cmdline.isEmpty()) {
          out.add(pid + " " + cmdline);
        }
      } catch (IOException gone) {
        // it ended meanwhile
      }
    }
    return out;
  }

  /** Runs a command in host {@code i}'s network namespace and returns its output (fails on a non-zero exit). */
  public String exec(int i, String... command) throws IOException, InterruptedException {
    List<String> argv = new ArrayList<>(List.of("ip", "netns", "exec", namespace(i)));
    argv.addAll(List.of(command));
    return output(argv.toArray(String[]::new));
  }

  private String bridge() {
    return prefix + "br";
  }

  private String veth(int i) {
    return prefix + "v" + i;
  }

  /** Namespaces and a bridge of this prefix that a killed earlier run left behind. */
  private void cleanLeftovers() throws IOException, InterruptedException {
    for (String line : output("ip", "netns", "list").split("\n")) {
      String ns = line.split("\\s+")[0];
      if (ns.matches(prefix + "h[0-9]+")) {
        killAll(ns);
        runQuietly("ip", "netns", "del", ns);
      }
    }
    for (String line : output("ip", "-o", "link", "show").split("\n")) {
      Matcher m = LINK_NAME.matcher(line);
      if (m.find() && m.group(1).matches(prefix + "v[0-9]+")) {
        runQuietly("ip", "link", "del", m.group(1));
      }
    }
    runQuietly("ip", "link", "del", bridge());
  }

  private static final java.util.regex.Pattern LINK_NAME = java.util.regex.Pattern.compile("^\\d+: ([^:@]+)[:@]");

  private void killAll(String ns) throws IOException, InterruptedException {
    for (String pid : output("ip", "netns", "pids", ns).split("\\s+")) {
      if (!pid.isBlank()) {
        runQuietly("kill", "-KILL", pid);
      }
    }
  }

  @Override
  public void close() {
    if (lock == null) {
      // never got this prefix: the names belong to another build, which removes them itself
      releasePrefix();
      return;
    }
    for (Process p : sshds) {
      p.destroy();
    }
    try {
      for (String ns : namespaces) {
        killAll(ns);
      }
      for (Process p : sshds) {
        p.waitFor(5, TimeUnit.SECONDS);
      }
      // The host ends of the links first: the kernel removes a namespace's links only later.
      for (int i = 1; i <= namespaces.size(); i++) {
        runQuietly("ip", "link", "del", veth(i));
      }
      for (String ns : namespaces) {
        runQuietly("ip", "netns", "del", ns);
      }
      runQuietly("ip", "link", "del", bridge());
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      releasePrefix();
    }
  }

  private void releasePrefix() {
    try {
      if (lock != null) {
        lock.release();
      }
      if (lockChannel != null) {
        lockChannel.close();
      }
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static void run(String... command) throws IOException, InterruptedException {
    output(command);
  }

  private static void runQuietly(String... command) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD)
        .start();
    p.waitFor(30, TimeUnit.SECONDS);
  }

  private static String output(String... command) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    byte[] out = p.getInputStream().readAllBytes();
    if (!p.waitFor(30, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new IOException(String.join(" ", command) + " did not end within 30 s");
    }
    String text = new String(out, StandardCharsets.UTF_8);
    if (p.exitValue() != 0) {
      throw new IOException(String.join(" ", command) + " failed (" + p.exitValue() + "): " + text.strip());
    }
    return text;
  }
}

package io.mapreduce.examples.hosts;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * How {@code bin/mapreduce cluster up} fails, across real hosts on this machine (network
 * namespaces with their own sshd, as in {@link SshClusterIT}): each failed remote step ends the
 * command with exit code 1 within a bounded time and one line per host at fault, naming the host,
 * the step and why; and {@code down} after a failed or interrupted {@code up} removes everything
 * {@code up} made, while an interrupted {@code up} followed by {@code up} converges. Host 4 has no
 * Java. Needs root (network namespaces); skips elsewhere.
 */
class SshClusterFailuresIT {
  private static final long STEP_TIMEOUT_SECONDS = 60;
  private static final int MASTER_PORT = 7077;
  private static NamespaceHosts hosts;
  private static BinMapreduce bin;

  @TempDir
  static Path dir;

  @BeforeAll
  static void makeHosts() throws Exception {
    String why = NamespaceHosts.unavailableBecause();
    Assumptions.assumeTrue(why == null, "skipped: " + why);
    bin = new BinMapreduce(dir);
    hosts = NamespaceHosts.create("mrf", 236, 4, dir.resolve("hosts"), Set.of(4));
  }

  @AfterAll
  static void removeHosts() {
    if (hosts != null) {
      hosts.close();
    }
  }

  @Test
  void up_hostWithNothingThere_failsWithinTheConnectTimeoutNamingHostStepAndReason() throws Exception {
    String nobody = "10.236.0.200";
    Path stateRoot = dir.resolve("state-noroute");
    Result up = run(stateRoot, up("noroute", hostsFile("noroute", hosts.address(1) + " master", nobody)));

    assertThat(up.exitCode).as("up; stderr: %s", up.err).isEqualTo(1);
    assertThat(up.errors()).hasSize(1);
    assertThat(up.errors().get(0)).matches(Pattern.quote("mapreduce: " + nobody + ": reaching the host: ssh failed: ssh:"
        + " connect to host " + nobody + " port 22: ") + "(No route to host|Connection timed out)");
    assertThat(up.elapsed).as("the connect timeout is 10 s").isLessThan(Duration.ofSeconds(25));

    // No up ever reached that host, so nothing of the cluster is there: down takes down the rest and forgets it.
    Result down = run(stateRoot, "cluster", "down", "noroute");
    assertThat(down.exitCode).as("down; stderr: %s", down.err).isZero();
    assertThat(down.err).contains("[" + nobody + "] not reachable, and no up ever reached it");
    assertNothingLeft("noroute", stateRoot, 1);
  }

  @Test
  void up_keyTheHostsRefuse_failsWithOneLinePerHostSayingPermissionDenied() throws Exception {
    Path key = dir.resolve("stranger_ed25519");
    Process keygen = new ProcessBuilder("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", key.toString())
        .redirectErrorStream(true).start();
    assertThat(keygen.waitFor()).isZero();
    Path stateRoot = dir.resolve("state-key");
    List<String> args = new ArrayList<>(List.of(up("refused", hostsFile("refused", hosts.address(1), hosts.address(2)))));
    args.set(args.indexOf(hosts.userKey().toString()), key.toString());

    Result up = run(stateRoot, args.toArray(String[]::new));

    assertThat(up.exitCode).as("up; stderr: %s", up.err).isEqualTo(1);
    assertThat(up.errors()).containsExactlyInAnyOrder(
        "mapreduce: " + hosts.address(1) + ": reaching the host: ssh failed: root@" + hosts.address(1)
            + ": Permission denied (publickey).",
        "mapreduce: " + hosts.address(2) + ": reaching the host: ssh failed: root@" + hosts.address(2)
            + ": Permission denied (publickey).");
    assertThat(up.elapsed).isLessThan(Duration.ofSeconds(20));

    // Nothing was made on hosts that refused the key: down (with that key) has nothing to do there, and forgets it.
    downLeavesNothing("refused", stateRoot, 1, 2);
  }

  @Test
  void up_hostWithoutJava_failsNamingIt_andDownRemovesWhatUpMade() throws Exception {
    Path stateRoot = dir.resolve("state-nojava");
    Result up = run(stateRoot, up("nojava", hostsFile("nojava", hosts.address(1) + " master", hosts.address(4))));

    assertThat(up.exitCode).as("up; stderr: %s", up.err).isEqualTo(1);
    assertThat(up.errors()).containsExactly("mapreduce: " + hosts.address(4) + ": no Java 17 or newer, and installing"
        + " it is not allowed (allow it with --install-java)");
    assertThat(hosts.mapreduceDir(1).resolve("clusters/nojava/master/secret")).exists();

    downLeavesNothing("nojava", stateRoot, 1, 4);
  }

  @Test
  void up_masterPortInUse_failsAtStartingTheMasterWithTheEndOfItsLog() throws Exception {
    Path stateRoot = dir.resolve("state-port");
    Process squatter = new ProcessBuilder("ip", "netns", "exec", hosts.namespace(1), "python3", "-m", "http.server",
        Integer.toString(MASTER_PORT), "--bind", "0.0.0.0").redirectErrorStream(true)
        .redirectOutput(dir.resolve("squatter.log").toFile()).start();
    try {
      awaitListening(hosts.address(1), MASTER_PORT);
      // A slow host: the master's JVM finds its port taken only after the start script's first second.
      List<String> args = new ArrayList<>(List.of(up("portused", hostsFile("portused", hosts.address(1),
          hosts.address(2)))));
      int opts = args.indexOf("--java-opts") + 1;
      args.set(opts, args.get(opts) + " -javaagent:" + agentJar(SlowStart.class) + "=1500");
      Result up = run(stateRoot, args.toArray(String[]::new));

      assertThat(up.exitCode).as("up; stderr: %s", up.err).isEqualTo(1);
      assertThat(up.err).contains("[" + hosts.address(1) + "] master: started");
      assertThat(up.errors()).hasSize(1);
      assertThat(up.errors().get(0))
          .startsWith("mapreduce: " + hosts.address(1) + ": starting master: the daemon exited at once; its log ends: ")
          .containsIgnoringCase("address already in use");
      assertThat(up.elapsed).as("no wait for a master that is gone (--register-timeout 30)")
          .isLessThan(Duration.ofSeconds(25));
    } finally {
      squatter.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
    downLeavesNothing("portused", stateRoot, 1, 2);
  }

  @Test
  void up_workerThatCannotReachTheMaster_failsNamingNodeHostAndTheEndOfItsLog() throws Exception {
    Path stateRoot = dir.resolve("state-unregistered");
    // Host 3 reaches every host but the master's: its worker runs, retrying, and never registers.
    hosts.exec(3, "ip", "route", "add", "prohibit", hosts.address(1) + "/32");
    try {
      List<String> args = new ArrayList<>(List.of(up("unregistered", hostsFile("unregistered", hosts.address(1),
          hosts.address(2), hosts.address(3)))));
      args.set(args.indexOf("--register-timeout") + 1, "8");
      Result up = run(stateRoot, args.toArray(String[]::new));

      assertThat(up.exitCode).as("up; stderr: %s", up.err).isEqualTo(1);
      assertThat(up.err).contains("worker-1: started", "worker-2: started");
      assertThat(up.errors()).hasSize(1);
      assertThat(up.errors().get(0))
          .startsWith("mapreduce: " + hosts.address(3) + ": worker-2 never registered with the master within 8 s;"
              + " its log ends: ")
          .contains(hosts.address(1) + ":" + MASTER_PORT);
    } finally {
      hosts.exec(3, "ip", "route", "del", "prohibit", hosts.address(1) + "/32");
    }
    downLeavesNothing("unregistered", stateRoot, 1, 2, 3);
  }

  @Test
  void interruptedUp_thenDown_removesEverything_andThenUp_converges() throws Exception {
    Path stateRoot = dir.resolve("state-interrupted");
    String[] up = up("interrupted", hostsFile("interrupted", hosts.address(1), hosts.address(2), hosts.address(3)));

    // 1. Killed once the master started: down removes the master, the secrets and the state.
    killOnceMasterStarted(stateRoot, up);
    assertThat(String.join("\n", hosts.processes(1))).contains(" -jar ");
    downLeavesNothing("interrupted", stateRoot, 1, 2, 3);

    // 2. Killed again, then up again: it joins the running master, and each worker registers once.
    killOnceMasterStarted(stateRoot, up);
    Result again = run(stateRoot, up);
    assertThat(again.exitCode).as("up after an interrupted up; stderr: %s", again.err).isZero();
    assertThat(again.err).contains("master: running", "worker-1: started", "worker-2: started");
    Result status = run(stateRoot, "cluster", "status", "interrupted");
    assertThat(status.exitCode).as("status; out: %s", status.out).isZero();
    assertThat(status.out).containsPattern("worker-2 +worker +" + Pattern.quote(hosts.address(3))
        + " +ssh +running \\d+ +yes");
    assertThat(registeredWorkers(stateRoot.resolve("interrupted"))).containsExactlyInAnyOrder(hosts.address(2),
        hosts.address(3));
    for (int i = 1; i <= 3; i++) {
      assertThat(hosts.processes(i).stream().filter(p -> p.contains(" -jar "))).as("daemons on host %d", i).hasSize(1);
    }

    downLeavesNothing("interrupted", stateRoot, 1, 2, 3);
  }

  /** A Java agent that delays the JVM's main by its argument's milliseconds, as a slow host would. */
  public static final class SlowStart {
    public static void premain(String millis) throws InterruptedException {
      Thread.sleep(Long.parseLong(millis));
    }
  }

  /** A jar holding just the agent class (copied from this test's classes), the hosts can read. */
  private static Path agentJar(Class<?> agent) throws IOException {
    Path jar = dir.resolve("agent.jar");
    Manifest manifest = new Manifest();
    manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
    manifest.getMainAttributes().putValue("Premain-Class", agent.getName());
    String entry = agent.getName().replace('.', '/') + ".class";
    try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar), manifest);
        InputStream in = agent.getResourceAsStream("/" + entry)) {
      out.putNextEntry(new JarEntry(entry));
      in.transferTo(out);
    }
    return jar;
  }

  /** Starts {@code up}, and kills it (SIGKILL, by its process id) once it printed that the master started. */
  private static void killOnceMasterStarted(Path stateRoot, String... args) throws Exception {
    Path err = dir.resolve("interrupted-up.err");
    Process up = command(stateRoot, args).redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(err.toFile())
        .start();
    try {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(STEP_TIMEOUT_SECONDS);
      while (!Files.readString(err).contains("master: started")) {
        assertThat(up.isAlive()).as("up still runs; stderr: %s", Files.readString(err)).isTrue();
        assertThat(System.nanoTime()).as("the master started in time").isLessThan(deadline);
        Thread.sleep(20);
      }
    } finally {
      // bin/mapreduce execs java: this is the launcher's JVM itself.
      up.destroyForcibly();
      assertThat(up.waitFor(10, TimeUnit.SECONDS)).isTrue();
    }
  }

  /** The hosts of the workers the master lists as registered, one entry per registration. */
  private static List<String> registeredWorkers(Path state) throws Exception {
    String token = Files.readString(state.resolve("http-token")).strip();
    HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://"
        + hosts.address(1) + ":8080/api/status")).header("Authorization", "Bearer " + token)
        .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).isEqualTo(200);
    List<String> workers = new ArrayList<>();
    Matcher m = Pattern.compile("\"shuffleAddress\":\"([^\":]*):\\d+\"").matcher(r.body());
    while (m.find()) {
      workers.add(m.group(1));
    }
    return workers;
  }

  /** {@code down} succeeds, and leaves nothing of the cluster (see {@link #assertNothingLeft}). */
  private static void downLeavesNothing(String name, Path stateRoot, int... hostNumbers) throws Exception {
    Result down = run(stateRoot, "cluster", "down", name);
    assertThat(down.exitCode).as("down; stderr: %s", down.err).isZero();
    assertNothingLeft(name, stateRoot, hostNumbers);
  }

  /** No daemon but sshd on the hosts, no directory of the cluster on them, and no state here. */
  private static void assertNothingLeft(String name, Path stateRoot, int... hostNumbers) throws Exception {
    for (int i : hostNumbers) {
      assertThat(hosts.processes(i)).as("processes on host %d", i).allMatch(p -> p.contains("sshd"));
      assertThat(hosts.mapreduceDir(i).resolve("clusters/" + name)).as("on host %d", i).doesNotExist();
    }
    assertThat(stateRoot.resolve(name)).doesNotExist();
  }

  private static String[] up(String name, Path hostsFile) {
    return new String[] {"cluster", "up", "--name", name, "--hosts", hostsFile.toString(), "--user", "root", "-i",
        hosts.userKey().toString(), "--slots", "1", "--java-opts", "-Xmx128m -XX:TieredStopAtLevel=1",
        "--register-timeout", "30"};
  }

  private static Path hostsFile(String name, String... lines) throws IOException {
    return Files.write(dir.resolve(name + "-hosts.txt"), List.of(lines));
  }

  private static void awaitListening(String address, int port) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (true) {
      try (Socket s = new Socket()) {
        s.connect(new InetSocketAddress(address, port), 500);
        return;
      } catch (IOException e) {
        assertThat(System.nanoTime()).as("something listens on %s:%d", address, port).isLessThan(deadline);
        Thread.sleep(100);
      }
    }
  }

  record Result(int exitCode, String out, String err, Duration elapsed) {
    /** The command's error lines (its progress lines start with '['). */
    List<String> errors() {
      return err.lines().filter(l -> l.startsWith("mapreduce: ")).toList();
    }
  }

  private static ProcessBuilder command(Path stateRoot, String... args) {
    return bin.command(stateRoot, args);
  }

  private static Result run(Path stateRoot, String... args) throws IOException, InterruptedException {
    Path out = Files.createTempFile(dir, "stdout", ".txt");
    Path err = Files.createTempFile(dir, "stderr", ".txt");
    long start = System.nanoTime();
    Process p = command(stateRoot, args).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
    if (!p.waitFor(STEP_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
      p.destroyForcibly().waitFor();
      throw new AssertionError(String.join(" ", args) + " did not end within " + STEP_TIMEOUT_SECONDS
          + " s; stderr: " + Files.readString(err));
    }
    Result result = new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
        Files.readString(err, StandardCharsets.UTF_8), Duration.ofNanos(System.nanoTime() - start));
    System.out.printf("%s %s: exit %d in %d ms%n", args[1], args[args[1].equals("up") ? 3 : 2], result.exitCode,
        result.elapsed.toMillis());
    result.errors().forEach(line -> System.out.println("  " + line));
    return result;
  }
}

package io.mapreduce.examples.hosts;

import static org.assertj.core.api.Assertions.assertThat;

import io.mapreduce.examples.OracleAccess;
import io.mapreduce.launcher.SshLauncher;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * The ssh provider as a user drives it, across real hosts on this machine: four network
 * namespaces, each with its own sshd and home, a master on the first and a worker on each other.
 * {@code bin/mapreduce cluster up}, word counts checked against the oracle (one of them while a
 * worker's link is cut), {@code status}, {@code down} (refused while a host is unreachable, then
 * complete), and a second {@code up} that copies no jar. Needs root (network namespaces); skips
 * elsewhere.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SshClusterIT {
  private static final long STEP_TIMEOUT_SECONDS = 150;
  private static final String NAME = "nsfour";
  private static NamespaceHosts hosts;
  private static BinMapreduce bin;

  @TempDir
  static Path dir;

  @BeforeAll
  static void makeHosts() throws Exception {
    String why = NamespaceHosts.unavailableBecause();
    Assumptions.assumeTrue(why == null, "skipped: " + why);
    bin = new BinMapreduce(dir);
    hosts = NamespaceHosts.create("mrs", 234, 4, dir.resolve("hosts"));
  }

  @AfterAll
  static void removeHosts() {
    if (hosts != null) {
      hosts.close();
    }
  }

  @Test
  @Order(1) // first: it sees each host's first copy of the jar
  void upJobsLinkCutDownAndUpAgain() throws Exception {
    Path hostsFile = dir.resolve("hosts.txt");
    Files.writeString(hostsFile, "# the lab\n" + hosts.address(1) + " master\n" + hosts.address(2) + "\n"
        + hosts.address(3) + "   # a comment\n" + hosts.address(4) + "\n");
    Path stateRoot = dir.resolve("state");
    String[] up = {"cluster", "up", "--name", NAME, "--hosts", hostsFile.toString(), "--user", "root", "-i",
        hosts.userKey().toString(), "--slots", "2", "--java-opts", "-Xmx256m -XX:TieredStopAtLevel=1",
        "--register-timeout", "90"};

    // 1. Up from nothing, from a cluster.yaml: the jar copied to each host once, the master first,
    // every worker registered.
    Path config = dir.resolve("cluster.yaml");
    Files.writeString(config, String.join("\n", "# as in the README", "name: " + NAME, "provider: ssh",
        "hosts: hosts.txt", "user: root", "identity: " + hosts.userKey(), "slots: 2",
        "javaOpts: -Xmx256m -XX:TieredStopAtLevel=1", "registerTimeout: 90", ""));
    Result first = run(stateRoot, "cluster", "up", "--config", config.toString());
    assertThat(first.exitCode).as("cluster up; stderr: %s", first.err).isZero();
    assertThat(first.out.strip()).isEqualTo("http://" + hosts.address(1) + ":8080/");
    for (int i = 1; i <= 4; i++) {
      assertThat(first.err).contains("[" + hosts.address(i) + "] copying the jar");
      try (Stream<Path> jars = Files.list(hosts.mapreduceDir(i).resolve("jars"))) {
        assertThat(jars.filter(p -> p.toString().endsWith(".jar"))).as("host %d's own jar store", i).hasSize(1);
      }
    }
    assertThat(first.err).contains("master: started", "worker-1: started", "worker-3: started",
        "cluster " + NAME + " is up");
    // Secrets: 0600 on every node, 0700 state here, and in no process's command line.
    Path state = stateRoot.resolve(NAME);
    assertThat(Files.getPosixFilePermissions(state)).isEqualTo(PosixFilePermissions.fromString("rwx------"));
    String secret = Files.readString(state.resolve("secret")).strip();
    assertThat(Files.getPosixFilePermissions(state.resolve("secret"))).isEqualTo(
        PosixFilePermissions.fromString("rw-------"));
    assertThat(Files.getPosixFilePermissions(hosts.mapreduceDir(2).resolve("clusters/" + NAME + "/worker-1/secret")))
        .isEqualTo(PosixFilePermissions.fromString("rw-------"));
    assertThat(Files.readString(hosts.mapreduceDir(1).resolve("clusters/" + NAME + "/master/secret")).strip())
        .isEqualTo(secret);
    for (int i = 1; i <= 4; i++) {
      assertThat(String.join("\n", hosts.processes(i))).contains(" -jar ").doesNotContain(secret);
    }

    // 2. Up again, by flags, while everything runs: nothing copied, nothing started.
    Result again = run(stateRoot, up);
    assertThat(again.exitCode).as("second up; stderr: %s", again.err).isZero();
    assertThat(again.err).doesNotContain("copying the jar").doesNotContain(": started").contains("worker-2: running");

    // 3. Status: every node runs, every worker registered.
    Result status = run(stateRoot, "cluster", "status", NAME);
    assertThat(status.exitCode).as("status; out: %s", status.out).isZero();
    // Where each worker runs, as it told the master (the status page shows the same).
    assertThat(status.out).containsPattern("worker-3 +worker +" + Pattern.quote(hosts.address(4))
        + " +ssh +running \\d+ +yes +ssh " + Pattern.quote(hosts.address(4)));

    // 4. A word count on input every host sees, by the cluster's name: equal to the oracle.
    Path input = Files.createDirectories(dir.resolve("input"));
    List<String> lines = corpus(input, 6, 20_000, 1);
    Result job = run(stateRoot, "wordcount", "--input", input.toString(), "--output", dir.resolve("out1").toString(),
        "--cluster", NAME, "--reduce-tasks", "3");
    assertThat(job.exitCode).as("job; stderr: %s", job.err).isZero();
    assertThat(output(dir.resolve("out1"))).containsExactlyElementsOf(OracleAccess.wordCount(lines));

    // 5. A bigger one, with worker-3's link cut while its maps run: the job completes, equal to the oracle.
    Path big = Files.createDirectories(dir.resolve("big"));
    List<String> bigLines = corpus(big, 24, 60_000, 2);
    Process bigJob = start(stateRoot, "wordcount", "--input", big.toString(), "--output", dir.resolve("out2").toString(),
        "--cluster", NAME, "--reduce-tasks", "4", "--split-size", "512k");
    awaitMapsDone(state, 2);
    assertThat(bigJob.isAlive()).as("the job still runs when the link is cut").isTrue();
    hosts.link(4, false);
    if (!bigJob.waitFor(STEP_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
      bigJob.destroyForcibly();
      throw new AssertionError("the job with a lost worker did not end within " + STEP_TIMEOUT_SECONDS + " s; the"
          + " nodes' logs end:\n" + run(stateRoot, "cluster", "logs", NAME, "-n", "40").out);
    }
    assertThat(bigJob.exitValue()).as("job with a lost worker; stderr: %s",
        Files.readString(dir.resolve("job.err"))).isZero();
    assertThat(output(dir.resolve("out2"))).containsExactlyElementsOf(OracleAccess.wordCount(bigLines));

    // 6. Status names the lost node and fails; down cannot reach it, says so, and keeps the state.
    Result lost = run(stateRoot, "cluster", "status", NAME);
    assertThat(lost.exitCode).isEqualTo(1);
    assertThat(lost.out).containsPattern("worker-3 +worker +" + Pattern.quote(hosts.address(4)) + " .*unreachable");
    Result downFails = run(stateRoot, "cluster", "down", NAME);
    assertThat(downFails.exitCode).isEqualTo(1);
    assertThat(downFails.err).contains(hosts.address(4) + ": stopping worker-3: ssh failed");
    assertThat(state).isDirectory();

    // 7. With the link back, down completes: no daemon in any namespace, nothing of the cluster left.
    hosts.link(4, true);
    Result down = run(stateRoot, "cluster", "down", NAME);
    assertThat(down.exitCode).as("down; stderr: %s", down.err).isZero();
    for (int i = 1; i <= 4; i++) {
      assertThat(hosts.processes(i)).as("processes on host %d", i).allMatch(p -> p.contains("sshd"));
      assertThat(hosts.mapreduceDir(i).resolve("clusters/" + NAME)).doesNotExist();
    }
    assertThat(state).doesNotExist();

    // 8. Up again: the jars are there, none copied.
    Result third = run(stateRoot, up);
    assertThat(third.exitCode).as("third up; stderr: %s", third.err).isZero();
    assertThat(third.err).doesNotContain("copying the jar");
    for (int i = 1; i <= 4; i++) {
      assertThat(third.err).contains("[" + hosts.address(i) + "] jar present");
    }
    Result finalDown = run(stateRoot, "cluster", "down", NAME);
    assertThat(finalDown.exitCode).as("final down; stderr: %s", finalDown.err).isZero();
  }

  @Test
  @Order(2)
  void transientCluster_fromJava_runsTheJobThenLeavesNoDaemonAndNoState() throws Exception {
    Path stateRoot = dir.resolve("state-transient");
    SshLauncher launcher = SshLauncher.builder().name("nstransient")
        .hosts(List.of(hosts.address(2), hosts.address(3), hosts.address(4)))
        .user("root").identity(hosts.userKey()).slots(2).javaOptions(List.of("-Xmx256m"))
        .jar(Ec2LauncherIT.runnableJar()).stateRoot(stateRoot).registerTimeout(Duration.ofSeconds(90))
        .build();
    Path input = Files.createDirectories(dir.resolve("input-transient"));
    List<String> lines = corpus(input, 4, 5_000, 3);
    Path out = dir.resolve("out-transient");

    io.mapreduce.JobResult result = io.mapreduce.MapReduce.exec(io.mapreduce.examples.WordCount.builder()
        .input(input.toString()).output(out.toString()).reduceTasks(2).transientCluster(launcher).build())
        .get(STEP_TIMEOUT_SECONDS, TimeUnit.SECONDS);

    assertThat(result.outputFiles()).hasSize(2);
    assertThat(output(out)).containsExactlyElementsOf(OracleAccess.wordCount(lines));
    // Taken down before the future completed: no daemon on any host, nothing remembered here.
    for (int i = 2; i <= 4; i++) {
      assertThat(hosts.processes(i)).as("processes on host %d", i).allMatch(p -> p.contains("sshd"));
      assertThat(hosts.mapreduceDir(i).resolve("clusters/nstransient")).doesNotExist();
    }
    assertThat(stateRoot.resolve("nstransient")).doesNotExist();
  }

  /** Writes {@code files} files of {@code linesEach} lines of words; returns every line. */
  private static List<String> corpus(Path into, int files, int linesEach, long seed) throws IOException {
    Random random = new Random(seed);
    String[] words = {"map", "reduce", "shuffle", "worker", "master", "café", "naïve", "straße", "key", "value",
        "split", "spill", "merge", "sort", "fetch", "commit"};
    List<String> all = new ArrayList<>();
    for (int f = 0; f < files; f++) {
      StringBuilder text = new StringBuilder();
      for (int l = 0; l < linesEach; l++) {
        StringBuilder line = new StringBuilder();
        int n = 1 + random.nextInt(12);
        for (int w = 0; w < n; w++) {
          line.append(w == 0 ? "" : " ").append(words[random.nextInt(words.length)]).append(random.nextInt(50));
        }
        all.add(line.toString());
        text.append(line).append('\n');
      }
      Files.writeString(into.resolve("part-" + f + ".txt"), text);
    }
    return all;
  }

  private static List<String> output(Path out) throws IOException {
    assertThat(out.resolve("_SUCCESS")).exists();
    List<String> lines = new ArrayList<>();
    try (Stream<Path> files = Files.list(out)) {
      for (Path p : files.filter(p -> p.getFileName().toString().startsWith("mr-out-")).sorted().toList()) {
        lines.addAll(Files.readAllLines(p));
      }
    }
    lines.sort(OracleAccess.UTF8);
    return lines;
  }

  /** Waits until the master's status page shows a running job with at least {@code maps} maps done. */
  private static void awaitMapsDone(Path state, int maps) throws Exception {
    String token = Files.readString(state.resolve("http-token")).strip();
    HttpClient http = HttpClient.newHttpClient();
    Pattern done = Pattern.compile("\"phase\":\"map\",\"maps\":\\{\"total\":\\d+,\"done\":(\\d+)");
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
    while (System.nanoTime() < deadline) {
      HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://" + hosts.address(1)
          + ":8080/api/status")).header("Authorization", "Bearer " + token).timeout(Duration.ofSeconds(5)).build(),
          HttpResponse.BodyHandlers.ofString());
      Matcher m = done.matcher(r.body());
      if (m.find() && Integer.parseInt(m.group(1)) >= maps) {
        return;
      }
      Thread.sleep(100);
    }
    throw new AssertionError("the job did not reach " + maps + " maps done within 120 s");
  }

  record Result(int exitCode, String out, String err) {}

  private static ProcessBuilder command(Path stateRoot, String... args) {
    return bin.command(stateRoot, args);
  }

  private static Process start(Path stateRoot, String... args) throws IOException {
    return command(stateRoot, args).redirectOutput(dir.resolve("job.out").toFile())
        .redirectError(dir.resolve("job.err").toFile()).start();
  }

  private static Result run(Path stateRoot, String... args) throws IOException, InterruptedException {
    Path out = dir.resolve("stdout.txt");
    Path err = dir.resolve("stderr.txt");
    Process p = command(stateRoot, args).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
    if (!p.waitFor(STEP_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
      p.destroyForcibly().waitFor();
      throw new AssertionError(String.join(" ", args) + " did not end within " + STEP_TIMEOUT_SECONDS
          + " s; stderr: " + Files.readString(err));
    }
    return new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
        Files.readString(err, StandardCharsets.UTF_8));
  }
}

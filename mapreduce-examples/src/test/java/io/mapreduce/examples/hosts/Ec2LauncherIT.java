package io.mapreduce.examples.hosts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.mapreduce.launcher.Clusters;
import io.mapreduce.launcher.ProvisionedCluster;
import io.mapreduce.launcher.ec2.Ec2Launcher;
import io.mapreduce.launcher.ec2.FakeEc2Server;
import io.mapreduce.s3.S3ProxyServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;

/**
 * The ec2 provider's whole {@code up} and {@code down}, with the instances' user data run for real:
 * EC2 is {@link FakeEc2Server}, each instance a network-namespace host ({@link NamespaceHosts}) whose
 * boot runs the user-data script as root, S3 is s3proxy on the bridge (the script fetches the jar by
 * its presigned URL), and the secrets go over real ssh. Needs root, as CI runs it.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class Ec2LauncherIT {
  private static final int NET = 235;

  @TempDir
  Path dir;

  /** Instances on namespace hosts: booting one runs its user data there; terminating it kills what runs. */
  static final class NamespaceInstances implements FakeEc2Server.Hosts {
    private final NamespaceHosts hosts;
    private final Path dir;
    private final Map<String, Integer> hostOf = new ConcurrentHashMap<>();
    final List<Process> boots = new ArrayList<>();
    private int next;

    NamespaceInstances(NamespaceHosts hosts, Path dir) {
      this.hosts = hosts;
      this.dir = dir;
    }

    @Override
    public synchronized String[] place(FakeEc2Server.Instance instance) throws IOException {
      int k = ++next;
      if (k > hosts.count()) {
        throw new IOException("no free namespace host for " + instance.id);
      }
      hostOf.put(instance.id, k);
      Path script = dir.resolve("user-data-" + k + ".sh");
      Files.writeString(script, instance.userData);
      // The host's own ~/.mapreduce, bound as its sshd sees it, in a mount namespace of the boot's own.
      String home = System.getProperty("user.home");
      boots.add(new ProcessBuilder("ip", "netns", "exec", hosts.namespace(k), "unshare", "-m", "sh", "-c",
          "mount --bind " + hosts.mapreduceDir(k) + " " + home + "/.mapreduce && exec sh " + script)
          .redirectErrorStream(true).redirectOutput(dir.resolve("boot-" + k + ".log").toFile()).start());
      return new String[] {hosts.address(k), hosts.address(k)};
    }

    @Override
    public void terminated(FakeEc2Server.Instance instance) throws Exception {
      int k = hostOf.get(instance.id);
      for (String process : hosts.processes(k)) {
        if (process.contains(" -jar ")) {
          new ProcessBuilder("kill", "-KILL", process.split(" ")[0]).start().waitFor();
        }
      }
    }

    String bootLog(int k) throws IOException {
      return Files.readString(dir.resolve("boot-" + k + ".log"));
    }
  }

  static Path runnableJar() throws URISyntaxException, IOException {
    Path d = Path.of(Ec2LauncherIT.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    while (d != null && !Files.isDirectory(d.resolve("mapreduce-examples/target"))) {
      d = d.getParent();
    }
    assertThat(d).as("a parent of the test classes holding mapreduce-examples/target").isNotNull();
    try (Stream<Path> jars = Files.list(d.resolve("mapreduce-examples/target"))) {
      return jars.filter(p -> p.getFileName().toString().matches("mapreduce-examples-.*-all\\.jar")).findFirst()
          .orElseThrow(() -> new AssertionError("no runnable jar: package builds it before integration tests"));
    }
  }

  @Test
  void up_bootsEachInstanceFromUserData_deliversSecretsOverSsh_andDownTerminatesIt() throws Exception {
    String why = NamespaceHosts.unavailableBecause();
    assumeTrue(why == null, why);
    assumeTrue(Files.isExecutable(Path.of("/usr/bin/curl")) || Files.isExecutable(Path.of("/usr/bin/wget")),
        "the user data fetches the jar with curl or wget: neither is installed (.ci/run installs curl)");
    Path jar = runnableJar();
    ByteArrayOutputStream progress = new ByteArrayOutputStream();
    PrintStream out = new PrintStream(progress, true, StandardCharsets.UTF_8);
    Path stateRoot = dir.resolve("state");
    try (NamespaceHosts hosts = NamespaceHosts.create("mre", NET, 3, dir.resolve("hosts"));
        S3ProxyServer s3 = S3ProxyServer.start(Files.createDirectories(dir.resolve("s3")), hosts.gateway())) {
      NamespaceInstances instances = new NamespaceInstances(hosts, Files.createDirectories(dir.resolve("boot")));
      try (FakeEc2Server ec2 = FakeEc2Server.start(instances)) {
        s3.createBucket("staging");
        ec2.addImage("ami-0aaa00000000000a2", "amazon", "al2023-ami-2023.6.20241111.0-kernel-6.1-x86_64",
            "2024-11-11T10:00:00.000Z");
        Ec2Launcher launcher = Ec2Launcher.builder().name("mre-ec2").region("us-east-1").keyName("lab")
            .staging("s3://staging/mapreduce").accessFrom(hosts.gateway() + "/32").workers(2)
            // The namespace hosts' login user is root; an AMI's is ec2-user or admin.
            .loginUser("root").identity(hosts.userKey()).jar(jar).stateRoot(stateRoot)
            .ec2Endpoint(ec2.endpoint()).s3Endpoint(URI.create(s3.endpoint()), true)
            .credentials(StaticCredentialsProvider.create(AwsBasicCredentials.create(S3ProxyServer.ACCESS_KEY,
                S3ProxyServer.SECRET_KEY)))
            .poll(Duration.ofMillis(200)).bootTimeout(Duration.ofSeconds(60)).registerTimeout(Duration.ofSeconds(90))
            .secretWait(Duration.ofMinutes(3)).progress(out).build();
        try {
          String page = launcher.up();
          assertThat(page).isEqualTo("http://" + hosts.address(1) + ":8080/");

          String sha = ProvisionedCluster.sha256(jar);
          String secret = Files.readString(stateRoot.resolve("mre-ec2/secret")).strip();
          for (int k = 1; k <= 3; k++) {
            String node = k == 1 ? "master" : "worker-" + (k - 1);
            Path base = hosts.mapreduceDir(k);
            // The jar came by the presigned URL (the launcher copies none over ssh), the secret over ssh.
            assertThat(base.resolve("jars/" + sha + ".jar")).hasSameBinaryContentAs(jar);
            Path nodeDir = base.resolve("clusters/mre-ec2/" + node);
            assertThat(Files.readString(nodeDir.resolve("secret")).strip()).isEqualTo(secret);
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(nodeDir.resolve("secret"))))
                .isEqualTo("rw-------");
            assertThat(instances.bootLog(k)).contains("jar stored").contains("secret present; starting " + node)
                .contains("started ");
            assertThat(hosts.processes(k)).anySatisfy(p -> assertThat(p).contains(" -jar ").contains(nodeDir.getFileName()
                .toString().equals("master") ? " master " : " worker "));
          }
          assertThat(progress.toString()).doesNotContain("copying the jar");
          for (FakeEc2Server.Instance i : ec2.instances()) {
            assertThat(i.userData).doesNotContain(secret);
          }
          assertThat(hosts.processes(2)).anySatisfy(p -> assertThat(p)
              .contains("--master " + hosts.address(1) + ":7077").contains("--advertise " + hosts.address(2)));

          // The nodes are an ssh provider's: status over ssh finds every daemon and every registration.
          ByteArrayOutputStream status = new ByteArrayOutputStream();
          boolean healthy = Clusters.status(stateRoot, "mre-ec2", new PrintStream(status, true, StandardCharsets.UTF_8));
          assertThat(healthy).as(status.toString()).isTrue();
          assertThat(status.toString()).contains("provider ec2").contains(hosts.address(3));
        } finally {
          launcher.down();
        }
        assertThat(ec2.instances()).allSatisfy(i -> assertThat(i.state()).isEqualTo("terminated"));
        assertThat(ec2.groups()).isEmpty();
        for (int k = 1; k <= 3; k++) {
          assertThat(hosts.processes(k)).noneSatisfy(p -> assertThat(p).contains(" -jar "));
        }
        assertThat(ec2.hostFailures()).isEmpty();
        assertThat(Files.exists(stateRoot.resolve("mre-ec2"))).isFalse();
      } finally {
        for (Process boot : instances.boots) {
          boot.destroyForcibly();
        }
      }
    }
  }
}

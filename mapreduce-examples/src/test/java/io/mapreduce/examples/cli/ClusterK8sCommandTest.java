package io.mapreduce.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.mapreduce.netty.protocol.ClusterSecret;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code k8s manifest} on the command line: what it writes, and what it refuses in one line. */
class ClusterK8sCommandTest {
  @TempDir
  Path dir;
  private final StringWriter err = new StringWriter();

  private int run(String... args) {
    CommandLine cli = new CommandLine(new ClusterK8sCommand());
    cli.setOut(new PrintWriter(new StringWriter(), true));
    cli.setErr(new PrintWriter(err, true));
    return cli.execute(args);
  }

  @Test
  void manifest_writesTheFiles_withASecretTheDaemonsAccept() throws Exception {
    Path out = dir.resolve("out");
    int code = run("manifest", "--out", out.toString(), "--name", "wc", "--image", "registry.example/mr:1",
        "--workers", "5", "--slots", "3", "--worker-cpu", "1500m", "--worker-memory", "3Gi");

    assertThat(code).as(err.toString()).isZero();
    assertThat(err.toString()).contains("mode 0600").contains("copy mapreduce-examples-*-all.jar");
    String workers = Files.readString(out.resolve("k8s/30-workers.yaml"));
    assertThat(workers).contains("  replicas: 5\n", "            - \"3\"\n", "cpu: \"1500m\"", "memory: \"3Gi\"",
        "  namespace: wc\n");
    // The compose secret file is one the daemons' --secret-file accepts as it is.
    Path secret = out.resolve("cluster-secret");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(secret))).isEqualTo("rw-------");
    assertThat(ClusterSecret.fromFile(secret).isConfigured()).isTrue();
  }

  @Test
  void manifest_badName_isOneLineNamingIt() {
    int code = run("manifest", "--out", dir.toString(), "--name", "Word_Count", "--image", "img:1");

    assertThat(code).isEqualTo(2);
    assertThat(err.toString().lines().findFirst().orElseThrow())
        .isEqualTo("cluster name 'Word_Count' is not a DNS-1123 label: 1 to 63 lower-case letters, digits and '-', "
            + "starting and ending with a letter or digit");
  }

  @Test
  void manifest_existingFiles_areKeptWithoutForce() throws Exception {
    String[] args = {"manifest", "--out", dir.toString(), "--name", "wc", "--image", "img:1"};
    assertThat(run(args)).isZero();
    String secret = Files.readString(dir.resolve("cluster-secret"));

    assertThat(run(args)).isEqualTo(2);
    assertThat(err.toString()).contains("00-namespace.yaml exists: pass --force to overwrite it");
    assertThat(Files.readString(dir.resolve("cluster-secret"))).isEqualTo(secret);
  }
}

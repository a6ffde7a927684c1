package io.mapreduce.launcher.k8s;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The files written for a cluster, compared exactly with the checked-in ones under {@code
 * src/test/resources/k8s-golden} (the generated secret, and the compose user that depends on who
 * runs the test, replaced by placeholders). After a deliberate change, rewrite them with {@code
 * -Dgolden.update=true} and read the diff.
 */
class ClusterFilesTest {
  static final String SECRET_PLACEHOLDER = "${CLUSTER_SECRET}";
  static final String USER_PLACEHOLDER = "${SECRET_FILE_OWNER}";
  static final Path GOLDEN = Path.of("src/test/resources/k8s-golden");
  static final List<String> FILES = List.of("k8s/00-namespace.yaml", "k8s/10-secret.yaml", "k8s/20-master.yaml",
      "k8s/30-workers.yaml", "Dockerfile", ".dockerignore", "compose.yaml", "cluster-secret");

  @TempDir
  Path dir;

  /** The cluster the golden files are of. */
  static KubernetesCluster golden() {
    return KubernetesCluster.builder("wordcount", "registry.example/mapreduce:0.1.0").workers(3).slots(4).build();
  }

  static String newSecret() {
    byte[] b = new byte[32];
    new SecureRandom().nextBytes(b);
    return HexFormat.of().formatHex(b);
  }

  @Test
  void write_matchesTheGoldenFiles() throws IOException {
    String secret = newSecret();
    List<Path> written = ClusterFiles.write(golden(), dir, secret, null, false);

    assertThat(written).containsExactlyInAnyOrderElementsOf(FILES.stream().map(dir::resolve).toList());
    String owner = Files.getAttribute(dir.resolve("cluster-secret"), "unix:uid") + ":"
        + Files.getAttribute(dir.resolve("cluster-secret"), "unix:gid");
    assertThat(owner).as("the compose services' user, never root").isNotEqualTo("0:0");
    boolean update = Boolean.getBoolean("golden.update");
    for (String name : FILES) {
      String text = Files.readString(dir.resolve(name), StandardCharsets.UTF_8).replace(secret, SECRET_PLACEHOLDER);
      if (name.equals("compose.yaml")) {
        assertThat(text).contains("user: \"" + owner + "\"");
        text = text.replace("user: \"" + owner + "\"", "user: \"" + USER_PLACEHOLDER + "\"");
      }
      Path expected = GOLDEN.resolve(name);
      if (update) {
        Files.createDirectories(expected.getParent());
        Files.writeString(expected, text, StandardCharsets.UTF_8);
      }
      assertThat(text).as(name).isEqualTo(Files.readString(expected, StandardCharsets.UTF_8));
    }
  }

  @Test
  void write_secretFilesAreOwnerOnly_andHoldTheSecret() throws IOException {
    String secret = newSecret();
    ClusterFiles.write(golden(), dir, secret, null, false);

    for (String name : List.of("k8s/10-secret.yaml", "cluster-secret")) {
      Path f = dir.resolve(name);
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(f))).as(name).isEqualTo("rw-------");
      assertThat(Files.readString(f)).as(name).contains(secret);
    }
    for (String name : List.of("k8s/20-master.yaml", "k8s/30-workers.yaml", "compose.yaml", "Dockerfile")) {
      assertThat(Files.readString(dir.resolve(name))).as(name).doesNotContain(secret);
    }
  }

  @Test
  void write_overExistingFiles_writesNothingUnlessToldTo() throws IOException {
    String first = newSecret();
    ClusterFiles.write(golden(), dir, first, null, false);

    assertThatThrownBy(() -> ClusterFiles.write(golden(), dir, newSecret(), null, false))
        .isInstanceOf(FileAlreadyExistsException.class).hasMessageContaining("00-namespace.yaml")
        .hasMessageContaining("--force");
    assertThat(Files.readString(dir.resolve("cluster-secret"))).isEqualTo(first + "\n");

    String second = newSecret();
    ClusterFiles.write(golden(), dir, second, null, true);
    assertThat(Files.readString(dir.resolve("cluster-secret"))).isEqualTo(second + "\n");
    assertThat(Files.readString(dir.resolve("k8s/10-secret.yaml"))).contains(second).doesNotContain(first);
  }

  @Test
  void write_onlyTheCompose_secretFileInTheWay_writesNothing() throws IOException {
    Files.writeString(dir.resolve("cluster-secret"), "someone else's\n");

    assertThatThrownBy(() -> ClusterFiles.write(golden(), dir, newSecret(), null, false))
        .isInstanceOf(FileAlreadyExistsException.class).hasMessageContaining("cluster-secret");
    assertThat(dir.resolve("k8s")).doesNotExist();
  }

  @Test
  void write_withAJar_copiesItBesideTheDockerfile() throws IOException {
    Path jar = Files.write(dir.resolve("built.jar"), new byte[] {'P', 'K', 3, 4});
    Path out = dir.resolve("out");
    ClusterFiles.write(golden(), out, newSecret(), jar, false);

    assertThat(out.resolve("mapreduce.jar")).hasSameBinaryContentAs(jar);
    assertThat(Files.readString(out.resolve("Dockerfile"))).contains("COPY mapreduce.jar /opt/mapreduce/mapreduce.jar");
  }

  @Test
  void write_shortSecret_isRefused() {
    assertThatThrownBy(() -> ClusterFiles.write(golden(), dir, "short", null, false))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at least 16");
  }

  @Test
  void workersReplicasAndComposeServices_followTheCount() {
    KubernetesCluster c = KubernetesCluster.builder("big", "img:1").workers(7).build();
    assertThat(Manifests.workers(c)).contains("  replicas: 7\n");
    String compose = ComposeFile.render(c, "1000:1000");
    assertThat(compose).contains("  worker-7:\n").doesNotContain("worker-8");
  }
}

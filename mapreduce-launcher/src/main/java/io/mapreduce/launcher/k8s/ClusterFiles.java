package io.mapreduce.launcher.k8s;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Writes what a cluster on Kubernetes or under compose needs into one directory:
 * <ul>
 *   <li>{@code k8s/00-namespace.yaml}, {@code k8s/10-secret.yaml} (the cluster secret: mode
 *       0600), {@code k8s/20-master.yaml}, {@code k8s/30-workers.yaml}, numbered so that
 *       {@code kubectl apply -f k8s/} makes the namespace first ({@link Manifests});
 *   <li>{@code Dockerfile} and {@code .dockerignore} for the image, and {@code mapreduce.jar}
 *       when given the runnable jar to put in it;
 *   <li>{@code compose.yaml} and {@code cluster-secret} (mode 0600), for the same cluster on
 *       one machine ({@link ComposeFile}).
 * </ul>
 * Existing files are left alone unless asked to overwrite them: nothing is written then.
 */
public final class ClusterFiles {
  /** The image's non-root user, also the pods' {@code runAsUser}. */
  static final int USER = Manifests.USER;
  static final String JAR = "mapreduce.jar";

  private ClusterFiles() {}

  /** One file to write: its text, and whether only its owner may read it. */
  private record Content(String text, boolean secret) {}

  /**
   * Writes the files (see the class comment) into {@code dir}, made if missing.
   *
   * @param secret the cluster secret, written into {@code k8s/10-secret.yaml} and {@code
   *     cluster-secret} (both mode 0600); at least 16 printable characters
   * @param jar the runnable jar to copy in as {@code mapreduce.jar}, or null to leave that to the
   *     caller (the {@code Dockerfile} copies it from beside itself)
   * @param overwrite whether to replace files that exist; if false and one does, nothing is written
   * @return the files written, in order
   * @throws FileAlreadyExistsException naming the first file that exists, when not to overwrite
   * @throws IllegalArgumentException if the secret is too short or not printable
   */
  public static List<Path> write(KubernetesCluster c, Path dir, String secret, Path jar, boolean overwrite)
      throws IOException {
    Objects.requireNonNull(c, "cluster");
    Objects.requireNonNull(dir, "dir");
    Objects.requireNonNull(secret, "secret");
    if (secret.length() < 16 || !secret.chars().allMatch(ch -> ch > 0x20 && ch < 0x7f)) {
      throw new IllegalArgumentException("the cluster secret must be at least 16 printable characters, without spaces");
    }
    Map<String, Content> files = render(c, secret);
    List<Path> targets = new ArrayList<>();
    files.keySet().forEach(name -> targets.add(dir.resolve(name)));
    targets.add(dir.resolve(ComposeFile.SECRET_FILE));
    targets.add(dir.resolve("compose.yaml"));
    if (jar != null) {
      targets.add(dir.resolve(JAR));
    }
    if (!overwrite) {
      for (Path t : targets) {
        if (Files.exists(t, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
          throw new FileAlreadyExistsException(t.toString(), null, "exists (--force overwrites)");
        }
      }
    }
    Files.createDirectories(dir.resolve("k8s"));
    List<Path> written = new ArrayList<>();
    for (Map.Entry<String, Content> f : files.entrySet()) {
      written.add(writeFile(dir.resolve(f.getKey()), f.getValue()));
    }
    Path secretFile = writeFile(dir.resolve(ComposeFile.SECRET_FILE), new Content(secret + "\n", true));
    written.add(secretFile);
    written.add(writeFile(dir.resolve("compose.yaml"), new Content(ComposeFile.render(c, composeUser(secretFile)),
        false)));
    if (jar != null) {
      written.add(Files.copy(jar, dir.resolve(JAR), StandardCopyOption.REPLACE_EXISTING));
    }
    return written;
  }

  /** The files that do not depend on who writes them, by path under the directory. */
  static Map<String, Content> render(KubernetesCluster c, String secret) {
    Map<String, Content> files = new LinkedHashMap<>();
    files.put("k8s/00-namespace.yaml", new Content(Manifests.namespace(c), false));
    files.put("k8s/10-secret.yaml", new Content(Manifests.secret(c, secret), true));
    files.put("k8s/20-master.yaml", new Content(Manifests.master(c), false));
    files.put("k8s/30-workers.yaml", new Content(Manifests.workers(c), false));
    files.put("Dockerfile", new Content(dockerfile(c), false));
    // The build context is this directory: keep the secrets out of it.
    files.put(".dockerignore", new Content("*\n!" + JAR + "\n", false));
    return files;
  }

  /** The text of each file {@link #render} makes, by path (for tests). */
  static Map<String, String> texts(KubernetesCluster c, String secret) {
    Map<String, String> texts = new LinkedHashMap<>();
    render(c, secret).forEach((name, content) -> texts.put(name, content.text()));
    return texts;
  }

  /**
   * The image: a slim JRE 17, the runnable jar, a non-root user of its own (whose uid the pods
   * run as), the daemons' ports. The JVM sizes its heap to the container's memory limit.
   */
  static String dockerfile(KubernetesCluster c) {
    KubernetesCluster.Ports p = c.ports();
    return "# The image of cluster " + c.name() + "'s master and workers: docker build -t " + c.image() + " .\n"
        + "# (with " + JAR + ", the runnable mapreduce-examples-*-all.jar, beside this file).\n"
        + "FROM eclipse-temurin:17-jre\n"
        + "RUN groupadd --system --gid " + USER + " mapreduce \\\n"
        + " && useradd --system --uid " + USER + " --gid " + USER + " --no-create-home --home-dir /work \\\n"
        + "      --shell /usr/sbin/nologin mapreduce \\\n"
        + " && mkdir -p /opt/mapreduce /work \\\n"
        + " && chown " + USER + ":" + USER + " /work && chmod 0700 /work\n"
        + "COPY " + JAR + " /opt/mapreduce/" + JAR + "\n"
        + "USER " + USER + ":" + USER + "\n"
        + "WORKDIR /work\n"
        + "EXPOSE " + p.master() + " " + p.shuffle() + " " + p.health() + "\n"
        + "ENTRYPOINT [\"java\", \"-XX:MaxRAMPercentage=75\", \"-jar\", \"/opt/mapreduce/" + JAR + "\"]\n"
        + "CMD [\"--help\"]\n";
  }

  /**
   * Who the compose services run as: the owner of the secret file, so that they may read it. A
   * file root wrote is given to the image's own user first: the services never run as root.
   */
  private static String composeUser(Path secretFile) throws IOException {
    try {
      int uid = (Integer) Files.getAttribute(secretFile, "unix:uid");
      if (uid == 0) {
        Files.setAttribute(secretFile, "unix:uid", USER);
        Files.setAttribute(secretFile, "unix:gid", USER);
      }
      return Files.getAttribute(secretFile, "unix:uid") + ":" + Files.getAttribute(secretFile, "unix:gid");
    } catch (UnsupportedOperationException notUnix) {
      return USER + ":" + USER;
    }
  }

  private static Path writeFile(Path file, Content content) throws IOException {
    byte[] bytes = content.text().getBytes(StandardCharsets.UTF_8);
    if (!content.secret()) {
      return Files.write(file, bytes);
    }
    // Made anew with its mode from the start: an old file's wider mode is never kept, not for a moment.
    Files.deleteIfExists(file);
    FileAttribute<?> ownerOnly = PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"));
    try (var ch = Files.newByteChannel(file, EnumSet.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE),
        ownerOnly)) {
      ch.write(ByteBuffer.wrap(bytes));
    }
    return file;
  }
}

package io.mapreduce.launcher;

import io.mapreduce.internal.io.PrivateDirectories;
import java.io.IOException;
import java.io.Reader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Optional;
import java.util.Properties;

/**
 * What a launcher remembers of one cluster, on the machine it was launched from: a directory of
 * mode 0700 under the per-user state directory, holding {@code cluster.properties} (where the
 * master is, the nodes, how to reach them), {@code secret} and {@code http-token} (0600, made
 * once, kept across {@code up}s so that a second {@code up} joins what runs), and the cluster's
 * own {@code known_hosts}. The state directory is {@code $MAPREDUCE_STATE_DIR}, else
 * {@code $XDG_STATE_HOME/mapreduce/clusters}, else {@code ~/.mapreduce/clusters}.
 */
final class ClusterState {
  private static final SecureRandom RANDOM = new SecureRandom();

  private final Path dir;
  private final Properties properties;

  private ClusterState(Path dir, Properties properties) {
    this.dir = dir;
    this.properties = properties;
  }

  /** The per-user directory holding every cluster's state. */
  static Path root() {
    String explicit = System.getenv("MAPREDUCE_STATE_DIR");
    if (explicit != null && !explicit.isBlank()) {
      return Path.of(explicit);
    }
    String xdg = System.getenv("XDG_STATE_HOME");
    if (xdg != null && !xdg.isBlank() && Path.of(xdg).isAbsolute()) {
      return Path.of(xdg, "mapreduce", "clusters");
    }
    return Path.of(System.getProperty("user.home"), ".mapreduce", "clusters");
  }

  /** The state of the named cluster, made (with a new secret and token) if there is none yet. */
  static ClusterState openOrCreate(Path root, String name) throws IOException {
    NodeLayout.checkName(name);
    PrivateDirectories.ensure(root);
    Path dir = PrivateDirectories.ensure(root.resolve(name));
    writeNewRandom(dir.resolve("secret"));
    writeNewRandom(dir.resolve("http-token"));
    try {
      // ssh would make it with the umask's mode: made here, private like the rest.
      Files.createFile(dir.resolve("known_hosts"), PosixFilePermissions.asFileAttribute(
          PosixFilePermissions.fromString("rw-------")));
    } catch (FileAlreadyExistsException kept) {
      // hosts met by an earlier up
    }
    return new ClusterState(dir, read(dir));
  }

  /** The state of the named cluster, if it was launched from here. */
  static Optional<ClusterState> open(Path root, String name) throws IOException {
    NodeLayout.checkName(name);
    Path dir = root.resolve(name);
    if (!Files.isRegularFile(dir.resolve("cluster.properties"))) {
      return Optional.empty();
    }
    PrivateDirectories.ensure(dir);
    return Optional.of(new ClusterState(dir, read(dir)));
  }

  private static Properties read(Path dir) throws IOException {
    Properties p = new Properties();
    try (Reader r = Files.newBufferedReader(dir.resolve("cluster.properties"), StandardCharsets.UTF_8)) {
      p.load(r);
    } catch (NoSuchFileException e) {
      // a cluster being made
    }
    return p;
  }

  /** 32 random bytes in hex, in a new file of mode 0600; an existing one is kept. */
  private static void writeNewRandom(Path file) throws IOException {
    byte[] bytes = new byte[32];
    RANDOM.nextBytes(bytes);
    try {
      Files.writeString(Files.createFile(file, PosixFilePermissions.asFileAttribute(
          PosixFilePermissions.fromString("rw-------"))), HexFormat.of().formatHex(bytes) + "\n");
    } catch (FileAlreadyExistsException kept) {
      // made by an earlier up: the running daemons hold it
    }
  }

  Path dir() {
    return dir;
  }

  String name() {
    return dir.getFileName().toString();
  }

  Path secretFile() {
    return dir.resolve("secret");
  }

  Path tokenFile() {
    return dir.resolve("http-token");
  }

  Path knownHosts() {
    return dir.resolve("known_hosts");
  }

  String secret() throws IOException {
    return Files.readString(secretFile()).strip();
  }

  String token() throws IOException {
    return Files.readString(tokenFile()).strip();
  }

  String get(String key) {
    return properties.getProperty(key);
  }

  String require(String key) {
    String v = properties.getProperty(key);
    if (v == null) {
      throw new IllegalStateException("cluster " + name() + "'s state " + dir.resolve("cluster.properties")
          + " has no " + key + ": run 'cluster up' again");
    }
    return v;
  }

  void set(String key, String value) {
    if (value == null) {
      properties.remove(key);
    } else {
      properties.setProperty(key, value);
    }
  }

  /** Writes the properties (mode 0600, forced) by an atomic rename: a crash leaves the old or the new. */
  void save() throws IOException {
    Path tmp = Files.createTempFile(dir, "cluster.properties.", ".new", PosixFilePermissions.asFileAttribute(
        PosixFilePermissions.fromString("rw-------")));
    try {
      try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(tmp,
          java.nio.file.StandardOpenOption.WRITE); Writer w = java.nio.channels.Channels.newWriter(ch,
          StandardCharsets.UTF_8)) {
        properties.store(w, "mapreduce cluster " + name() + " (written by the launcher)");
        w.flush();
        ch.force(true);
      }
      Files.move(tmp, dir.resolve("cluster.properties"), StandardCopyOption.ATOMIC_MOVE,
          StandardCopyOption.REPLACE_EXISTING);
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  /** Node names to hosts as recorded, master first; empty before the first up. */
  java.util.Map<String, String> nodes() {
    java.util.Map<String, String> nodes = new java.util.LinkedHashMap<>();
    String names = get("nodes");
    if (names != null) {
      for (String node : names.split(",")) {
        nodes.put(node, get("node." + node));
      }
    }
    return nodes;
  }

  /** Held while an up or a down changes the cluster, so that two cannot interleave. */
  interface Lock extends AutoCloseable {
    @Override
    void close() throws IOException;
  }

  /** Takes the cluster's lock, or fails at once in one line if another up or down holds it. */
  Lock lock(String what) throws IOException {
    java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(dir.resolve(".lock"),
        java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.WRITE);
    java.nio.channels.FileLock held;
    try {
      held = ch.tryLock();
    } catch (java.nio.channels.OverlappingFileLockException e) {
      held = null;
    }
    if (held == null) {
      ch.close();
      throw new IllegalStateException("cluster " + name() + " is busy: another up or down of it runs (lock "
          + dir.resolve(".lock") + "); wait for it, then " + what + " again");
    }
    return ch::close;
  }

  /** Forgets the cluster: its state directory goes, secret and all. */
  void delete() throws IOException {
    io.mapreduce.internal.io.LocalStorage.deleteRecursively(dir);
  }
}

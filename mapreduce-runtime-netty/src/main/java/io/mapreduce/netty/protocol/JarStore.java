package io.mapreduce.netty.protocol;

import io.mapreduce.internal.io.PrivateDirectories;
import io.mapreduce.thirdparty.io.netty.channel.Channel;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Jars by content: {@code <dir>/<sha256>.jar}, written from {@link Message.JarChunk}s into a
 * partial file that becomes the jar only once its hash checks. The master keeps the jars clients
 * send; each worker caches the jars it fetched from the master. A stored jar is hashed again each
 * time it is {@linkplain #find found}, before anything loads or sends it: one changed on disk since
 * (by a bad disk, or by hand) is deleted and counts as absent, so it is fetched or sent again.
 */
public final class JarStore {
  /** Chunks stay far below the frame limit. */
  public static final int CHUNK_BYTES = 4 << 20;
  private static final Logger log = LoggerFactory.getLogger(JarStore.class);
  private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");

  private final Path directory;
  private final Map<String, CompletableFuture<Path>> arriving = new ConcurrentHashMap<>();

  /** A store in {@code directory}, made with mode 0700 if absent. */
  public JarStore(Path directory) throws IOException {
    this.directory = PrivateDirectories.ensure(directory);
  }

  /** The SHA-256 of some bytes, in lower-case hex. */
  public static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private Path jar(String sha256) {
    if (sha256 == null || !SHA256.matcher(sha256).matches()) {
      throw new ProtocolException("not a SHA-256 jar name: " + sha256);
    }
    return directory.resolve(sha256 + ".jar");
  }

  /**
   * The stored jar, its content checked against its name; null if absent, or if its content no
   * longer matches (then it is deleted).
   */
  public Path find(String sha256) {
    Path p = jar(sha256);
    if (!Files.isRegularFile(p)) {
      return null;
    }
    String actual;
    try {
      actual = sha256(p);
    } catch (IOException e) {
      log.warn("cached jar {} cannot be read, dropped: {}", p, e.toString());
      actual = "unreadable";
    }
    if (actual.equals(sha256)) {
      return p;
    }
    log.warn("cached jar {} no longer hashes to its name (its content hashes to {}): deleted, to be fetched again",
        p, actual);
    try {
      Files.deleteIfExists(p);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot delete the tampered jar " + p, e);
    }
    return null;
  }

  /** The SHA-256 of a file's content, in lower-case hex, read in blocks. */
  static String sha256(Path file) throws IOException {
    try (InputStream in = Files.newInputStream(file)) {
      MessageDigest digest = MessageDigest.getInstance("SHA-256");
      byte[] block = new byte[64 << 10];
      for (int n; (n = in.read(block)) > 0; ) {
        digest.update(block, 0, n);
      }
      return HexFormat.of().formatHex(digest.digest());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Completes when the jar is stored (at once if it is). */
  public CompletableFuture<Path> await(String sha256) {
    Path p = find(sha256);
    if (p != null) {
      return CompletableFuture.completedFuture(p);
    }
    CompletableFuture<Path> f = arriving.computeIfAbsent(sha256, h -> new CompletableFuture<>());
    // It may have completed between the look and the registration.
    p = find(sha256);
    if (p != null) {
      f.complete(p);
    }
    return f;
  }

  /**
   * Writes a chunk; stores the jar when its last chunk arrives and its hash checks.
   *
   * @throws ProtocolException when the chunk does not fit the jar, or the jar's content does not
   *     match its name
   */
  public synchronized void accept(Message.JarChunk c) throws IOException {
    Path target = jar(c.sha256());
    if (Files.exists(target)) {
      return;
    }
    Path partial = directory.resolve(c.sha256() + ".partial");
    long have = Files.exists(partial) ? Files.size(partial) : 0;
    if (c.offset() == 0) {
      have = 0;
    }
    if (c.data() == null || c.offset() != have || c.offset() + c.data().length > c.totalBytes()) {
      throw new ProtocolException("jar chunk at " + c.offset() + " does not follow the " + have + " bytes received of "
          + c.sha256());
    }
    try (FileChannel ch = FileChannel.open(partial, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
      if (c.offset() == 0) {
        ch.truncate(0);
      }
      ch.write(java.nio.ByteBuffer.wrap(c.data()), c.offset());
    }
    if (c.offset() + c.data().length == c.totalBytes()) {
      String actual = sha256(Files.readAllBytes(partial));
      if (!actual.equals(c.sha256())) {
        Files.deleteIfExists(partial);
        throw new ProtocolException("jar " + c.sha256() + " arrived with content hashing to " + actual);
      }
      Files.move(partial, target, StandardCopyOption.ATOMIC_MOVE);
      CompletableFuture<Path> f = arriving.remove(c.sha256());
      if (f != null) {
        f.complete(target);
      }
    }
  }

  /** Sends a stored jar in chunks on a channel. */
  public static void send(Channel ch, String sha256, byte[] bytes) {
    int off = 0;
    do {
      int n = Math.min(CHUNK_BYTES, bytes.length - off);
      byte[] part = java.util.Arrays.copyOfRange(bytes, off, off + n);
      ch.write(new Message.JarChunk(sha256, bytes.length, off, part));
      off += n;
    } while (off < bytes.length);
    ch.flush();
  }

  /** Sends a stored jar, read from this store, in chunks; only if its content still matches its name. */
  public void send(Channel ch, String sha256) throws IOException {
    Path p = jar(sha256);
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(p);
    } catch (java.nio.file.NoSuchFileException e) {
      throw new IOException("no jar " + sha256 + " here");
    }
    if (!sha256(bytes).equals(sha256)) {
      Files.deleteIfExists(p);
      throw new IOException("jar " + sha256 + " no longer hashes to its name here: deleted, not sent");
    }
    send(ch, sha256, bytes);
  }
}

package io.mapreduce.lib.streaming;

import java.io.BufferedInputStream;
import java.io.ByteArrayInputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;
import io.mapreduce.thirdparty.org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import io.mapreduce.thirdparty.org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import io.mapreduce.thirdparty.org.apache.commons.compress.archivers.zip.ZipArchiveEntry;
import io.mapreduce.thirdparty.org.apache.commons.compress.archivers.zip.ZipFile;
import io.mapreduce.thirdparty.org.apache.commons.compress.utils.SeekableInMemoryByteChannel;

/**
 * The archives of streaming programs, unpacked once per JVM, as Hadoop's distributed cache
 * unpacks {@code -archives} once per node: an archive can be large (a Python virtualenv) and a
 * worker runs many attempts. Each is unpacked under a temporary directory this JVM owns, named by
 * the SHA-256 of its bytes (two attempts starting at once wait for one unpacking), and removed when
 * no attempt has used it for 10 minutes, or when the JVM exits. Attempts see it through a symbolic link in their working directory.
 *
 * <p>The format is read from the bytes, not from a file name: zip (and so jar), tar, or tar
 * compressed with gzip. Unpacking writes nothing outside the directory and copies nothing into it
 * from outside: it refuses entries whose path leaves the directory (absolute, or through
 * {@code ..}, or through a symbolic link unpacked before them: each parent is checked by its real
 * path, as the kernel follows links, before anything is made in it), hard links to anything but a
 * file unpacked before them (by real path too), and more than {@link #MAX_UNPACKED_BYTES} bytes
 * (hard links, copied, count) or {@link #MAX_ENTRIES} entries in all (a zip bomb fails in one
 * line naming the archive). Symbolic links themselves are made as tar makes them, wherever they
 * point: a packed virtualenv's {@code bin/python -> /usr/bin/python3} must work, and a program
 * that follows a link could read its target anyway (it runs as the same user); removal never
 * follows them. Permission bits of tar and zip entries are kept, and every file
 * is made readable and executable, as Hadoop's localizer makes them (555): a script from a zip
 * made without Unix modes runs as it does there.
 */
final class StreamingArchives {
  /** The most bytes one archive may unpack to: 8 GiB, enough for a virtualenv with its libraries. */
  static final long MAX_UNPACKED_BYTES = 8L << 30;
  /** The most entries one archive may hold. */
  static final int MAX_ENTRIES = 1_000_000;

  /**
   * How long an unpacked archive no attempt uses is kept for the next one: a worker daemon runs
   * job after job, and each job's archives would otherwise stay until it exits.
   */
  static final long IDLE_NANOS = java.util.concurrent.TimeUnit.MINUTES.toNanos(10);

  /** The unpacked archives of this JVM by SHA-256 (computed here, from the bytes: see StreamingProgram). */
  private static final Map<String, Unpacked> BY_DIGEST = new ConcurrentHashMap<>();
  private static Path root;

  private StreamingArchives() {}

  /** One archive's directory, unpacked on first use; its lock is held while it unpacks. */
  private static final class Unpacked {
    private final ReentrantLock lock = new ReentrantLock();
    private Path directory;
    /** Attempts whose working directories link to it. */
    private int users;
    private long idleSince;

    Path acquire(String name, byte[] content, String digest) throws IOException {
      lock.lock();
      try {
        if (directory == null || !Files.isDirectory(directory)) {
          Path staging = Files.createTempDirectory(root(), "unpacking-");
          try {
            unpack(name, content, staging, MAX_UNPACKED_BYTES, MAX_ENTRIES);
          } catch (IOException | RuntimeException e) {
            deleteTree(staging);
            throw e;
          }
          // Named by the digest when that name is free: an earlier copy an attempt made undeletable
          // may still hold it, and then the staging directory's own unique name serves.
          Path done = staging.resolveSibling(digest);
          directory = removeOrMoveAside(done) && moved(staging, done) ? done : staging;
        }
        users++;
        return directory;
      } finally {
        lock.unlock();
      }
    }

    void release() {
      lock.lock();
      try {
        if (--users == 0) {
          idleSince = System.nanoTime();
        }
      } finally {
        lock.unlock();
      }
    }

    /** Removes the directory if no attempt has used it for {@code idle}; skipped while it unpacks. */
    void removeIfIdle(long now, long idle) {
      if (lock.tryLock()) {
        try {
          if (directory != null && users == 0 && now - idleSince >= idle) {
            removeOrMoveAside(directory);
            directory = null;
          }
        } finally {
          lock.unlock();
        }
      }
    }
  }

  /**
   * Places the archive, unpacked, in {@code workDir} as {@code name}: a symbolic link to this
   * JVM's unpacked copy, or a copy of it where links cannot be made. The caller {@link #release}s
   * it when the attempt's working directory is gone.
   *
   * @throws IOException naming the archive when it is not one, is unsafe or too large, or cannot be unpacked
   */
  static void place(String name, byte[] content, String digest, Path workDir) throws IOException {
    removeIdle(IDLE_NANOS);
    if (!digest.matches("[0-9a-f]{64}")) {
      throw new IllegalArgumentException("not a SHA-256 in hex: " + digest); // computed by the caller
    }
    Unpacked u = BY_DIGEST.computeIfAbsent(digest, d -> new Unpacked());
    Path unpacked = u.acquire(name, content, digest);
    Path link = workDir.resolve(name);
    try {
      try {
        Files.createSymbolicLink(link, unpacked);
      } catch (UnsupportedOperationException | IOException noLinks) {
        copyTree(unpacked, link);
      }
    } catch (IOException | RuntimeException e) {
      u.release();
      throw e;
    }
  }

  /** Removes the unpacked archives no attempt has used for {@code idleNanos}. */
  static void removeIdle(long idleNanos) {
    long now = System.nanoTime();
    BY_DIGEST.values().forEach(u -> u.removeIfIdle(now, idleNanos));
  }

  /**
   * Says an attempt placed by {@link #place} no longer uses the archive; removes the archives idle
   * for long, so a worker that stops running streaming jobs does not keep them until it exits.
   */
  static void release(String digest) {
    Unpacked u = BY_DIGEST.get(digest);
    if (u != null) {
      u.release();
    }
    removeIdle(IDLE_NANOS);
  }

  /** The format of an archive, from its first bytes. */
  enum Format { ZIP, TAR, TAR_GZ }

  /**
   * The archive's format, or null when it is none of zip, jar, tar, tar.gz.
   */
  static Format format(byte[] content) {
    if (content.length >= 4 && content[0] == 'P' && content[1] == 'K'
        && ((content[2] == 3 && content[3] == 4) || (content[2] == 5 && content[3] == 6))) {
      return Format.ZIP;
    }
    if (content.length >= 2 && (content[0] & 0xff) == 0x1f && (content[1] & 0xff) == 0x8b) {
      try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(content))) {
        return isTar(in.readNBytes(512)) ? Format.TAR_GZ : null;
      } catch (IOException notGzip) {
        return null;
      }
    }
    return isTar(content) ? Format.TAR : null;
  }

  private static boolean isTar(byte[] header) {
    return header.length >= 262 && header[257] == 'u' && header[258] == 's' && header[259] == 't'
        && header[260] == 'a' && header[261] == 'r';
  }

  /** Unpacks into {@code dir} (empty), within the bounds given. */
  static void unpack(String name, byte[] content, Path dir, long maxBytes, int maxEntries) throws IOException {
    Format format = format(content);
    if (format == null) {
      throw new IOException("archive " + name + " is not a zip, jar, tar or tar.gz archive");
    }
    Target target = new Target(name, dir.toRealPath(), maxBytes, maxEntries);
    if (format == Format.ZIP) {
      try (ZipFile zip = ZipFile.builder().setSeekableByteChannel(new SeekableInMemoryByteChannel(content)).get()) {
        for (ZipArchiveEntry e : (Iterable<ZipArchiveEntry>) () -> zip.getEntries().asIterator()) {
          int mode = e.getUnixMode();
          if (e.isUnixSymlink()) {
            try (InputStream in = zip.getInputStream(e)) {
              target.symlink(e.getName(), new String(in.readNBytes(4096), java.nio.charset.StandardCharsets.UTF_8));
            }
          } else if (e.isDirectory()) {
            target.directory(e.getName(), mode);
          } else {
            try (InputStream in = zip.getInputStream(e)) {
              target.file(e.getName(), in, mode);
            }
          }
        }
      } catch (java.util.zip.ZipException | IllegalArgumentException corrupt) {
        throw new IOException("archive " + name + ": bad zip: " + corrupt.getMessage(), corrupt);
      }
      return;
    }
    InputStream raw = new ByteArrayInputStream(content);
    try (TarArchiveInputStream tar = new TarArchiveInputStream(
        format == Format.TAR_GZ ? new BufferedInputStream(new GZIPInputStream(raw, 64 << 10)) : raw)) {
      TarArchiveEntry e;
      while ((e = tar.getNextEntry()) != null) {
        if (e.isSymbolicLink()) {
          target.symlink(e.getName(), e.getLinkName());
        } else if (e.isLink()) {
          target.hardLink(e.getName(), e.getLinkName());
        } else if (e.isDirectory()) {
          target.directory(e.getName(), e.getMode());
        } else if (e.isFile()) {
          target.file(e.getName(), tar, e.getMode());
        } // devices and fifos: skipped, as tar run by a user (not root) cannot make them either
      }
    }
  }

  /** Where entries go, with the checks that keep them there and the running totals. */
  private static final class Target {
    private final String archive;
    private final Path root;
    private final long maxBytes;
    private final int maxEntries;
    private long bytes;
    private int entries;
    /** Directories made or found here whose path, from the root, holds no symbolic link: their real path is their path. */
    private final Set<Path> plainDirectories = new HashSet<>();

    Target(String archive, Path root, long maxBytes, int maxEntries) {
      this.archive = archive;
      this.root = root;
      this.maxBytes = maxBytes;
      this.maxEntries = maxEntries;
    }

    private IOException escapes(String entry) {
      return new IOException("archive " + archive + ": entry '" + entry + "' escapes its directory through a link");
    }

    /** The entry's path under the root, its parent directories made and checked to be real ones inside. */
    private Path inside(String entry) throws IOException {
      if (++entries > maxEntries) {
        throw new IOException("archive " + archive + " holds more than " + maxEntries + " entries");
      }
      Path p = root.resolve(entry).normalize();
      if (entry.startsWith("/") || !p.startsWith(root)) {
        throw new IOException("archive " + archive + ": entry '" + entry + "' escapes its directory");
      }
      if (p.equals(root)) {
        return root; // "./", as tar -C dir . writes it
      }
      directoryInside(p.getParent(), entry);
      return p;
    }

    /**
     * Makes {@code dir} (lexically under the root) and its parents, each one checked, by its real
     * path, to be inside before anything is made in it: a link already unpacked may lead outside.
     */
    private void directoryInside(Path dir, String entry) throws IOException {
      boolean plain = true;
      Path at = root;
      for (Path name : root.relativize(dir)) {
        at = at.resolve(name);
        if (plain && plainDirectories.contains(at)) {
          continue;
        }
        if (!Files.exists(at, LinkOption.NOFOLLOW_LINKS)) {
          Files.createDirectory(at); // in a directory checked by the step before
        } else {
          plain &= !Files.isSymbolicLink(at);
          if (!plain && !at.toRealPath().startsWith(root)) {
            throw escapes(entry);
          }
          if (!Files.isDirectory(at)) {
            throw new IOException("archive " + archive + ": entry '" + entry + "' is under '" + root.relativize(at)
                + "', which is not a directory");
          }
        }
        if (plain) {
          plainDirectories.add(at);
        }
      }
    }

    /** Removes what stands at {@code p} (not through a link) before an entry takes its place. */
    private void replace(Path p) throws IOException {
      Files.deleteIfExists(p);
      plainDirectories.remove(p);
    }

    void directory(String entry, int mode) throws IOException {
      Path p = inside(entry);
      if (p.equals(root)) {
        return;
      }
      directoryInside(p, entry);
      permissions(p, mode | 0700);
    }

    void file(String entry, InputStream in, int mode) throws IOException {
      Path p = notRoot(entry, inside(entry));
      replace(p);
      byte[] buf = new byte[64 << 10];
      StreamingProgram.writeNewFile(p, out -> {
        int n;
        while ((n = in.read(buf)) > 0) {
          count(n);
          out.write(buf, 0, n);
        }
      });
      // Readable and executable by all, as Hadoop's localizer leaves every file of an archive (555):
      // a script from a zip made without Unix modes runs there, so it runs here.
      permissions(p, mode | 0755);
    }

    private void count(long n) throws IOException {
      bytes += n;
      if (bytes > maxBytes) {
        throw new IOException("archive " + archive + " unpacks to more than " + maxBytes + " bytes");
      }
    }

    /** A symbolic link, as tar makes it: nothing is ever written or copied through it. */
    void symlink(String entry, String linkTarget) throws IOException {
      Path p = notRoot(entry, inside(entry));
      if (linkTarget.isEmpty() || linkTarget.indexOf('\0') >= 0) {
        throw new IOException("archive " + archive + ": link '" + entry + "' has no target");
      }
      replace(p);
      Files.createSymbolicLink(p, p.getFileSystem().getPath(linkTarget));
    }

    private Path notRoot(String entry, Path p) throws IOException {
      if (p.equals(root)) {
        throw new IOException("archive " + archive + ": entry '" + entry + "' is not a file name");
      }
      return p;
    }

    /** A hard link, made as a copy (counted towards the bound) of a file unpacked before it. */
    void hardLink(String entry, String linked) throws IOException {
      Path p = notRoot(entry, inside(entry));
      Path source = root.resolve(linked).normalize();
      if (linked.startsWith("/") || !source.startsWith(root) || !Files.isRegularFile(source, LinkOption.NOFOLLOW_LINKS)) {
        throw new IOException("archive " + archive + ": hard link '" + entry + "' to '" + linked
            + "', which is not a file unpacked before it");
      }
      // Through a link in the middle of its path, the source may be a file outside.
      if (!source.toRealPath().startsWith(root)) {
        throw escapes(entry);
      }
      count(Files.size(source));
      if (p.equals(source)) {
        return;
      }
      replace(p);
      try (InputStream in = Files.newInputStream(source, LinkOption.NOFOLLOW_LINKS)) {
        StreamingProgram.writeNewFile(p, in::transferTo);
      }
      Files.setPosixFilePermissions(p, Files.getPosixFilePermissions(source));
    }
  }

  private static void permissions(Path p, int mode) throws IOException {
    Set<PosixFilePermission> perms = EnumSet.noneOf(PosixFilePermission.class);
    PosixFilePermission[] bits = PosixFilePermission.values(); // OWNER_READ .. OTHERS_EXECUTE, high bit first
    for (int i = 0; i < 9; i++) {
      if ((mode & (1 << (8 - i))) != 0) {
        perms.add(bits[i]);
      }
    }
    try {
      Files.setPosixFilePermissions(p, perms);
    } catch (UnsupportedOperationException notPosix) {
      p.toFile().setExecutable((mode & 0100) != 0);
    }
  }

  private static synchronized Path root() throws IOException {
    if (root == null || !Files.isDirectory(root)) {
      Path dir = Files.createTempDirectory("mapreduce-archives-");
      Runtime.getRuntime().addShutdownHook(new Thread(() -> deleteTree(dir), "mapreduce-archives-cleanup"));
      root = dir;
    }
    return root;
  }

  static String digest(byte[] content) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static void copyTree(Path from, Path to) throws IOException {
    try (Stream<Path> paths = Files.walk(from)) {
      for (Path p : (Iterable<Path>) paths::iterator) {
        Path t = to.resolve(from.relativize(p).toString());
        if (Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
          try (InputStream in = Files.newInputStream(p)) {
            StreamingProgram.writeNewFile(t, in::transferTo);
          }
          Files.setPosixFilePermissions(t, Files.getPosixFilePermissions(p));
        } else {
          Files.copy(p, t, LinkOption.NOFOLLOW_LINKS, StandardCopyOption.COPY_ATTRIBUTES);
        }
      }
    }
  }

  /**
   * Removes a tree without following its links, quietly, as cleanup; a directory an attempt made
   * read-only ({@code chmod 555}) is made writable first. Whether it is gone.
   */
  static boolean deleteTree(Path dir) {
    if (Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
      deleteRecursively(dir);
    }
    return !Files.exists(dir, LinkOption.NOFOLLOW_LINKS);
  }

  /**
   * Removes a copy, or, what cannot be removed, moves it aside under a unique name (the JVM's exit
   * tries again), so that its path is free for the next copy. Whether the path is free.
   */
  private static boolean removeOrMoveAside(Path dir) {
    if (deleteTree(dir)) {
      return true;
    }
    try {
      Path aside = Files.createTempDirectory(dir.getParent(), "removing-");
      Files.move(dir, aside.resolve(dir.getFileName()), StandardCopyOption.ATOMIC_MOVE);
      return true;
    } catch (IOException | UnsupportedOperationException e) {
      return false; // left in the temporary directory
    }
  }

  private static void deleteRecursively(Path p) {
    if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
      File f = p.toFile();
      f.setReadable(true, true);
      f.setWritable(true, true);
      f.setExecutable(true, true);
      try (DirectoryStream<Path> children = Files.newDirectoryStream(p)) {
        for (Path child : children) {
          deleteRecursively(child);
        }
      } catch (IOException | java.nio.file.DirectoryIteratorException e) {
        return; // what it holds stays, and so does it
      }
    }
    p.toFile().delete();
  }

  /** Moves a directory to a free name, atomically; whether it did. */
  private static boolean moved(Path from, Path to) {
    try {
      Files.move(from, to, StandardCopyOption.ATOMIC_MOVE);
      return true;
    } catch (IOException e) {
      return false;
    }
  }
}

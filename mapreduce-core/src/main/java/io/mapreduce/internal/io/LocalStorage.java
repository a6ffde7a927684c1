package io.mapreduce.internal.io;

import io.mapreduce.thirdparty.com.google.common.io.ByteStreams;
import io.mapreduce.spi.InputFile;
import io.mapreduce.spi.JobOutput;
import io.mapreduce.spi.SharedDirectory;
import io.mapreduce.spi.Storage;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.TreeMap;

/** Local files: paths as the user spelled them, or {@code file:} URIs. */
public final class LocalStorage implements Storage {
  public static final LocalStorage INSTANCE = new LocalStorage();
  public static final String SUCCESS_MARKER = "_SUCCESS";

  private LocalStorage() {}

  @Override
  public String scheme() {
    return "file";
  }

  static Path toPath(String path) {
    return path.startsWith("file:") ? Path.of(URI.create(path)) : Path.of(path);
  }

  /** Hadoop's hidden-file rule: names starting with {@code _} or {@code .} are not input. */
  static boolean isHidden(Path p) {
    String name = p.getFileName() == null ? "" : p.getFileName().toString();
    return name.startsWith("_") || name.startsWith(".");
  }

  @Override
  public List<InputFile> listInputs(String pattern) throws IOException {
    List<Path> matches = hasGlob(pattern) ? expandGlob(pattern) : List.of(toPath(pattern));
    if (matches.isEmpty()) {
      throw new NoSuchFileException(pattern, null, "input pattern matches no file");
    }
    TreeMap<String, InputFile> files = new TreeMap<>();
    for (Path p : matches) {
      if (Files.isDirectory(p)) {
        try (DirectoryStream<Path> dir = Files.newDirectoryStream(p)) {
          for (Path f : dir) {
            if (!isHidden(f) && Files.isRegularFile(f)) {
              files.put(f.toString(), new InputFile(f.toString(), Files.size(f)));
            }
          }
        }
      } else if (Files.isRegularFile(p)) {
        files.put(p.toString(), new InputFile(p.toString(), Files.size(p)));
      } else if (!Files.exists(p)) {
        throw new NoSuchFileException(pattern, null, "input not found");
      }
    }
    return List.copyOf(files.values());
  }

  private static boolean hasGlob(String pattern) {
    return pattern.chars().anyMatch(c -> c == '*' || c == '?' || c == '[' || c == '{');
  }

  /** Expands a glob one path segment at a time, so relative inputs keep their spelling. */
  private static List<Path> expandGlob(String pattern) throws IOException {
    Path whole = toPath(pattern);
    List<Path> current = new ArrayList<>();
    current.add(whole.getRoot());
    for (Path segment : whole) {
      String s = segment.toString();
      List<Path> next = new ArrayList<>();
      for (Path base : current) {
        if (!hasGlob(s)) {
          Path p = base == null ? Path.of(s) : base.resolve(s);
          if (Files.exists(p)) {
            next.add(p);
          }
          continue;
        }
        Path dir = base == null ? Path.of(".") : base;
        if (!Files.isDirectory(dir)) {
          continue;
        }
        PathMatcher matcher = FileSystems.getDefault().getPathMatcher("glob:" + s);
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
          for (Path e : entries) {
            Path name = e.getFileName();
            if (matcher.matches(name) && !isHidden(e)) {
              next.add(base == null ? name : base.resolve(name));
            }
          }
        }
      }
      current = next;
    }
    current.sort(Comparator.comparing(Path::toString));
    return current;
  }

  /** The absolute, normalized path: {@code dir/./a.txt} and {@code dir/a.txt} are one file. */
  @Override
  public String identity(InputFile file) {
    return toPath(file.path()).toAbsolutePath().normalize().toString();
  }

  @Override
  public InputStream open(InputFile file, long offset) throws IOException {
    return openAt(toPath(file.path()), offset);
  }

  /** A file read from a byte offset to its end. */
  private static InputStream openAt(Path file, long offset) throws IOException {
    FileChannel ch = FileChannel.open(file, StandardOpenOption.READ);
    try {
      ch.position(offset);
    } catch (IOException e) {
      ch.close();
      throw e;
    }
    return Channels.newInputStream(ch);
  }

  @Override
  public JobOutput createOutput(String directory, String jobId) throws IOException {
    Path out = toPath(directory).toAbsolutePath().normalize();
    if (Files.exists(out, LinkOption.NOFOLLOW_LINKS)) {
      throw new FileAlreadyExistsException(directory, null, "output directory already exists");
    }
    // The highest missing ancestor: created here, so removed again if the job does not commit.
    Path parent = out.getParent();
    Path firstCreated = null;
    for (Path p = parent; p != null && !Files.exists(p); p = p.getParent()) {
      firstCreated = p;
    }
    Path existing = firstCreated == null ? parent : firstCreated.getParent();
    if (existing != null && !Files.isDirectory(existing)) {
      throw new NotDirectoryException(existing.toString());
    }
    Files.createDirectories(parent);
    Path staging = stagingOf(out, jobId);
    Files.createDirectory(staging);
    return new LocalJobOutput(directory, out, staging, firstCreated, false);
  }

  /** Staged beside the output so that the job's commit is one atomic rename on one file system. */
  private static Path stagingOf(Path out, String jobId) {
    return out.getParent().resolve("." + out.getFileName() + "." + jobId + ".staging");
  }

  @Override
  public JobOutput resumeOutput(String directory, String jobId) throws IOException {
    Path out = toPath(directory).toAbsolutePath().normalize();
    Path staging = stagingOf(out, jobId);
    if (!Files.isDirectory(staging)) {
      throw new NoSuchFileException(staging.toString(), null, "job " + jobId + "'s staged output is gone");
    }
    return new LocalJobOutput(directory, out, staging, null, false);
  }

  @Override
  public JobOutput attachOutput(String directory, String jobId) throws IOException {
    Path out = toPath(directory).toAbsolutePath().normalize();
    Path staging = stagingOf(out, jobId);
    if (!Files.isDirectory(staging)) {
      throw new NoSuchFileException(staging.toString(), null, "job " + jobId + "'s output is not prepared here: is "
          + directory + " on a file system that this machine shares with the master?");
    }
    return new LocalJobOutput(directory, out, staging, null, true);
  }

  @Override
  public SharedDirectory sharedDirectory(String directory) {
    return new LocalSharedDirectory(directory, toPath(directory).toAbsolutePath().normalize());
  }

  /**
   * Scratch files in a directory of a file system the cluster shares (NFS, say): each written to a
   * hidden temporary file beside its name and renamed, so it appears whole.
   */
  private record LocalSharedDirectory(String path, Path dir) implements SharedDirectory {
    private static final String MARKER = "_job";

    @Override
    public void create() throws IOException {
      Files.createDirectories(dir.getParent());
      // Exclusively: the job's directory is deleted whole when the job ends, so it must be one
      // that nothing else had put there (nor a link to one).
      Files.createDirectory(dir);
      Files.write(dir.resolve(MARKER), new byte[0]);
    }

    @Override
    public void put(String name, Path source) throws IOException {
      Path target = dir.resolve(name);
      if (Files.exists(target)) {
        throw new FileAlreadyExistsException(target.toString(), null, "shared file already written");
      }
      Path temporary = dir.resolve("." + name + "." + java.util.UUID.randomUUID() + ".tmp");
      try {
        Files.copy(source, temporary);
        Files.move(temporary, target, StandardCopyOption.ATOMIC_MOVE);
      } finally {
        Files.deleteIfExists(temporary);
      }
    }

    @Override
    public InputStream read(String name, long offset, long length) throws IOException {
      return ByteStreams.limit(openAt(dir.resolve(name), offset), length);
    }

    @Override
    public void delete() {
      deleteRecursively(dir);
    }
  }

  /**
   * Attempts write under {@code staging/_attempts/<attempt>/}; a task commit renames the file into
   * the staging directory; the job commit adds {@code _SUCCESS} and renames the staging directory
   * to the output directory, so the output appears whole or not at all.
   */
  static final class LocalJobOutput implements JobOutput {
    private final String spelled;
    private final Path out;
    private final Path staging;
    private final Path attempts;
    private final Path firstCreatedParent;
    /** Opened by {@link #attachOutput}: task files only; the creator commits or aborts the job. */
    private final boolean attached;

    LocalJobOutput(String spelled, Path out, Path staging, Path firstCreatedParent, boolean attached) {
      this.spelled = spelled;
      this.out = out;
      this.staging = staging;
      this.attempts = staging.resolve("_attempts");
      this.firstCreatedParent = firstCreatedParent;
      this.attached = attached;
    }

    @Override
    public TaskOutput create(String fileName, String attemptId) throws IOException {
      // One level at a time, never the staging directory itself: a stale attempt that starts after
      // the job committed (or aborted) must fail, not bring the staging directory back beside the
      // output.
      try {
        Files.createDirectory(attempts);
      } catch (FileAlreadyExistsException exists) {
        // other attempts made it
      } catch (NoSuchFileException gone) {
        throw new NoSuchFileException(staging.toString(), null, "the job's output was already committed or aborted");
      }
      Path dir = attempts.resolve(attemptId);
      try {
        Files.createDirectory(dir);
      } catch (FileAlreadyExistsException again) {
        // the same attempt's earlier file of another name
      }
      Path file = dir.resolve(fileName);
      OutputStream stream = Files.newOutputStream(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
      return new TaskOutput() {
        private boolean done;

        @Override
        public OutputStream stream() {
          return stream;
        }

        @Override
        public void commit() throws IOException {
          stream.close();
          Path target = staging.resolve(fileName);
          if (Files.exists(target)) {
            throw new FileAlreadyExistsException(target.toString(), null, "task output already committed");
          }
          Files.move(file, target, StandardCopyOption.ATOMIC_MOVE);
          done = true;
          deleteIfEmpty(dir);
        }

        @Override
        public void abort() {
          if (!done) {
            done = true;
            try {
              stream.close();
            } catch (IOException ignored) {
              // the file goes anyway
            }
            deleteRecursively(file);
            deleteIfEmpty(dir);
          }
        }

        @Override
        public void close() {
          abort();
        }
      };
    }

    @Override
    public List<URI> commit() throws IOException {
      if (attached) {
        throw new IllegalStateException("only the process that created job output " + spelled + " commits it");
      }
      deleteRecursively(attempts);
      Files.createFile(staging.resolve(SUCCESS_MARKER));
      if (Files.exists(out, LinkOption.NOFOLLOW_LINKS)) {
        throw new FileAlreadyExistsException(spelled, null, "output directory appeared while the job ran");
      }
      Files.move(staging, out, StandardCopyOption.ATOMIC_MOVE);
      List<URI> files = new ArrayList<>();
      try (DirectoryStream<Path> dir = Files.newDirectoryStream(out)) {
        for (Path f : dir) {
          if (!f.getFileName().toString().equals(SUCCESS_MARKER)) {
            files.add(f.toUri());
          }
        }
      }
      files.sort(Comparator.comparing(URI::toString));
      return files;
    }

    @Override
    public void abort() {
      if (attached) {
        return;
      }
      deleteRecursively(staging);
      // Parents this job created go too, unless something else was put in them meanwhile.
      for (Path p = staging.getParent(); firstCreatedParent != null && p != null && p.startsWith(firstCreatedParent);
          p = p.getParent()) {
        try {
          Files.deleteIfExists(p);
        } catch (IOException notEmpty) {
          return;
        }
      }
    }
  }

  /**
   * Deletes an attempt's directory once its last file is gone: an attempt may write several files
   * (its own and side outputs), each committed or aborted on its own.
   */
  static void deleteIfEmpty(Path dir) {
    try {
      Files.deleteIfExists(dir);
    } catch (IOException notEmptyOrGone) {
      // another file of the attempt is still there; the job's commit or abort removes the rest
    }
  }

  /** Deletes a tree, ignoring what is already gone; never throws. */
  public static void deleteRecursively(Path root) {
    if (root == null || !Files.exists(root, LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    try (var walk = Files.walk(root)) {
      walk.sorted(Comparator.reverseOrder()).forEach(p -> {
        try {
          Files.deleteIfExists(p);
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      });
    } catch (IOException | UncheckedIOException e) {
      // Best effort: a concurrent deletion or a vanished file is not an error here.
    }
  }
}

package io.mapreduce.lib.streaming;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * A command for a streaming mapper, reducer or combiner: what {@code /bin/sh -c} runs, the
 * environment variables set for it, and the files and unpacked archives present in its working
 * directory.
 *
 * <p>The bytes of files and archives are read when the program is built and travel inside it
 * (Kryo-encoded with the job, to a cluster's workers too), so a script needs no shared file
 * system. Immutable.
 */
public final class StreamingProgram {
  /** Plain arrays and lists rather than immutable collections: the program is copied with Kryo. */
  private final String command;
  private final String[] envNames;
  private final String[] envValues;
  private final String[] fileNames;
  private final byte[][] fileContents;
  private final boolean[] fileExecutable;
  private final String[] archiveNames;
  private final byte[][] archiveContents;
  /**
   * Their SHA-256, computed when built; a receiving JVM does not trust it (the job's bytes may come
   * from a peer, and the digest names a directory there and keys a copy other jobs share): it
   * computes its own and refuses the program when they differ.
   */
  private final String[] archiveDigests;
  /**
   * The digests computed in this JVM from the bytes, once the fields are checked: transient, so
   * Kryo ships none and the receiving side computes them; null until then.
   */
  private transient volatile String[] checkedDigests;

  private StreamingProgram(Builder b) {
    this.command = b.command;
    this.envNames = b.env.keySet().toArray(new String[0]);
    this.envValues = b.env.values().toArray(new String[0]);
    this.fileNames = b.fileNames.toArray(new String[0]);
    this.fileContents = b.fileContents.toArray(new byte[0][]);
    this.fileExecutable = new boolean[fileNames.length];
    for (int i = 0; i < fileNames.length; i++) {
      fileExecutable[i] = b.fileExecutable.get(i);
    }
    this.archiveNames = b.archiveNames.toArray(new String[0]);
    this.archiveContents = b.archiveContents.toArray(new byte[0][]);
    this.archiveDigests = new String[archiveContents.length];
    for (int i = 0; i < archiveContents.length; i++) {
      archiveDigests[i] = StreamingArchives.digest(archiveContents[i]);
    }
    this.checkedDigests = archiveDigests.clone();
  }

  /** A program that runs {@code command} through {@code /bin/sh -c}, with no variables or files. */
  public static StreamingProgram of(String command) {
    return builder(command).build();
  }

  /**
   * Starts a program that runs {@code command} through {@code /bin/sh -c}.
   *
   * @throws NullPointerException if {@code command} is null
   * @throws IllegalArgumentException if {@code command} is blank
   */
  public static Builder builder(String command) {
    return new Builder(command);
  }

  /** The command line, as {@code /bin/sh -c} gets it. */
  public String command() {
    return command;
  }

  /** The variables set for the program (besides the task's environment), in the order given. */
  public Map<String, String> environment() {
    Map<String, String> env = new LinkedHashMap<>();
    for (int i = 0; i < envNames.length; i++) {
      env.put(envNames[i], envValues[i]);
    }
    return Collections.unmodifiableMap(env);
  }

  /** The names of the files placed in the program's working directory. */
  public List<String> fileNames() {
    return List.of(fileNames);
  }

  /** The names of the directories in the program's working directory that hold its unpacked archives. */
  public List<String> archiveNames() {
    return List.of(archiveNames);
  }

  /**
   * Taken to start a program, and to open or close a program file for writing: a process forked
   * in this JVM while another attempt's script is open for writing inherits that descriptor, and
   * the script then fails to run with "Text file busy" (ETXTBSY) until that child drops it. Held
   * by the start for all of that time: {@link ProcessBuilder#start} returns only once the child has
   * executed its command (the JDK waits on a close-on-exec pipe), having closed every descriptor
   * it inherited before that, so when the lock is free no child holds another's script open. A
   * file being written therefore needs the lock only around its open and its close (short), not
   * while its bytes are written: a multi-GB file of an archive would otherwise block every start.
   */
  static final Object SPAWN_LOCK = new Object();

  /** What fills a file {@link #writeNewFile} writes. */
  interface Contents {
    void writeTo(OutputStream out) throws IOException;
  }

  /** Creates {@code file} (a new one, not through a link) and fills it, opened and closed under {@link #SPAWN_LOCK}. */
  static void writeNewFile(Path file, Contents contents) throws IOException {
    OutputStream out;
    synchronized (SPAWN_LOCK) {
      out = Files.newOutputStream(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE,
          LinkOption.NOFOLLOW_LINKS);
    }
    try {
      contents.writeTo(out);
    } catch (IOException | RuntimeException e) {
      synchronized (SPAWN_LOCK) {
        try {
          out.close();
        } catch (IOException suppressed) {
          e.addSuppressed(suppressed);
        }
      }
      throw e;
    }
    synchronized (SPAWN_LOCK) {
      out.close();
    }
  }

  /**
   * Writes the files into a working directory (executable ones made executable) and links the
   * archives there, unpacked (once per JVM: see {@link StreamingArchives}); when it returns, the
   * caller calls {@link #releaseFiles} once it has removed the directory. When it throws, it has
   * released what it placed.
   *
   * @throws IOException naming the file or archive at fault, also when the program's fields (as
   *     decoded from a job's bytes, no constructor run) are not what a builder makes
   */
  void writeFiles(Path directory) throws IOException {
    String[] digests = checkedDigests();
    int placed = 0;
    try {
      for (; placed < archiveNames.length; placed++) {
        StreamingArchives.place(archiveNames[placed], archiveContents[placed], digests[placed], directory);
      }
      for (int i = 0; i < fileNames.length; i++) {
        Path f = directory.resolve(fileNames[i]);
        byte[] content = fileContents[i];
        writeNewFile(f, out -> out.write(content));
        if (fileExecutable[i]) {
          f.toFile().setExecutable(true, false);
        }
      }
    } catch (IOException | RuntimeException e) {
      for (int j = 0; j < placed; j++) {
        StreamingArchives.release(digests[j]);
      }
      throw e;
    }
  }

  /**
   * Says a working directory that {@link #writeFiles} filled is gone (its archives then unused by
   * it); once per successful {@code writeFiles}.
   */
  void releaseFiles() {
    for (String digest : checkedDigests) {
      StreamingArchives.release(digest);
    }
  }

  /**
   * The archives' SHA-256, computed here from their bytes (once per decoded program), after
   * checking the fields as the builder would have: Kryo fills them without running a constructor.
   */
  private String[] checkedDigests() throws IOException {
    String[] digests = checkedDigests;
    if (digests != null) {
      return digests;
    }
    if (fileNames == null || fileContents == null || fileExecutable == null || archiveNames == null
        || archiveContents == null || archiveDigests == null || fileContents.length != fileNames.length
        || fileExecutable.length != fileNames.length || archiveContents.length != archiveNames.length
        || archiveDigests.length != archiveNames.length) {
      throw new IOException("streaming program '" + command + "': its files or archives were not decoded whole");
    }
    Set<String> names = new HashSet<>();
    for (int i = 0; i < fileNames.length + archiveNames.length; i++) {
      String name = i < fileNames.length ? fileNames[i] : archiveNames[i - fileNames.length];
      byte[] content = i < fileNames.length ? fileContents[i] : archiveContents[i - fileNames.length];
      if (name == null || content == null || !isPlainName(name) || !names.add(name)) {
        throw new IOException("streaming program '" + command + "': bad file or archive name '" + name + "'");
      }
    }
    digests = new String[archiveNames.length];
    for (int i = 0; i < digests.length; i++) {
      digests[i] = StreamingArchives.digest(archiveContents[i]);
      if (!digests[i].equals(archiveDigests[i])) {
        throw new IOException("archive " + archiveNames[i] + ": its bytes do not have the SHA-256 the job says ("
            + archiveDigests[i] + "); refused");
      }
    }
    checkedDigests = digests;
    return digests;
  }

  private static boolean isPlainName(String name) {
    return !name.isEmpty() && !name.equals(".") && !name.equals("..") && name.indexOf('/') < 0 && name.indexOf('\0') < 0;
  }

  @Override
  public String toString() {
    return command;
  }

  /** Builds a {@link StreamingProgram}; each setter checks its argument. */
  public static final class Builder {
    private final String command;
    private final Map<String, String> env = new LinkedHashMap<>();
    private final List<String> fileNames = new ArrayList<>();
    private final List<byte[]> fileContents = new ArrayList<>();
    private final List<Boolean> fileExecutable = new ArrayList<>();
    private final List<String> archiveNames = new ArrayList<>();
    private final List<byte[]> archiveContents = new ArrayList<>();

    private Builder(String command) {
      Objects.requireNonNull(command, "command");
      if (command.isBlank()) {
        throw new IllegalArgumentException("the command is blank");
      }
      this.command = command;
    }

    /**
     * Sets an environment variable for the program (as Hadoop's {@code -cmdenv NAME=VALUE}).
     *
     * @throws NullPointerException if {@code name} or {@code value} is null
     * @throws IllegalArgumentException if {@code name} is empty or holds {@code =} or a NUL, or was
     *     already set
     */
    public Builder env(String name, String value) {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(value, "value");
      if (name.isEmpty() || name.indexOf('=') >= 0 || name.indexOf('\0') >= 0) {
        throw new IllegalArgumentException("bad environment variable name: '" + name + "'");
      }
      if (value.indexOf('\0') >= 0) {
        throw new IllegalArgumentException("the value of " + name + " holds a NUL character");
      }
      if (env.containsKey(name)) {
        throw new IllegalArgumentException("environment variable " + name + " is already set");
      }
      env.put(name, value);
      return this;
    }

    /**
     * Reads a regular file now and places a copy, under its own name, in the program's working
     * directory (as Hadoop's {@code -file}); an executable file stays executable.
     *
     * @throws NullPointerException if {@code path} is null
     * @throws IllegalArgumentException if {@code path} is not a regular file, or a file of that name
     *     was already added
     * @throws UncheckedIOException if the file cannot be read
     */
    public Builder file(Path path) {
      Objects.requireNonNull(path, "path");
      if (!Files.isRegularFile(path)) {
        throw new IllegalArgumentException("not a regular file: " + path);
      }
      try {
        return file(path.getFileName().toString(), Files.readAllBytes(path), Files.isExecutable(path));
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read " + path + ": " + e.getMessage(), e);
      }
    }

    /**
     * Places a file with these bytes in the program's working directory.
     *
     * @throws NullPointerException if {@code name} or {@code content} is null
     * @throws IllegalArgumentException if {@code name} is not a plain file name, or was already added
     */
    public Builder file(String name, byte[] content, boolean executable) {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(content, "content");
      checkNewName(name);
      fileNames.add(name);
      fileContents.add(Arrays.copyOf(content, content.length));
      fileExecutable.add(executable);
      return this;
    }

    /**
     * Places an archive, unpacked, in the program's working directory as the directory
     * {@code dirName} (as Hadoop's {@code -archives venv.tgz#venv}); its format is read from its
     * bytes: zip (jar too), tar, or tar compressed with gzip (.tar.gz, .tgz). Permission bits of its
     * entries are kept, and its files are made readable and executable (as Hadoop makes them). A JVM unpacks an archive once, for all the attempts it runs, and removes it
     * when it exits; entries that would land outside the directory, and archives that unpack to more
     * than 8 GiB, fail the attempt naming the archive.
     *
     * @throws NullPointerException if {@code dirName} or {@code content} is null
     * @throws IllegalArgumentException if {@code dirName} is not a plain file name or was already
     *     added (as a file or an archive), or {@code content} is not an archive of those formats
     */
    public Builder archive(String dirName, byte[] content) {
      Objects.requireNonNull(dirName, "dirName");
      Objects.requireNonNull(content, "content");
      checkNewName(dirName);
      if (StreamingArchives.format(content) == null) {
        throw new IllegalArgumentException("archive " + dirName + " is not a zip, jar, tar or tar.gz archive");
      }
      archiveNames.add(dirName);
      archiveContents.add(Arrays.copyOf(content, content.length));
      return this;
    }

    private void checkNewName(String name) {
      if (!isPlainName(name)) {
        throw new IllegalArgumentException("not a plain file name: '" + name + "'");
      }
      if (fileNames.contains(name) || archiveNames.contains(name)) {
        throw new IllegalArgumentException("a file or archive named " + name + " was already added");
      }
    }

    public StreamingProgram build() {
      return new StreamingProgram(this);
    }
  }
}

package io.mapreduce.examples.cli;

import io.mapreduce.internal.io.Storages;
import io.mapreduce.spi.InputFile;
import io.mapreduce.spi.Storage;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The files ({@code --file}) and archives ({@code --archive}) of a streaming job, read at submit
 * time from local disk or S3 (as Hadoop's {@code -files} and {@code -archives} take them from any
 * file system), to travel with the job. Each travels once with each program (mapper, reducer,
 * combiner), inside the one message that submits the job to a cluster, whose frames are at most
 * 64 MiB: so all that together must stay within {@link #MAX_BYTES}, checked here, before anything
 * runs, rather than found as a protocol error later.
 */
final class ShippedFiles {
  /** What a job may carry in files and archives, all programs counted: 48 MiB, below the 64 MiB frame. */
  static final long MAX_BYTES = 48L << 20;

  /** One file or archive: the option and argument it came from, its name in the working directory, its bytes. */
  record Shipped(String option, String spec, String name, byte[] content, boolean executable) {}

  private ShippedFiles() {}

  /**
   * Reads every {@code PATH[#NAME]} of {@code --file} and {@code --archive}, for {@code programs}
   * programs.
   *
   * @throws IllegalArgumentException naming the file or object that is missing or unreadable, or
   *     saying the size and the limit when they would not fit in a job
   */
  static List<Shipped> read(String option, List<String> specs, List<Shipped> before, int programs) {
    List<Shipped> all = new ArrayList<>(before);
    for (String spec : specs) {
      long sum = all.stream().mapToLong(s -> s.content().length).sum();
      all.add(readOne(option, spec, sum, programs));
    }
    return all;
  }

  private static Shipped readOne(String option, String spec, long before, int programs) {
    int hash = spec.lastIndexOf('#');
    String path = hash < 0 ? spec : spec.substring(0, hash);
    // Hadoop's PATH#NAME: it appears in the working directory as NAME; else under its own name.
    String name = hash < 0 ? path.substring(path.lastIndexOf('/') + 1) : spec.substring(hash + 1);
    if (path.isEmpty() || name.isEmpty()) {
      throw new IllegalArgumentException(option + " " + spec + ": PATH[#NAME] expected");
    }
    try {
      if (Storages.schemeOf(path).equals("file")) {
        Path local = Path.of(path.startsWith("file:") ? path.substring("file:".length()) : path);
        if (!Files.isRegularFile(local)) {
          throw new IllegalArgumentException(option + " " + spec + ": no such file " + local);
        }
        checkRoom(option, spec, Files.size(local), before, programs);
        return new Shipped(option, spec, name, Files.readAllBytes(local), Files.isExecutable(local));
      }
      Storage storage = Storages.forPath(path);
      List<InputFile> found;
      try {
        found = storage.listInputs(path);
      } catch (NoSuchFileException missing) {
        throw new IllegalArgumentException(option + " " + spec + ": no such object "
            + path + (missing.getReason() == null ? "" : " (" + missing.getReason() + ")"));
      }
      if (found.size() != 1 || !found.get(0).path().equals(path)) {
        throw new IllegalArgumentException(option + " " + spec + ": no such object " + path
            + " (a prefix of " + found.size() + " objects is not a file)");
      }
      checkRoom(option, spec, found.get(0).length(), before, programs);
      try (InputStream in = storage.open(found.get(0), 0)) {
        return new Shipped(option, spec, name, in.readAllBytes(), false);
      }
    } catch (IOException e) {
      throw new IllegalArgumentException(option + " " + spec + ": cannot read " + path + ": " + e.getMessage(), e);
    }
  }

  private static void checkRoom(String option, String spec, long size, long before, int programs) {
    long total = (before + size) * programs;
    if (total > MAX_BYTES) {
      throw new IllegalArgumentException(option + " " + spec + " (" + mib(size) + ") brings the files and archives"
          + " the job carries to " + mib(total) + (programs > 1 ? " (once for each of its " + programs + " programs)" : "")
          + ", above the " + mib(MAX_BYTES) + " a job can carry");
    }
  }

  private static String mib(long bytes) {
    return String.format(Locale.ROOT, "%.1f MiB", bytes / (double) (1 << 20));
  }
}

package io.mapreduce.internal.engine;

import io.mapreduce.internal.io.Storages;
import io.mapreduce.internal.shuffle.RunIndex;
import io.mapreduce.internal.shuffle.RunWriter;
import io.mapreduce.spi.SharedDirectory;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.BooleanSupplier;

/**
 * Map outputs kept in shared storage (a job's {@code intermediate} directory, such as
 * {@code s3://bucket/tmp/<job-id>/}) instead of on the disk of the worker that ran the map, so
 * that they outlive it. Each map attempt publishes its run file and then its index, each written
 * whole under a name that holds the attempt number, so attempts never collide and need no commit
 * arbitration. A reducer reads the index, then its partition with one ranged read, into a local
 * run file of one partition, as a fetch from a worker writes it. The master creates the directory
 * when the job starts and deletes it when the job ends.
 */
public final class SharedMapOutputs {
  /** Bytes of map output (runs and indexes) a job's map attempts wrote to shared storage. */
  public static final String BYTES_WRITTEN = "map.output.shared.bytes";
  private static final int COPY_BUFFER_BYTES = 1 << 16;

  private final String jobId;
  private final SharedDirectory directory;
  private final int reduceTasks;

  SharedMapOutputs(String jobId, String directory, int reduceTasks) throws IOException {
    this.jobId = jobId;
    this.directory = Storages.forPath(directory).sharedDirectory(directory);
    this.reduceTasks = reduceTasks;
  }

  /**
   * The directory of one job's shared map outputs under the job's {@code intermediate} setting.
   *
   * @throws IllegalArgumentException when the job id is not one plain path segment: the directory
   *     is deleted when the job ends, and must not be the intermediate directory itself or outside it
   */
  public static String directory(String intermediate, String jobId) {
    if (jobId.isEmpty() || jobId.equals(".") || jobId.equals("..") || jobId.contains("/") || jobId.contains("\\")) {
      throw new IllegalArgumentException("job id '" + jobId + "' cannot name a directory of map outputs");
    }
    return (intermediate.endsWith("/") ? intermediate : intermediate + "/") + jobId;
  }

  private static String dataName(int mapIndex, int attempt) {
    return String.format("m-%05d.%d.data", mapIndex, attempt);
  }

  private static String indexName(int mapIndex, int attempt) {
    return String.format("m-%05d.%d.index", mapIndex, attempt);
  }

  /**
   * Publishes one map attempt's run file and index, the index last, so that it marks a whole
   * output; returns the bytes written. Not once the attempt is stopped: a killed attempt, or one of
   * a job that ended, must not write after the master deleted the directory.
   */
  long publish(int mapIndex, int attempt, Path data, Path index, BooleanSupplier stopped) throws IOException {
    checkRunning(stopped, "map attempt stopped before publishing its output");
    directory.put(dataName(mapIndex, attempt), data);
    checkRunning(stopped, "map attempt stopped before publishing its output");
    directory.put(indexName(mapIndex, attempt), index);
    return Files.size(data) + Files.size(index);
  }

  private static void checkRunning(BooleanSupplier stopped, String message) throws InterruptedIOException {
    if (stopped.getAsBoolean()) {
      throw new InterruptedIOException(message);
    }
  }

  /**
   * Reads partition {@code partition} of a published map output into {@code target}, with the
   * index of that one partition beside it ({@link RunWriter#indexOf}); returns the bytes read.
   * Gives up, throwing, once {@code stopped} says the reduce attempt was stopped.
   */
  public long fetch(int mapIndex, int attempt, int partition, Path target, BooleanSupplier stopped)
      throws IOException {
    String indexName = indexName(mapIndex, attempt);
    Path indexCopy = target.resolveSibling(target.getFileName() + ".shared-index");
    RunIndex index;
    try {
      try (InputStream in = directory.read(indexName, 0, RunIndex.sizeOf(reduceTasks))) {
        copy(in, indexCopy, stopped);
      }
      index = RunIndex.read(indexCopy);
    } catch (IOException e) {
      throw new IOException(name(indexName) + ": " + e.getMessage(), e);
    } finally {
      Files.deleteIfExists(indexCopy);
    }
    if (index.partitions() != reduceTasks) {
      throw new IOException(name(indexName) + " indexes " + index.partitions() + " partitions, not " + reduceTasks);
    }
    long length = index.lengths()[partition];
    String dataName = dataName(mapIndex, attempt);
    try (InputStream in = length == 0 ? InputStream.nullInputStream()
        : directory.read(dataName, index.offsets()[partition], length)) {
      long copied = copy(in, target, stopped);
      if (copied != length) {
        throw new IOException(name(dataName) + ": partition " + partition + " ended after " + copied + " of " + length
            + " bytes");
      }
    }
    RunIndex.ofOneSegment(length, index.records()[partition], index.checksums()[partition], index.compressed())
        .write(RunWriter.indexOf(target));
    return length;
  }

  private String name(String file) {
    return directory.path() + "/" + file + " (job " + jobId + ")";
  }

  /** Copies a stream into a new file, checking between buffers whether to give up. */
  private static long copy(InputStream in, Path target, BooleanSupplier stopped) throws IOException {
    byte[] buffer = new byte[COPY_BUFFER_BYTES];
    long copied = 0;
    try (OutputStream out = Files.newOutputStream(target)) {
      for (int n; (n = in.read(buffer)) >= 0; ) {
        checkRunning(stopped, "reduce attempt stopped while reading map outputs");
        out.write(buffer, 0, n);
        copied += n;
      }
    }
    return copied;
  }
}

package io.mapreduce.internal.engine;

import com.google.common.io.ByteStreams;
import io.mapreduce.internal.io.Storages;
import io.mapreduce.internal.shuffle.RunIndex;
import io.mapreduce.internal.shuffle.RunWriter;
import io.mapreduce.spi.InputFile;
import io.mapreduce.spi.JobOutput;
import io.mapreduce.spi.Storage;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * Map outputs kept in shared storage (a job's {@code intermediate} directory, such as
 * {@code s3://bucket/tmp/<job-id>/}) instead of on the disk of the worker that ran the map, so
 * that they outlive it. Each map attempt publishes its run file and its index as two task files
 * of a {@link JobOutput} the master prepared, committed as the attempt ends; the attempt number
 * in their names keeps attempts apart, so no commit arbitration is needed. A reducer reads the
 * index, then its partition with one ranged read, into a local run file of one partition, as a
 * fetch from a worker writes it. The master aborts the output when the job ends, which removes
 * everything (for S3, with the uploads killed attempts left).
 */
public final class SharedMapOutputs {
  private final String jobId;
  private final Storage storage;
  private final JobOutput output;
  private final int reduceTasks;

  SharedMapOutputs(String jobId, String directory, int reduceTasks) throws IOException {
    this.jobId = jobId;
    this.storage = Storages.forPath(directory);
    this.output = storage.attachOutput(directory, jobId);
    this.reduceTasks = reduceTasks;
  }

  /** The directory of one job's shared map outputs under the job's {@code intermediate} setting. */
  public static String directory(String intermediate, String jobId) {
    return (intermediate.endsWith("/") ? intermediate : intermediate + "/") + jobId;
  }

  private static String dataName(int mapIndex, int attempt) {
    return String.format("m-%05d.%d.data", mapIndex, attempt);
  }

  private static String indexName(int mapIndex, int attempt) {
    return String.format("m-%05d.%d.index", mapIndex, attempt);
  }

  /** Publishes one map attempt's run file and index; the index last, so it marks a whole output. */
  void publish(int mapIndex, int attempt, Path data, Path index) throws IOException {
    String attemptId = String.format("m-%05d.%d", mapIndex, attempt);
    upload(data, dataName(mapIndex, attempt), attemptId);
    upload(index, indexName(mapIndex, attempt), attemptId);
  }

  private void upload(Path file, String name, String attemptId) throws IOException {
    try (JobOutput.TaskOutput out = output.create(name, attemptId)) {
      OutputStream stream = out.stream();
      Files.copy(file, stream);
      out.commit();
    }
  }

  /**
   * Reads partition {@code partition} of a published map output into {@code target}, with the
   * index of that one partition beside it ({@link RunWriter#indexOf}); returns the bytes read.
   */
  public long fetch(int mapIndex, int attempt, int partition, Path target) throws IOException {
    long indexBytes = RunIndex.sizeOf(reduceTasks);
    Path indexCopy = target.resolveSibling(target.getFileName() + ".shared-index");
    RunIndex index;
    try {
      try (InputStream in = storage.open(new InputFile(output.committedFile(indexName(mapIndex, attempt)), indexBytes),
          0)) {
        Files.copy(ByteStreams.limit(in, indexBytes), indexCopy, StandardCopyOption.REPLACE_EXISTING);
      }
      index = RunIndex.read(indexCopy);
    } finally {
      Files.deleteIfExists(indexCopy);
    }
    if (index.partitions() != reduceTasks) {
      throw new IOException("job " + jobId + ": map " + mapIndex + " attempt " + attempt + " has "
          + index.partitions() + " partitions, not " + reduceTasks);
    }
    long offset = index.offsets()[partition];
    long length = index.lengths()[partition];
    if (length > 0) {
      String data = output.committedFile(dataName(mapIndex, attempt));
      try (InputStream in = storage.open(new InputFile(data, offset + length), offset)) {
        long copied = Files.copy(ByteStreams.limit(in, length), target, StandardCopyOption.REPLACE_EXISTING);
        if (copied != length) {
          throw new IOException(data + ": partition " + partition + " ended after " + copied + " of " + length
              + " bytes");
        }
      }
    } else {
      Files.deleteIfExists(target);
      Files.createFile(target);
    }
    new RunIndex(new long[] {0}, new long[] {length}, new long[] {index.records()[partition]},
        new int[] {index.checksums()[partition]}, index.compressed()).write(RunWriter.indexOf(target));
    return length;
  }
}

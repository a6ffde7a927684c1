package io.mapreduce.spi;

import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.util.List;

/**
 * A job's output while the job runs. Task attempts write files that stay invisible until the
 * attempt commits; committed files stay invisible until the job commits, which adds the
 * {@code _SUCCESS} marker. A job that fails or is cancelled aborts, and leaves nothing behind.
 */
public interface JobOutput {

  /** Starts one attempt's output file (such as {@code mr-out-00003}). */
  TaskOutput create(String fileName, String attemptId) throws IOException;

  /** Publishes every committed task file and the {@code _SUCCESS} marker; returns the files. */
  List<URI> commit() throws IOException;

  /** Removes everything this job wrote; never throws. */
  void abort();

  /** One attempt's output file. */
  interface TaskOutput extends AutoCloseable {

    /** Where the attempt writes; closed by {@link #commit()} or {@link #abort()}. */
    OutputStream stream();

    /**
     * Makes this attempt's file the task's output, atomically.
     *
     * @throws java.nio.file.FileAlreadyExistsException if another attempt of the task committed
     */
    void commit() throws IOException;

    /** Discards this attempt's file; never throws. */
    void abort();

    /** Aborts unless committed. */
    @Override
    void close();
  }
}

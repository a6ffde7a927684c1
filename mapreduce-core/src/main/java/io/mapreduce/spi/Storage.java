package io.mapreduce.spi;

import java.io.IOException;
import java.io.InputStream;
import java.util.List;

/**
 * Where input is read from and output committed to, chosen by the scheme of a path: local files
 * (no scheme, or {@code file:}) are built in; others (such as {@code s3://}) are found with
 * {@link java.util.ServiceLoader}.
 */
public interface Storage {

  /** The URI scheme this storage serves, such as {@code file} or {@code s3}. */
  String scheme();

  /**
   * Expands one input: a file, a directory (its files, except names starting with {@code _} or
   * {@code .}), or a glob. Returns the files in path order.
   *
   * @throws java.nio.file.NoSuchFileException naming the input when it does not exist or a glob
   *     matches nothing
   */
  List<InputFile> listInputs(String pattern) throws IOException;

  /**
   * What makes two listed files the same file, so that an input reached through two spellings is
   * read once: by default the path as listed.
   */
  default String identity(InputFile file) {
    return file.path();
  }

  /**
   * Opens a file for reading from a byte offset to its end, which is {@code file.length()}: a
   * storage may stop there even if the file has grown, and a caller may pass a shorter length to
   * read a range.
   */
  InputStream open(InputFile file, long offset) throws IOException;

  /**
   * Prepares a job's output directory. Nothing becomes visible there before
   * {@link JobOutput#commit()}.
   *
   * @throws java.nio.file.FileAlreadyExistsException when the directory already exists; it is
   *     left untouched
   */
  JobOutput createOutput(String directory, String jobId) throws IOException;

  /**
   * Opens, in another process, the output that {@link #createOutput} prepared for the same job:
   * a cluster's workers write and commit task files through it, and the master, which created
   * it, commits or aborts the job. Its {@link JobOutput#commit()} and {@link JobOutput#abort()}
   * are the creator's: here the first throws {@link IllegalStateException} and the second does
   * nothing.
   *
   * @throws IOException when the prepared output is not there (for local files: the directory is
   *     not on a file system this machine shares with the master), or this storage cannot share
   *     an output between processes
   */
  default JobOutput attachOutput(String directory, String jobId) throws IOException {
    throw new IOException("storage '" + scheme() + "' cannot share a job's output between processes");
  }

  /**
   * Re-opens, in a restarted master, the output that {@link #createOutput} prepared for a job
   * that is still running: task files already committed stay, and the job commits or aborts as
   * if the master had never stopped.
   *
   * @throws IOException when the prepared output is gone, or this storage cannot resume one
   */
  default JobOutput resumeOutput(String directory, String jobId) throws IOException {
    throw new IOException("storage '" + scheme() + "' cannot resume a job's output");
  }

  /**
   * A directory of this storage for scratch files shared by a cluster's machines (a job's map
   * outputs, with {@code intermediate} set). Makes nothing yet: see {@link SharedDirectory#create()}.
   *
   * @throws IOException when this storage cannot hold shared scratch files
   */
  default SharedDirectory sharedDirectory(String directory) throws IOException {
    throw new IOException("storage '" + scheme() + "' cannot hold shared intermediate data");
  }
}

package io.mapreduce.spi;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;

/**
 * A directory of scratch files that every machine of a cluster reads and writes: where a job keeps
 * its map outputs when they must outlive the worker that made them (its {@code intermediate}
 * setting). Files are written whole from local files, read by byte range, and deleted together
 * when the job ends. Nothing here is ever committed: it is not output.
 */
public interface SharedDirectory {

  /**
   * Creates the directory, which must not exist yet (a directory, or a prefix that holds objects),
   * and checks that it can be written (a bucket that exists and accepts a write), writing a
   * marker file. {@link #delete()} removes everything under it, so it must hold nothing it was
   * not made for.
   *
   * @throws java.nio.file.FileAlreadyExistsException when it exists already
   * @throws java.nio.file.NoSuchFileException naming what is missing, such as the bucket
   * @throws java.nio.file.AccessDeniedException when writing is refused
   */
  void create() throws IOException;

  /**
   * Writes a local file as {@code name}, so that it becomes visible whole or not at all.
   *
   * @throws java.nio.file.FileAlreadyExistsException if the storage can tell that {@code name}
   *     was written already (names are meant to be written once)
   */
  void put(String name, Path source) throws IOException;

  /** Opens {@code length} bytes of file {@code name} from {@code offset}. */
  InputStream read(String name, long offset, long length) throws IOException;

  /**
   * Deletes every file of the directory and the directory, and for storages that have them, the
   * unfinished uploads under it. Idempotent: a directory already gone is no error.
   */
  void delete() throws IOException;

  /** The directory as the user would spell it, for messages. */
  String path();
}

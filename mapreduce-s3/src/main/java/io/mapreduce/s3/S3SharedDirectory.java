package io.mapreduce.s3;

import io.mapreduce.thirdparty.com.google.common.io.ByteStreams;
import io.mapreduce.spi.SharedDirectory;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.ContentStreamProvider;

/**
 * Shared scratch files under an S3 prefix: a file up to {@link #SINGLE_PUT_BYTES} is one PUT from
 * the local file, a larger one a multipart upload of parts read from the file, a few at once (a
 * failed upload is aborted); either way the object appears whole. Reads are ranged GETs. Deleting removes every
 * object under the prefix and aborts the uploads left there (by attempts killed mid-upload).
 */
final class S3SharedDirectory implements SharedDirectory {
  /** Above this a file goes in parts: S3 takes at most 5 GiB in one PUT, and parts can be retried alone. */
  static final long SINGLE_PUT_BYTES = 64L << 20;
  static final long PART_BYTES = 32L << 20;
  /** Parts of one file uploaded at once. */
  static final int PARALLEL_PARTS = 4;
  private static final String MARKER = "_job";

  private final S3Storage storage;
  private final S3Path dir;
  private final long singlePutBytes;
  private final long partBytes;

  S3SharedDirectory(S3Storage storage, S3Path dir) {
    this(storage, dir, SINGLE_PUT_BYTES, PART_BYTES);
  }

  /** With other sizes (tests: S3 takes parts of 5 MiB and more, but for the last). */
  S3SharedDirectory(S3Storage storage, S3Path dir, long singlePutBytes, long partBytes) {
    if (dir.directoryPrefix().isEmpty()) {
      // delete() removes everything under the prefix: here, the whole bucket.
      throw new IllegalArgumentException(dir + ": a whole bucket cannot be a job's shared directory");
    }
    this.storage = storage;
    this.dir = dir;
    this.singlePutBytes = singlePutBytes;
    this.partBytes = partBytes;
  }

  private String key(String name) {
    return dir.directoryPrefix() + name;
  }

  @Override
  public String path() {
    String prefix = dir.directoryPrefix();
    return dir.uri(prefix.endsWith("/") ? prefix.substring(0, prefix.length() - 1) : prefix);
  }

  @Override
  public void create() throws IOException {
    try {
      // S3 has no exclusive "mkdir": a prefix that holds objects already is not this job's to
      // delete when it ends. (Another writer may still race this check; a job id is a fresh UUID.)
      if (!storage.client().listObjectsV2(b -> b.bucket(dir.bucket()).prefix(dir.directoryPrefix()).maxKeys(1))
          .contents().isEmpty()) {
        throw new FileAlreadyExistsException(path(), null, "it holds objects already");
      }
      storage.client().putObject(b -> b.bucket(dir.bucket()).key(key(MARKER)), RequestBody.empty());
    } catch (SdkException e) {
      throw S3Storage.failure(path(), e);
    }
  }

  @Override
  public void put(String name, Path source) throws IOException {
    String key = key(name);
    long size = Files.size(source);
    try {
      if (size <= singlePutBytes) {
        storage.client().putObject(b -> b.bucket(dir.bucket()).key(key), RequestBody.fromFile(source));
      } else {
        putInParts(key, source, size);
      }
    } catch (SdkException e) {
      throw S3Storage.failure(dir.uri(key), e);
    }
  }

  /**
   * Uploads the file in parts, up to {@link #PARALLEL_PARTS} at once (one connection each: S3's
   * throughput per connection is the limit, not the disk). Each part's body opens the file at its
   * range again for a retry, so the SDK can retry a part on its own.
   */
  private void putInParts(String key, Path source, long size) throws IOException {
    PartUploads uploads = PartUploads.start(storage, dir.bucket(), key, PARALLEL_PARTS);
    boolean completed = false;
    try {
      for (long offset = 0; offset < size; offset += partBytes) {
        long length = Math.min(partBytes, size - offset);
        uploads.submit(new FileRange(source, offset, length), length);
      }
      uploads.complete();
      completed = true;
    } finally {
      if (!completed) {
        uploads.abort();
      }
    }
  }

  /** A byte range of a file as a part's body: each stream the SDK asks for closes the one before. */
  private static final class FileRange implements ContentStreamProvider, Closeable {
    private final Path file;
    private final long offset;
    private final long length;
    private InputStream open;

    FileRange(Path file, long offset, long length) {
      this.file = file;
      this.offset = offset;
      this.length = length;
    }

    @Override
    public synchronized InputStream newStream() {
      close();
      try {
        FileChannel ch = FileChannel.open(file, StandardOpenOption.READ);
        try {
          ch.position(offset);
        } catch (IOException e) {
          ch.close();
          throw e;
        }
        open = ByteStreams.limit(Channels.newInputStream(ch), length);
        return open;
      } catch (IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    }

    @Override
    public synchronized void close() {
      if (open != null) {
        try {
          open.close();
        } catch (IOException ignored) {
          // a read-only file: nothing was lost
        }
        open = null;
      }
    }
  }

  @Override
  public InputStream read(String name, long offset, long length) throws IOException {
    return storage.getRange(dir.bucket(), key(name), offset, offset + length);
  }

  @Override
  public void delete() throws IOException {
    storage.deletePrefix(dir.bucket(), dir.directoryPrefix());
  }
}

package io.mapreduce.s3;

import io.mapreduce.spi.JobOutput;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Request;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * A job's output under an S3 prefix. S3 has no rename, so nothing is staged: each attempt streams
 * its file as a multipart upload (parts of {@link #PART_BYTES}) and completes it only when the task
 * commits, so a failed or losing attempt leaves no visible object (it aborts its upload; a file
 * smaller than a part is one PUT at commit). The cluster's master grants each task's commit to one
 * attempt. The job commits by writing {@code _SUCCESS} last; it aborts by deleting what it wrote
 * and aborting the uploads left under its prefix.
 */
final class S3JobOutput implements JobOutput {
  private static final Logger log = LoggerFactory.getLogger(S3JobOutput.class);
  /** S3's smallest part is 5 MiB; larger parts mean fewer requests. */
  static final int PART_BYTES = 8 << 20;
  /** Parts of one file uploading at once while the next fills: memory is that many parts more. */
  static final int PARTS_IN_FLIGHT = 2;

  private final S3Storage storage;
  private final S3Path dir;
  private final String jobId;
  /** Opened by {@link S3Storage#attachOutput}: task files only; the creator commits or aborts the job. */
  private final boolean attached;

  S3JobOutput(S3Storage storage, S3Path dir, String jobId, boolean attached) {
    this.storage = storage;
    this.dir = dir;
    this.jobId = jobId;
    this.attached = attached;
  }

  @Override
  public TaskOutput create(String fileName, String attemptId) {
    return new Upload(dir.directoryPrefix() + fileName);
  }

  @Override
  public List<URI> commit() throws IOException {
    if (attached) {
      throw new IllegalStateException("only the process that created job output " + dir + " commits it");
    }
    String prefix = dir.directoryPrefix();
    try {
      storage.client().putObject(PutObjectRequest.builder().bucket(dir.bucket()).key(prefix + "_SUCCESS").build(),
          RequestBody.empty());
      List<URI> files = new ArrayList<>();
      for (S3Object o : storage.client().listObjectsV2Paginator(ListObjectsV2Request.builder().bucket(dir.bucket())
          .prefix(prefix).build()).contents()) {
        if (!o.key().equals(prefix + "_SUCCESS")) {
          files.add(URI.create(dir.uri(o.key())));
        }
      }
      files.sort(null);
      return files;
    } catch (SdkException e) {
      throw S3Storage.failure(dir.toString(), e);
    }
  }

  @Override
  public void abort() {
    if (attached) {
      return;
    }
    try {
      storage.deletePrefix(dir.bucket(), dir.directoryPrefix());
    } catch (IOException e) {
      log.warn("job {}: could not remove everything under {}: {}", jobId, dir, e.getMessage());
    }
  }

  /**
   * One attempt's file: buffered into parts (the buffer grows to a part's size, so a small file
   * costs little), uploaded as they fill, in the background while the next part fills, at most
   * {@link #PARTS_IN_FLIGHT} at once; completed on commit.
   */
  private final class Upload extends OutputStream implements TaskOutput {
    private static final int FIRST_BUFFER_BYTES = 64 << 10;
    private final String key;
    private byte[] part = new byte[FIRST_BUFFER_BYTES];
    private int filled;
    /** Started with the first full part; null while the file fits in one. */
    private PartUploads uploads;
    private boolean done;

    Upload(String key) {
      this.key = key;
    }

    @Override
    public OutputStream stream() {
      return this;
    }

    @Override
    public void write(int b) throws IOException {
      if (filled == part.length) {
        makeRoom();
      }
      part[filled++] = (byte) b;
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      while (len > 0) {
        if (filled == part.length) {
          makeRoom();
        }
        int n = Math.min(len, part.length - filled);
        System.arraycopy(b, off, part, filled, n);
        filled += n;
        off += n;
        len -= n;
      }
    }

    /** Grows the buffer up to a part's size; a full part goes to the uploads. */
    private void makeRoom() throws IOException {
      if (part.length < PART_BYTES) {
        part = java.util.Arrays.copyOf(part, Math.min(PART_BYTES, part.length * 2));
      } else {
        uploadPart();
        part = new byte[PART_BYTES];
      }
    }

    /** Hands the buffer to the uploads; only once they took it does it count as written. */
    private void uploadPart() throws IOException {
      if (uploads == null) {
        uploads = PartUploads.start(storage, dir.bucket(), key, PARTS_IN_FLIGHT);
      }
      byte[] body = part;
      int length = filled;
      uploads.submit(() -> new java.io.ByteArrayInputStream(body, 0, length), length);
      filled = 0;
    }

    @Override
    public void commit() throws IOException {
      if (uploads == null) {
        byte[] body = part;
        int length = filled;
        try {
          storage.client().putObject(PutObjectRequest.builder().bucket(dir.bucket()).key(key).build(),
              RequestBody.fromContentProvider(() -> new java.io.ByteArrayInputStream(body, 0, length), length,
                  "application/octet-stream"));
        } catch (SdkException e) {
          throw S3Storage.failure(dir.uri(key), e);
        }
      } else {
        if (filled > 0) {
          uploadPart();
        }
        uploads.complete();
      }
      done = true;
      part = null;
    }

    @Override
    public void abort() {
      if (done) {
        return;
      }
      done = true;
      part = null;
      if (uploads != null) {
        uploads.abort();
      }
    }

    @Override
    public void close() {
      abort();
    }
  }
}

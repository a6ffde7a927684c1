package io.mapreduce.s3;

import io.mapreduce.thirdparty.com.google.common.util.concurrent.Uninterruptibles;
import java.io.Closeable;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.ContentStreamProvider;
import software.amazon.awssdk.services.s3.model.CompletedMultipartUpload;
import software.amazon.awssdk.services.s3.model.CompletedPart;

/**
 * One multipart upload whose parts go up in the background, at most {@code inFlight} at once,
 * while the caller prepares the next: the first part to fail fails the next {@link #submit} or
 * {@link #complete}. Never cancelled mid-request: {@link #abort} lets the parts already sending
 * finish (a part that lands after its upload was aborted would be stored, invisibly, for good),
 * then aborts the upload.
 */
final class PartUploads {
  private static final Logger log = LoggerFactory.getLogger(PartUploads.class);

  private final S3Storage storage;
  private final String bucket;
  private final String key;
  private final String uploadId;
  private final Semaphore inFlight;
  private final List<Future<CompletedPart>> parts = new ArrayList<>();
  private volatile Throwable failure;
  private volatile boolean aborted;

  private PartUploads(S3Storage storage, String bucket, String key, String uploadId, int inFlight) {
    this.storage = storage;
    this.bucket = bucket;
    this.key = key;
    this.uploadId = uploadId;
    this.inFlight = new Semaphore(inFlight);
  }

  /** Starts an upload of {@code s3://bucket/key}. */
  static PartUploads start(S3Storage storage, String bucket, String key, int inFlight) throws IOException {
    try {
      String id = storage.client().createMultipartUpload(b -> b.bucket(bucket).key(key)).uploadId();
      return new PartUploads(storage, bucket, key, id, inFlight);
    } catch (SdkException e) {
      throw S3Storage.failure(path(bucket, key), e);
    }
  }

  private static String path(String bucket, String key) {
    return "s3://" + bucket + "/" + key;
  }

  /**
   * Uploads the next part, whose body the SDK may read more than once (a retry opens it again);
   * waits while {@code inFlight} parts are sending. A body that is {@link Closeable} is closed
   * when its part is done.
   *
   * @throws IOException the failure of an earlier part
   */
  void submit(ContentStreamProvider body, long length) throws IOException {
    throwIfFailed();
    try {
      inFlight.acquire();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while uploading " + path(bucket, key));
    }
    int number = parts.size() + 1;
    parts.add(storage.uploads().submit(() -> {
      try {
        if (aborted || failure != null) {
          return null;
        }
        String etag = storage.client().uploadPart(b -> b.bucket(bucket).key(key).uploadId(uploadId)
            .partNumber(number).contentLength(length),
            RequestBody.fromContentProvider(body, length, "application/octet-stream")).eTag();
        return CompletedPart.builder().partNumber(number).eTag(etag).build();
      } catch (RuntimeException | Error e) {
        if (failure == null) {
          failure = e;
        }
        throw e;
      } finally {
        if (body instanceof Closeable c) {
          c.close();
        }
        inFlight.release();
      }
    }));
  }

  private void throwIfFailed() throws IOException {
    Throwable f = failure;
    if (f instanceof SdkException e) {
      throw S3Storage.failure(path(bucket, key), e);
    } else if (f != null) {
      throw new IOException(path(bucket, key) + ": " + f, f);
    }
  }

  /** Waits for every part, then completes the upload: the object appears whole. */
  void complete() throws IOException {
    List<CompletedPart> completed = new ArrayList<>();
    for (Future<CompletedPart> part : parts) {
      try {
        completed.add(Uninterruptibles.getUninterruptibly(part));
      } catch (ExecutionException e) {
        throwIfFailed();
        throw new IOException(path(bucket, key) + ": " + e.getCause(), e.getCause());
      }
    }
    try {
      storage.client().completeMultipartUpload(b -> b.bucket(bucket).key(key).uploadId(uploadId)
          .multipartUpload(CompletedMultipartUpload.builder().parts(completed).build()));
    } catch (SdkException e) {
      throw S3Storage.failure(path(bucket, key), e);
    }
  }

  /**
   * Skips the parts not started, waits for those sending, and aborts the upload; never throws.
   * With the thread's interrupt set aside meanwhile: the SDK sends nothing from an interrupted
   * thread, and a cancelled task's thread is one.
   */
  void abort() {
    aborted = true;
    boolean interrupted = Thread.interrupted();
    try {
      for (Future<CompletedPart> part : parts) {
        try {
          Uninterruptibles.getUninterruptibly(part);
        } catch (ExecutionException failed) {
          // aborting anyway
        }
      }
      storage.client().abortMultipartUpload(b -> b.bucket(bucket).key(key).uploadId(uploadId));
    } catch (RuntimeException e) {
      log.warn("could not abort the upload of {}: {}", path(bucket, key), e.toString());
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }
}

package io.mapreduce.s3;

import io.mapreduce.spi.InputFile;
import io.mapreduce.spi.JobOutput;
import io.mapreduce.spi.SharedDirectory;
import io.mapreduce.spi.Storage;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystems;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.ArrayList;
import java.util.List;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.GetObjectRequest;
import software.amazon.awssdk.services.s3.model.HeadObjectRequest;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Request;
import software.amazon.awssdk.services.s3.model.MultipartUpload;
import software.amazon.awssdk.services.s3.model.NoSuchBucketException;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.ObjectIdentifier;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * The {@link Storage} of {@code s3://bucket/key} paths, found by the core through
 * {@link java.util.ServiceLoader}. An input is an object, a "directory" (the objects under
 * {@code key/}, except names starting with {@code _} or {@code .}) or a glob over keys, expanded by
 * listing with pagination. Reads are ranged GETs from the split's offset. Output goes through
 * multipart uploads completed only when a task commits (see {@link S3JobOutput}).
 */
public final class S3Storage implements Storage {
  private volatile S3Client client;
  /** Part uploads of shared files: daemon threads, made as needed, ended when idle. */
  private final java.util.concurrent.ExecutorService uploads = java.util.concurrent.Executors.newCachedThreadPool(
      r -> {
        Thread t = new Thread(r, "s3-upload");
        t.setDaemon(true);
        return t;
      });
  /** Set once the store refused a multi-object delete. */
  private volatile boolean oneDeleteAtATime;

  /** For the service loader: the client is made on first use, from the environment. */
  public S3Storage() {}

  /** With a given client (tests). */
  public S3Storage(S3Client client) {
    this.client = client;
  }

  java.util.concurrent.ExecutorService uploads() {
    return uploads;
  }

  S3Client client() {
    S3Client c = client;
    if (c == null) {
      synchronized (this) {
        if (client == null) {
          client = S3Clients.create();
        }
        c = client;
      }
    }
    return c;
  }

  @Override
  public String scheme() {
    return "s3";
  }

  @Override
  public List<InputFile> listInputs(String pattern) throws IOException {
    S3Path p = S3Path.parse(pattern);
    try {
      int glob = firstGlob(p.key());
      List<InputFile> files = new ArrayList<>();
      if (glob < 0) {
        if (!p.key().isEmpty() && !p.key().endsWith("/")) {
          try {
            HeadObjectResponse head = client().headObject(HeadObjectRequest.builder().bucket(p.bucket()).key(p.key())
                .build());
            return List.of(new InputFile(p.uri(p.key()), head.contentLength()));
          } catch (NoSuchKeyException notAnObject) {
            // then maybe a "directory"
          } catch (S3Exception e) {
            if (e.statusCode() != 404 || isMissingBucket(e)) {
              throw e;
            }
          }
        }
        String prefix = p.directoryPrefix();
        for (S3Object o : list(p.bucket(), prefix)) {
          String rest = o.key().substring(prefix.length());
          if (!rest.isEmpty() && !rest.contains("/") && !rest.startsWith("_") && !rest.startsWith(".")) {
            files.add(new InputFile(p.uri(o.key()), o.size()));
          }
        }
      } else {
        // Keys are '/'-separated like paths: the default file system's glob rules apply to them.
        PathMatcher matcher = FileSystems.getDefault().getPathMatcher("glob:" + p.key());
        String prefix = p.key().substring(0, glob);
        for (S3Object o : list(p.bucket(), prefix)) {
          String name = o.key().substring(o.key().lastIndexOf('/') + 1);
          if (!name.isEmpty() && !name.startsWith("_") && !name.startsWith(".") && matcher.matches(Path.of(o.key()))) {
            files.add(new InputFile(p.uri(o.key()), o.size()));
          }
        }
      }
      if (files.isEmpty()) {
        throw new NoSuchFileException(pattern, null, glob < 0 ? "input not found" : "glob matches nothing");
      }
      return files;
    } catch (SdkException e) {
      throw failure(pattern, e);
    }
  }

  private List<S3Object> list(String bucket, String prefix) {
    List<S3Object> objects = new ArrayList<>();
    client().listObjectsV2Paginator(ListObjectsV2Request.builder().bucket(bucket).prefix(prefix).build())
        .contents().forEach(objects::add);
    objects.sort((a, b) -> a.key().compareTo(b.key()));
    return objects;
  }

  private static int firstGlob(String key) {
    for (int i = 0; i < key.length(); i++) {
      char c = key.charAt(i);
      if (c == '*' || c == '?' || c == '[' || c == '{') {
        return i;
      }
    }
    return -1;
  }

  static boolean isMissingBucket(S3Exception e) {
    return e instanceof NoSuchBucketException
        || (e.awsErrorDetails() != null && "NoSuchBucket".equals(e.awsErrorDetails().errorCode()));
  }

  /**
   * An S3 failure as a one-line IOException naming the path and what S3 said (or, when S3 could
   * not be reached, what went wrong on the way).
   */
  static IOException failure(String path, SdkException failure) {
    if (!(failure instanceof S3Exception e)) {
      return new IOException(path + ": cannot reach S3: " + failure.getMessage(), failure);
    }
    if (isMissingBucket(e)) {
      return new NoSuchFileException(path, null, "bucket " + S3Path.parse(path).bucket() + " does not exist");
    }
    String code = e.awsErrorDetails() == null ? null : e.awsErrorDetails().errorCode();
    if (e.statusCode() == 403) {
      // A HEAD's answer has no body, hence no code.
      return new java.nio.file.AccessDeniedException(path, null,
          "S3 denied access" + (code == null ? "" : " (" + code + ")"));
    }
    return new IOException(path + ": S3 error " + e.statusCode() + (code == null ? "" : " " + code) + ": "
        + e.getMessage(), e);
  }

  @Override
  public InputStream open(InputFile file, long offset) throws IOException {
    // Bounded by the length as listed: the object may have grown since.
    S3Path p = S3Path.parse(file.path());
    return getRange(p.bucket(), p.key(), offset, file.length());
  }

  /** Bytes {@code [from, to)} of an object, with one ranged GET (none for an empty range). */
  InputStream getRange(String bucket, String key, long from, long to) throws IOException {
    if (from >= to) {
      return InputStream.nullInputStream();
    }
    try {
      return client().getObject(GetObjectRequest.builder().bucket(bucket).key(key)
          .range("bytes=" + from + "-" + (to - 1)).build());
    } catch (SdkException e) {
      throw failure("s3://" + bucket + "/" + key, e);
    }
  }

  @Override
  public JobOutput createOutput(String directory, String jobId) throws IOException {
    S3Path p = S3Path.parse(directory);
    try {
      var page = client().listObjectsV2(ListObjectsV2Request.builder().bucket(p.bucket()).prefix(p.directoryPrefix())
          .maxKeys(1).build());
      if (!page.contents().isEmpty()) {
        throw new FileAlreadyExistsException(directory, null, "output prefix already holds objects");
      }
    } catch (SdkException e) {
      throw failure(directory, e);
    }
    return new S3JobOutput(this, p, jobId, false);
  }

  @Override
  public JobOutput attachOutput(String directory, String jobId) {
    return new S3JobOutput(this, S3Path.parse(directory), jobId, true);
  }

  @Override
  public JobOutput resumeOutput(String directory, String jobId) {
    return new S3JobOutput(this, S3Path.parse(directory), jobId, false);
  }

  @Override
  public SharedDirectory sharedDirectory(String directory) {
    return new S3SharedDirectory(this, S3Path.parse(directory));
  }

  /**
   * Deletes every object under a prefix (a thousand per request) and aborts the multipart uploads
   * left under it, every page of both listings.
   */
  void deletePrefix(String bucket, String prefix) throws IOException {
    try {
      List<ObjectIdentifier> batch = new ArrayList<>();
      for (S3Object o : client().listObjectsV2Paginator(b -> b.bucket(bucket).prefix(prefix)).contents()) {
        batch.add(ObjectIdentifier.builder().key(o.key()).build());
        if (batch.size() == 1000) {
          deleteObjects(bucket, batch);
        }
      }
      deleteObjects(bucket, batch);
      for (MultipartUpload u : client().listMultipartUploadsPaginator(b -> b.bucket(bucket).prefix(prefix))
          .uploads()) {
        try {
          client().abortMultipartUpload(b -> b.bucket(bucket).key(u.key()).uploadId(u.uploadId()));
        } catch (S3Exception e) {
          if (e.statusCode() != 404) {
            throw e; // 404: it completed or was aborted meanwhile
          }
        }
      }
    } catch (SdkException e) {
      throw failure("s3://" + bucket + "/" + prefix, e);
    }
  }

  private void deleteObjects(String bucket, List<ObjectIdentifier> batch) throws IOException {
    if (batch.isEmpty()) {
      return;
    }
    if (!oneDeleteAtATime) {
      try {
        var errors = client().deleteObjects(b -> b.bucket(bucket).delete(d -> d.objects(batch).quiet(true)))
            .errors();
        if (!errors.isEmpty()) {
          throw new IOException("s3://" + bucket + "/" + errors.get(0).key() + ": S3 did not delete it ("
              + errors.get(0).code() + ": " + errors.get(0).message() + "), nor " + (errors.size() - 1) + " more");
        }
        batch.clear();
        return;
      } catch (S3Exception e) {
        if (e.statusCode() != 501) {
          throw e;
        }
        // Some S3-compatible stores (s3proxy 2.9, older Ceph) refuse the checksum header the SDK
        // sends with a multi-object delete: delete one by one there.
        oneDeleteAtATime = true;
      }
    }
    for (ObjectIdentifier o : batch) {
      client().deleteObject(b -> b.bucket(bucket).key(o.key()));
    }
    batch.clear();
  }
}

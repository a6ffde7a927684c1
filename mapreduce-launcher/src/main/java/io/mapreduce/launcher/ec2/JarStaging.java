package io.mapreduce.launcher.ec2;

import java.io.PrintStream;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.presigner.S3Presigner;

/**
 * The runnable jar staged in S3 for the instances: {@code s3://BUCKET/PREFIX/jars/SHA256.jar},
 * uploaded once per content, and handed to each instance as a presigned GET URL valid for an hour.
 * The URL reads code, nothing else; the instances need no S3 permission of their own for it.
 */
final class JarStaging {
  static final Duration URL_VALIDITY = Duration.ofHours(1);

  private final S3Client s3;
  private final S3Presigner presigner;
  private final String bucket;
  private final String prefix;
  private final PrintStream progress;

  JarStaging(S3Client s3, S3Presigner presigner, URI staging, PrintStream progress) {
    this.s3 = s3;
    this.presigner = presigner;
    this.bucket = staging.getHost();
    String p = staging.getPath() == null ? "" : staging.getPath().replaceAll("^/+|/+$", "");
    this.prefix = p.isEmpty() ? "" : p + "/";
    this.progress = progress;
  }

  /** Checks an {@code s3://BUCKET[/PREFIX]} staging location, or says in one line what is wrong with it. */
  static URI checkLocation(String location) {
    URI uri;
    try {
      uri = URI.create(location);
    } catch (IllegalArgumentException e) {
      uri = null;
    }
    if (uri == null || !"s3".equals(uri.getScheme()) || uri.getHost() == null || uri.getQuery() != null) {
      throw new IllegalArgumentException("staging location '" + location + "' must be s3://BUCKET or"
          + " s3://BUCKET/PREFIX");
    }
    return uri;
  }

  String key(String sha256) {
    return prefix + "jars/" + sha256 + ".jar";
  }

  /** Uploads the jar unless its content is there already; returns a presigned URL to GET it. */
  String stage(Path jar, String sha256) {
    String key = key(sha256);
    try {
      s3.headObject(b -> b.bucket(bucket).key(key));
      progress.println("[s3] jar present at s3://" + bucket + "/" + key);
    } catch (NoSuchKeyException absent) {
      upload(jar, key);
    } catch (S3Exception e) {
      if (e.statusCode() != 404) {
        throw new IllegalStateException("s3: looking for s3://" + bucket + "/" + key + ": " + e.getMessage(), e);
      }
      upload(jar, key);
    }
    return presigner.presignGetObject(b -> b.signatureDuration(URL_VALIDITY)
        .getObjectRequest(g -> g.bucket(bucket).key(key))).url().toString();
  }

  private void upload(Path jar, String key) {
    progress.println("[s3] uploading the jar to s3://" + bucket + "/" + key);
    try {
      s3.putObject(b -> b.bucket(bucket).key(key), RequestBody.fromFile(jar));
    } catch (S3Exception e) {
      throw new IllegalStateException("s3: uploading the jar to s3://" + bucket + "/" + key + ": " + e.getMessage(), e);
    }
  }
}

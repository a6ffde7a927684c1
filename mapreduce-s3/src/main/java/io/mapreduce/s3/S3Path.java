package io.mapreduce.s3;

import java.util.Locale;

/** {@code s3://bucket/key}, parsed. */
record S3Path(String bucket, String key) {
  static S3Path parse(String path) {
    if (!path.toLowerCase(Locale.ROOT).startsWith("s3://")) {
      throw new IllegalArgumentException("not an s3:// path: " + path);
    }
    String rest = path.substring(5);
    int slash = rest.indexOf('/');
    String bucket = slash < 0 ? rest : rest.substring(0, slash);
    if (bucket.isEmpty()) {
      throw new IllegalArgumentException("no bucket in " + path);
    }
    return new S3Path(bucket, slash < 0 ? "" : rest.substring(slash + 1));
  }

  /** The key as a prefix of "directory" contents: ending with '/', or empty. */
  String directoryPrefix() {
    return key.isEmpty() || key.endsWith("/") ? key : key + "/";
  }

  String uri(String objectKey) {
    return "s3://" + bucket + "/" + objectKey;
  }

  @Override
  public String toString() {
    return uri(key);
  }
}

package io.mapreduce.s3;

import java.net.URI;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3ClientBuilder;

/**
 * The S3 client, configured the SDK's standard way (credentials and region from the environment,
 * profiles or the instance profile), plus what S3-compatible stores need: an endpoint from
 * {@code AWS_ENDPOINT_URL_S3} or {@code AWS_ENDPOINT_URL} (or the system property
 * {@code mapreduce.s3.endpoint}), and path-style addressing from {@code MAPREDUCE_S3_PATH_STYLE=true}
 * (or {@code mapreduce.s3.pathStyle}, which {@code --s3-path-style} sets).
 */
final class S3Clients {
  private S3Clients() {}

  static S3Client create() {
    return builder().build();
  }

  /** A builder set up as {@link #create()}'s, for a client that differs in one thing (tests). */
  static S3ClientBuilder builder() {
    S3ClientBuilder b = S3Client.builder()
        .httpClientBuilder(UrlConnectionHttpClient.builder())
        // Checksums only where S3 requires them: S3-compatible stores (s3proxy, older MinIO)
        // reject the SDK's default trailing checksums.
        .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
        .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED);
    String endpoint = setting("AWS_ENDPOINT_URL_S3", "mapreduce.s3.endpoint");
    if (endpoint == null) {
      endpoint = setting("AWS_ENDPOINT_URL", null);
    }
    if (endpoint != null) {
      b.endpointOverride(URI.create(endpoint));
    }
    String pathStyle = setting("MAPREDUCE_S3_PATH_STYLE", "mapreduce.s3.pathStyle");
    b.forcePathStyle(Boolean.parseBoolean(pathStyle));
    return b;
  }

  private static String setting(String env, String property) {
    String v = System.getenv(env);
    if (v != null && !v.isBlank()) {
      return v;
    }
    return property == null ? null : System.getProperty(property);
  }
}

package io.mapreduce.s3;

import java.net.URI;
import java.time.Duration;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.SdkSystemSetting;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.retries.api.BackoffStrategy;
import software.amazon.awssdk.retries.api.RetryStrategy;
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
  /** Attempts of a request, the first included. */
  private static final int MAX_ATTEMPTS = 10;

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
        .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
        .overrideConfiguration(o -> o.retryStrategy(retryStrategy()));
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

  /**
   * The SDK's standard strategy, which retries 5xx answers, throttling (503 SlowDown) and broken
   * connections, but not a 403 or 404 (save a 403 for a skewed clock), with more attempts than
   * its 3. S3 answers 503 SlowDown in bursts while it scales up for a prefix's request rate, which
   * 3 attempts may not ride out, and a request that fails costs much: its task attempt fails and
   * redoes all its work, and where no task runs (listing the inputs, creating or committing the
   * output) the job fails. The backoff is the
   * standard one, written out: exponential with full jitter from 100 ms (1 s when throttled) up to
   * 20 s. {@code AWS_MAX_ATTEMPTS} (or {@code aws.maxAttempts}) still sets the attempts.
   */
  private static RetryStrategy retryStrategy() {
    return AwsRetryStrategy.standardRetryStrategy().toBuilder()
        .maxAttempts(SdkSystemSetting.AWS_MAX_ATTEMPTS.getIntegerValue().orElse(MAX_ATTEMPTS))
        .backoffStrategy(BackoffStrategy.exponentialDelay(Duration.ofMillis(100), Duration.ofSeconds(20)))
        .throttlingBackoffStrategy(BackoffStrategy.exponentialDelay(Duration.ofSeconds(1), Duration.ofSeconds(20)))
        .build();
  }

  private static String setting(String env, String property) {
    String v = System.getenv(env);
    if (v != null && !v.isBlank()) {
      return v;
    }
    return property == null ? null : System.getProperty(property);
  }
}

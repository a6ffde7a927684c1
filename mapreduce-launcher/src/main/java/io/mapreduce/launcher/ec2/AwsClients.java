package io.mapreduce.launcher.ec2;

import java.net.URI;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3Configuration;
import software.amazon.awssdk.services.s3.presigner.S3Presigner;

/**
 * The AWS clients the ec2 provider uses, on the URL-connection HTTP client (no second Netty), with
 * the given credentials or the SDK's default chain, and endpoints overridden for tests.
 */
final class AwsClients {
  private AwsClients() {}

  private static AwsCredentialsProvider orDefault(AwsCredentialsProvider credentials) {
    return credentials != null ? credentials : DefaultCredentialsProvider.builder().build();
  }

  static Ec2Client ec2(Region region, AwsCredentialsProvider credentials, URI endpoint) {
    var c = Ec2Client.builder().httpClientBuilder(UrlConnectionHttpClient.builder()).region(region)
        .credentialsProvider(orDefault(credentials));
    if (endpoint != null) {
      c.endpointOverride(endpoint);
    }
    return c.build();
  }

  static S3Client s3(Region region, AwsCredentialsProvider credentials, URI endpoint, boolean pathStyle) {
    var c = S3Client.builder().httpClientBuilder(UrlConnectionHttpClient.builder()).region(region)
        .credentialsProvider(orDefault(credentials))
        .forcePathStyle(pathStyle)
        // Checksums only where S3 requires them: S3-compatible stores reject the SDK's trailing ones.
        .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
        .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED);
    if (endpoint != null) {
      c.endpointOverride(endpoint);
    }
    return c.build();
  }

  static S3Presigner presigner(Region region, AwsCredentialsProvider credentials, URI endpoint, boolean pathStyle) {
    var p = S3Presigner.builder().region(region)
        .credentialsProvider(orDefault(credentials))
        .serviceConfiguration(S3Configuration.builder().pathStyleAccessEnabled(pathStyle).build());
    if (endpoint != null) {
      p.endpointOverride(endpoint);
    }
    return p.build();
  }
}

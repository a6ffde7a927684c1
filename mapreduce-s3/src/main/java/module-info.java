/**
 * The {@code s3://} storage, on the AWS SDK for Java v2 (a normal dependency: see the README's table
 * of dependencies). Nothing here is API; the core finds the storage with {@code ServiceLoader}.
 */
module io.mapreduce.s3 {
  requires io.mapreduce;
  requires io.mapreduce.thirdparty;
  requires org.slf4j;
  requires software.amazon.awssdk.auth;
  requires software.amazon.awssdk.awscore;
  requires software.amazon.awssdk.core;
  requires software.amazon.awssdk.http;
  requires software.amazon.awssdk.http.urlconnection;
  requires software.amazon.awssdk.regions;
  requires software.amazon.awssdk.retries;
  requires software.amazon.awssdk.retries.api;
  requires software.amazon.awssdk.services.s3;

  provides io.mapreduce.spi.Storage with io.mapreduce.s3.S3Storage;
}

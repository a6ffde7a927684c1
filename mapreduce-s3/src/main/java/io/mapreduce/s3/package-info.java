/**
 * The {@code s3://} {@link io.mapreduce.spi.Storage} on the AWS SDK for Java v2: listing, ranged
 * reads and multipart-upload output. Depends on mapreduce-core's SPI and the SDK only; the core
 * finds it with {@code ServiceLoader} and never imports the SDK.
 */
package io.mapreduce.s3;

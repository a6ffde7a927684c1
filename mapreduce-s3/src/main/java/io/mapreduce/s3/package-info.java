/**
 * The {@code s3://} storage on the AWS SDK for Java v2. Not built yet: this module is a
 * placeholder until issue 7; only local files are supported today.
 */
package io.mapreduce.s3;

/**
 * The {@code ec2} provider: makes a cluster's instances, security group and tags with the AWS SDK,
 * stages the runnable jar in S3, boots each instance with a user-data script that holds no secret,
 * then hands the running instances to the ssh machinery of {@code io.mapreduce.launcher} (secrets
 * over ssh, registration through the status endpoint). Depends on that package, the AWS SDK's ec2
 * and s3 clients, and nothing of the runtime.
 */
package io.mapreduce.launcher.ec2;

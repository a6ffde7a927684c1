/**
 * Starting clusters: over ssh ({@link io.mapreduce.launcher.SshLauncher}), on EC2
 * ({@link io.mapreduce.launcher.ec2.Ec2Launcher}) and on Kubernetes
 * ({@link io.mapreduce.launcher.k8s.KubernetesCluster}); all three packages are API.
 */
module io.mapreduce.launcher {
  requires transitive io.mapreduce;
  requires io.mapreduce.thirdparty;
  requires org.slf4j;
  requires java.net.http;
  requires software.amazon.awssdk.auth;
  requires software.amazon.awssdk.awscore;
  requires software.amazon.awssdk.core;
  requires software.amazon.awssdk.http;
  requires software.amazon.awssdk.http.urlconnection;
  requires software.amazon.awssdk.regions;
  requires software.amazon.awssdk.services.ec2;
  requires software.amazon.awssdk.services.s3;

  exports io.mapreduce.launcher;
  exports io.mapreduce.launcher.ec2;
  exports io.mapreduce.launcher.k8s;
}

/**
 * Kubernetes and compose: the manifests, the image's Dockerfile and a compose file for a cluster,
 * written as text from a {@link io.mapreduce.launcher.k8s.KubernetesCluster} by {@link
 * io.mapreduce.launcher.k8s.ClusterFiles}. Depends on nothing but the JDK: the pods run the
 * daemons' command lines and are probed on their health endpoint ({@code --health-port}).
 */
package io.mapreduce.launcher.k8s;

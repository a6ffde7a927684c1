/**
 * Launchers: start a master and workers on machines (over ssh, on EC2) or write what Kubernetes
 * needs, remember each cluster in a per-user state directory, report and stop it. They use only the
 * daemons' command lines ({@code mapreduce master}, {@code mapreduce worker}) and the master's
 * status endpoint, so the runtime knows nothing of how its processes were started.
 */
package io.mapreduce.launcher;

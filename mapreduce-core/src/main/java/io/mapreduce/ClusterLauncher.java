package io.mapreduce;

import java.io.IOException;

/**
 * Starts a cluster and returns when its master answers and its workers have registered. Given to
 * {@link MapReduceSpecification.Builder#transientCluster(ClusterLauncher)}, it makes a transient
 * cluster: {@link MapReduce#exec} starts it, runs the job on it and takes it down before the job's
 * future completes, so no daemon outlives the job (as EMR's auto-terminating clusters).
 */
@FunctionalInterface
public interface ClusterLauncher {

  /** Starts the cluster; the returned handle's {@link Cluster#close()} takes it down. */
  Cluster launch() throws IOException, InterruptedException;
}

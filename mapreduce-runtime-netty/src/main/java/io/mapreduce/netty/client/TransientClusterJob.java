package io.mapreduce.netty.client;

import io.mapreduce.Cluster;
import io.mapreduce.Job;
import io.mapreduce.JobProgress;
import io.mapreduce.JobResult;
import io.mapreduce.MapReduceException;
import io.mapreduce.MapReduceSpecification;
import java.util.UUID;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A job on a cluster of its own: the specification's launcher starts the cluster, the job runs on
 * it, and the cluster is taken down before this future completes, whatever the job's outcome, so
 * that a caller who has the result has no daemon left behind (EMR's auto-terminate). A cancelled
 * job's future completes at once; {@link #awaitTermination} returns once the cluster is down.
 */
final class TransientClusterJob extends Job {
  private static final Logger log = LoggerFactory.getLogger(TransientClusterJob.class);
  private static final JobProgress NOTHING_YET = new JobProgress(0, 0, 0, 0, 0, 0, 0);
  /** How long a cancelled job's cleanup on the cluster may take before the cluster goes anyway. */
  private static final java.time.Duration CLEANUP_WAIT = java.time.Duration.ofSeconds(60);

  private final ClusterEngine engine;
  private final MapReduceSpecification<?, ?> spec;
  private volatile Job onCluster;
  private volatile boolean cancelRequested;

  private TransientClusterJob(ClusterEngine engine, MapReduceSpecification<?, ?> spec) {
    super("transient-" + UUID.randomUUID());
    this.engine = engine;
    this.spec = spec;
  }

  static Job start(ClusterEngine engine, MapReduceSpecification<?, ?> spec) {
    TransientClusterJob job = new TransientClusterJob(engine, spec);
    Thread runner = new Thread(job::run, "mapreduce-transient-cluster");
    runner.setDaemon(false); // the cluster must come down even if the caller's main thread ends
    runner.start();
    return job;
  }

  private void run() {
    Cluster cluster;
    try {
      cluster = spec.clusterLauncher().orElseThrow().launch();
    } catch (Throwable e) {
      finish(null, new MapReduceException("cannot start the job's transient cluster: " + e.getMessage(), e));
      return;
    }
    JobResult result = null;
    Throwable failure = null;
    try {
      if (!cancelRequested) {
        Job job = engine.submit(spec, cluster.master(), cluster.secretFile().orElse(null));
        onCluster = job;
        if (cancelRequested) {
          job.cancel(true);
        }
        result = job.get();
      }
    } catch (ExecutionException e) {
      failure = e.getCause();
    } catch (CancellationException e) {
      failure = e;
    } catch (Throwable e) {
      failure = e;
    } finally {
      try {
        // A cancelled job's master still removes its staged output: not before that is done.
        Job job = onCluster;
        if (job != null) {
          job.awaitTermination(CLEANUP_WAIT);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      try {
        cluster.close();
      } catch (Exception e) {
        log.error("could not take the transient cluster down: {}", e.toString());
        if (failure == null) {
          failure = new MapReduceException("the job ran, but its transient cluster could not be taken down: "
              + e.getMessage(), e);
          result = null;
        } else {
          failure.addSuppressed(e);
        }
      }
    }
    finish(result, failure);
  }

  private void finish(JobResult result, Throwable failure) {
    if (beginFinishing()) {
      if (failure == null) {
        succeed(result);
      } else {
        fail(failure);
      }
    }
    terminated();
  }

  @Override
  public JobProgress progress() {
    Job job = onCluster;
    return job == null ? NOTHING_YET : job.progress();
  }

  @Override
  protected void onCancel() {
    cancelRequested = true;
    Job job = onCluster;
    if (job != null) {
      job.cancel(true);
    }
  }
}

package io.mapreduce.netty.master;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What the status page shows, built by {@link MasterState} on its thread once per tick (and when a
 * job ends) and then only read, from any thread: the page renders from it without asking the state
 * thread anything, so a refresh costs the master nothing however many workers and tasks it has.
 * Immutable once built.
 *
 * @param status the workers and jobs, as {@link MasterState#status()} has them
 * @param runningJobs each running job's view (its running attempts and recent failures), by id;
 *     finished jobs are only in {@code status}
 * @param takenAtNanos when it was built, on the master's clock: running attempts' and failures'
 *     ages are counted to this
 */
record StatusSnapshot(MasterState.Status status, Map<String, JobView> runningJobs, long takenAtNanos) {
  StatusSnapshot {
    runningJobs = Map.copyOf(runningJobs);
  }

  /** Workers and jobs with no per-job views: every job's page shows only its counts. */
  static StatusSnapshot of(MasterState.Status status) {
    return new StatusSnapshot(status, Map.of(), 0);
  }

  /**
   * The job's page: a running job's view, or a finished job's counts and outcome (the master keeps
   * the last few finished jobs; their attempts are not kept). Empty for a job it does not know.
   */
  Optional<JobView> job(String id) {
    JobView running = runningJobs.get(id);
    if (running != null) {
      return Optional.of(running);
    }
    List<MasterState.Status.JobStatus> jobs = status.jobs() == null ? List.of() : status.jobs();
    // Newest last: a later job of the same id is the one to show.
    for (int i = jobs.size() - 1; i >= 0; i--) {
      MasterState.Status.JobStatus j = jobs.get(i);
      if (j != null && id.equals(j.id())) {
        return Optional.of(JobView.countsOnly(j, takenAtNanos));
      }
    }
    return Optional.empty();
  }
}

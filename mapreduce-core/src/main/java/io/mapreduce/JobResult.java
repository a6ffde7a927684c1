package io.mapreduce;

import java.net.URI;
import java.time.Duration;
import java.util.List;

/**
 * What a successful job produced.
 *
 * @param jobId the job's id
 * @param outputFiles the committed output files, in partition order ({@code mr-out-00000}, ...);
 *     the {@code _SUCCESS} marker is not listed
 * @param counters the counters of the successful attempts
 * @param mapPhase the wall time from job start to the end of the last map task
 * @param reducePhase the wall time of the reduce phase (zero for a map-only job)
 * @param total the wall time of the whole job, commit included
 */
public record JobResult(
    String jobId,
    List<URI> outputFiles,
    Counters counters,
    Duration mapPhase,
    Duration reducePhase,
    Duration total) {

  public JobResult {
    outputFiles = List.copyOf(outputFiles);
  }
}

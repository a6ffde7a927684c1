package io.mapreduce.examples.cli;

import io.mapreduce.JobResult;
import io.mapreduce.MapReduceSpecification;
import java.io.PrintWriter;
import java.util.Map;

/** The end-of-job summary: where the output is, how long each phase took, the counters. */
final class Summary {
  private Summary() {}

  static void print(JobResult result, MapReduceSpecification<?, ?> spec, PrintWriter out) {
    out.printf("job %s succeeded: %d output %s in %s%n", result.jobId(), result.outputFiles().size(),
        result.outputFiles().size() == 1 ? "file" : "files", spec.output());
    out.printf("  map %.2f s, reduce %.2f s, total %.2f s%n", result.mapPhase().toMillis() / 1e3,
        result.reducePhase().toMillis() / 1e3, result.total().toMillis() / 1e3);
    for (Map.Entry<String, Long> c : result.counters().asMap().entrySet()) {
      out.printf("  %-24s %,d%n", c.getKey(), c.getValue());
    }
    out.flush();
  }
}

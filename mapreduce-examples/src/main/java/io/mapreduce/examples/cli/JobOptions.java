package io.mapreduce.examples.cli;

import io.mapreduce.MapReduceSpecification;
import io.mapreduce.format.InputFormat;
import io.mapreduce.format.OutputFormat;
import java.nio.file.Path;
import java.util.List;
import picocli.CommandLine.Option;

/** The options every job command shares. */
final class JobOptions {
  /** The command's inputs: {@code --input}, or join's {@code --left} and {@code --right}. */
  List<String> inputs;

  @Option(names = "--output", required = true, paramLabel = "DIR",
      description = "Output directory; must not exist.")
  String output;

  @Option(names = "--reduce-tasks", paramLabel = "R",
      description = "Number of reduce tasks and output files (default: 1, for sort the parallelism; 0 = map-only).")
  Integer reduceTasks;

  @Option(names = "--split-size", paramLabel = "SIZE", converter = DataSizes.class,
      description = "Input split size, such as 64m or 1g (default: 64m).")
  Long splitSize;

  @Option(names = "--parallelism", paramLabel = "N", description = "Tasks run at once (default: available processors).")
  Integer parallelism;

  @Option(names = "--sort-buffer", paramLabel = "SIZE", converter = DataSizes.class,
      description = "Sort buffer per map task (default: derived from the heap).")
  Long sortBuffer;

  @Option(names = "--compress-intermediate", negatable = true, fallbackValue = "true",
      description = "Compress spills and map outputs with LZ4 (default: off, see BENCHMARKS.md).")
  Boolean compressIntermediate;

  @Option(names = "--work-dir", paramLabel = "DIR", description = "Directory for intermediate files (default: $TMPDIR/mapreduce-$USER).")
  Path workDirectory;

  @Option(names = "--s3-path-style",
      description = "Address S3 buckets by path (http://endpoint/bucket/key), as S3-compatible stores such as MinIO "
          + "and s3proxy want; the endpoint comes from AWS_ENDPOINT_URL_S3 or AWS_ENDPOINT_URL.")
  boolean s3PathStyle;

  @Option(names = "--skip-bad-records",
      description = "Skip a record on which two attempts of a task failed, count it and go on (default: fail the job).")
  boolean skipBadRecords;

  @Option(names = "--task-timeout", paramLabel = "SECONDS",
      description = "Kill and retry a task attempt that reads no input and writes no output for this long "
          + "(a streaming program may also report status on stderr); 0 = never (default: 600, as Hadoop's "
          + "mapreduce.task.timeout).")
  Long taskTimeoutSeconds;

  @Option(names = "--max-attempts", paramLabel = "N",
      description = "Attempts of a task before the job fails (default: " + MapReduceSpecification.DEFAULT_MAX_TASK_ATTEMPTS
          + ", as Hadoop's).")
  Integer maxAttempts;

  @Option(names = "--cluster", paramLabel = "NAME|HOST:PORT",
      description = "Run on the cluster NAME that 'cluster up' started from here (its master and secret are "
          + "remembered), or on the master at HOST:PORT (default: in this JVM).")
  String cluster;

  @Option(names = "--intermediate", paramLabel = "DIR",
      description = "On a cluster, keep map outputs in this shared directory (such as s3://bucket/tmp/) instead of "
          + "the workers' disks, so a worker lost after its maps costs no re-run (default: workers' disks).")
  String intermediate;

  @Option(names = "--input-format", paramLabel = "FORMAT", converter = Formats.Input.class,
      description = "How input files become lines: text (default; files cut at the split size), combined (small "
          + "files packed into splits of up to the split size), nlines:N (N lines per map task). Compressed files "
          + "(.gz .bz2 .zst .lz4) are read by their extension with any of them.")
  InputFormat<Long, String> inputFormat;

  @Option(names = "--output-format", paramLabel = "FORMAT", converter = Formats.Output.class,
      description = "How output files are written: text (default), gzip or zstd (compressed text, mr-out-N.gz or "
          + ".zst), pairs (typed binary pairs a later job or the Java API reads back, mr-out-N.pairs).")
  OutputFormat outputFormat;

  @Option(names = "--output-basename", paramLabel = "NAME",
      description = "Name the output files NAME-00000, ... instead of mr-out-00000, ... (part: Hadoop's names).")
  String outputBaseName;

  @Option(names = "--lazy-output", description = "Write no output file for a task that emits nothing.")
  boolean lazyOutput;

  @Option(names = "--local-workers", paramLabel = "N",
      description = "Start a master and N worker JVMs on this machine, run the job on them, and stop them.")
  Integer localWorkers;

  /** R as given, or the command's default. */
  int reduceTasksOr(int defaultValue) {
    return reduceTasks != null ? reduceTasks : defaultValue;
  }

  /** The parallelism as given, or the engine's default (available processors). */
  int parallelismOrDefault() {
    return parallelism != null ? parallelism : Runtime.getRuntime().availableProcessors();
  }

  long splitSizeOrDefault() {
    return splitSize != null ? splitSize : MapReduceSpecification.DEFAULT_SPLIT_SIZE;
  }

  /** Applies the shared options to a builder (inputs too unless the command already set them). */
  <K, V> MapReduceSpecification.Builder<K, V> apply(MapReduceSpecification.Builder<K, V> b, boolean withInputs,
      boolean withReduceTasks) {
    if (withInputs) {
      b.input(inputs.toArray(String[]::new));
    }
    b.output(output);
    if (withReduceTasks) {
      b.reduceTasks(reduceTasksOr(1));
    }
    settings(b);
    if (inputFormat != null) {
      b.inputFormat(inputFormat);
    }
    if (outputFormat != null) {
      b.outputFormat(outputFormat);
    }
    if (lazyOutput) {
      b.lazyOutput(true);
    }
    if (outputBaseName != null) {
      b.outputBaseName(outputBaseName);
    }
    return b;
  }

  /**
   * Applies the options of how a job runs (split size, parallelism, sort buffer, compression,
   * work directory, cluster, skipping, task timeout, intermediate storage), not what it reads and writes: for
   * a command that runs several jobs.
   */
  <K, V> MapReduceSpecification.Builder<K, V> settings(MapReduceSpecification.Builder<K, V> b) {
    if (s3PathStyle) {
      // Read by mapreduce-s3 when it makes its client, on first use of an s3:// path.
      System.setProperty("mapreduce.s3.pathStyle", "true");
    }
    b.splitSize(splitSizeOrDefault());
    if (parallelism != null) {
      b.parallelism(parallelism);
    }
    if (sortBuffer != null) {
      b.sortBufferSize(sortBuffer);
    }
    if (compressIntermediate != null) {
      b.compressIntermediate(compressIntermediate);
    }
    if (workDirectory != null) {
      b.workDirectory(workDirectory);
    }
    if (cluster != null) {
      if (cluster.indexOf(':') < 0) {
        try {
          b.cluster(io.mapreduce.launcher.Clusters.attach(cluster));
        } catch (java.io.IOException e) {
          throw new IllegalArgumentException("cannot read cluster " + cluster + "'s state: " + e.getMessage(), e);
        } catch (IllegalArgumentException e) {
          throw new IllegalArgumentException("--cluster " + cluster + ": " + e.getMessage()
              + "; name a master started otherwise as HOST:PORT", e);
        }
      } else {
        b.cluster(cluster);
      }
    }
    if (skipBadRecords) {
      b.skipBadRecords(true);
    }
    if (taskTimeoutSeconds != null) {
      if (taskTimeoutSeconds < 0) {
        throw new IllegalArgumentException("--task-timeout must be 0 (never) or a number of seconds, not "
            + taskTimeoutSeconds);
      }
      b.taskTimeout(java.time.Duration.ofSeconds(taskTimeoutSeconds));
    }
    if (intermediate != null) {
      b.intermediate(intermediate);
    }
    if (maxAttempts != null) {
      b.maxTaskAttempts(maxAttempts);
    }
    return b;
  }
}

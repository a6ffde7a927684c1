package io.mapreduce.examples.cli;

import io.mapreduce.MapReduceSpecification;
import java.nio.file.Path;
import java.util.List;
import picocli.CommandLine.Option;

/** The options every job command shares. */
final class JobOptions {
  @Option(names = "--input", required = true, arity = "1..*", paramLabel = "PATH",
      description = "Input files, directories or globs (quote globs); may repeat.")
  List<String> inputs;

  @Option(names = "--output", required = true, paramLabel = "DIR",
      description = "Output directory; must not exist.")
  String output;

  @Option(names = "--reduce-tasks", paramLabel = "R", description = "Number of reduce tasks and output files (default: ${DEFAULT-VALUE}; 0 = map-only).")
  int reduceTasks = 1;

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
      b.reduceTasks(reduceTasks);
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
    return b;
  }
}

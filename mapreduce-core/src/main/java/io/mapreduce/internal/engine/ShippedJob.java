package io.mapreduce.internal.engine;

import io.mapreduce.MapReduceException;
import io.mapreduce.MapReduceSpecification;
import io.mapreduce.PairMapper;
import io.mapreduce.PairReducer;
import io.mapreduce.Partitioner;
import io.mapreduce.format.InputFormat;
import io.mapreduce.format.OutputFormat;
import io.mapreduce.Reducer;
import io.mapreduce.internal.codec.JobKryo;
import io.mapreduce.internal.io.LocalStorage;
import io.mapreduce.internal.io.Storages;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A job as it travels to a cluster: plain settings that the master reads (it never loads user
 * classes), and the Kryo-encoded mapper, reducer, combiner and partitioner that workers decode in
 * the job's class loader. Local paths are made absolute by the client, which alone knows what
 * they were relative to. Settings that depend on the machine (parallelism, work directory) are
 * not shipped: each worker sets them for itself; so is the sort buffer, unless the job chose its
 * size ({@code sortBufferSize}, 0 when it did not). The task timeout travels in milliseconds (0:
 * never), as Hadoop's {@code mapreduce.task.timeout}. The output base name becomes part of file
 * names on the master and workers, so it is checked here, where a decoded job is built.
 */
public record ShippedJob(String name, List<String> inputs, String output, int reduceTasks, long splitSize,
    int maxTaskAttempts, boolean compressIntermediate, String keyType, String valueType, byte[] mapper,
    byte[] reducer, byte[] combiner, byte[] partitioner, boolean skipBadRecords, String intermediate,
    byte[] inputFormat, byte[] outputFormat, String outputKeyType, String outputValueType, boolean lazyOutput,
    boolean sortDescending, int groupPrefix, List<String> sideOutputs, long sortBufferSize,
    long taskTimeoutMillis, String outputBaseName) {

  /** With the default output base name. */
  public ShippedJob(String name, List<String> inputs, String output, int reduceTasks, long splitSize,
      int maxTaskAttempts, boolean compressIntermediate, String keyType, String valueType, byte[] mapper,
      byte[] reducer, byte[] combiner, byte[] partitioner, boolean skipBadRecords, String intermediate,
      byte[] inputFormat, byte[] outputFormat, String outputKeyType, String outputValueType, boolean lazyOutput,
      boolean sortDescending, int groupPrefix, List<String> sideOutputs, long sortBufferSize, long taskTimeoutMillis) {
    this(name, inputs, output, reduceTasks, splitSize, maxTaskAttempts, compressIntermediate, keyType, valueType,
        mapper, reducer, combiner, partitioner, skipBadRecords, intermediate, inputFormat, outputFormat, outputKeyType,
        outputValueType, lazyOutput, sortDescending, groupPrefix, sideOutputs, sortBufferSize, taskTimeoutMillis,
        MapReduceSpecification.DEFAULT_OUTPUT_BASE_NAME);
  }

  /** With the default task timeout. */
  public ShippedJob(String name, List<String> inputs, String output, int reduceTasks, long splitSize,
      int maxTaskAttempts, boolean compressIntermediate, String keyType, String valueType, byte[] mapper,
      byte[] reducer, byte[] combiner, byte[] partitioner, boolean skipBadRecords, String intermediate,
      byte[] inputFormat, byte[] outputFormat, String outputKeyType, String outputValueType, boolean lazyOutput,
      boolean sortDescending, int groupPrefix, List<String> sideOutputs, long sortBufferSize) {
    this(name, inputs, output, reduceTasks, splitSize, maxTaskAttempts, compressIntermediate, keyType, valueType,
        mapper, reducer, combiner, partitioner, skipBadRecords, intermediate, inputFormat, outputFormat, outputKeyType,
        outputValueType, lazyOutput, sortDescending, groupPrefix, sideOutputs, sortBufferSize,
        MapReduceSpecification.DEFAULT_TASK_TIMEOUT.toMillis());
  }

  /** Text in and out, with the intermediate types. */
  public ShippedJob(String name, List<String> inputs, String output, int reduceTasks, long splitSize,
      int maxTaskAttempts, boolean compressIntermediate, String keyType, String valueType, byte[] mapper,
      byte[] reducer, byte[] combiner, byte[] partitioner, boolean skipBadRecords, String intermediate) {
    this(name, inputs, output, reduceTasks, splitSize, maxTaskAttempts, compressIntermediate, keyType, valueType,
        mapper, reducer, combiner, partitioner, skipBadRecords, intermediate, null, null, keyType, valueType, false,
        false, 0, List.of(), 0);
  }

  /** Map outputs on the workers' disks. */
  public ShippedJob(String name, List<String> inputs, String output, int reduceTasks, long splitSize,
      int maxTaskAttempts, boolean compressIntermediate, String keyType, String valueType, byte[] mapper,
      byte[] reducer, byte[] combiner, byte[] partitioner, boolean skipBadRecords) {
    this(name, inputs, output, reduceTasks, splitSize, maxTaskAttempts, compressIntermediate, keyType, valueType,
        mapper, reducer, combiner, partitioner, skipBadRecords, null);
  }

  /** Without skipping mode. */
  public ShippedJob(String name, List<String> inputs, String output, int reduceTasks, long splitSize,
      int maxTaskAttempts, boolean compressIntermediate, String keyType, String valueType, byte[] mapper,
      byte[] reducer, byte[] combiner, byte[] partitioner) {
    this(name, inputs, output, reduceTasks, splitSize, maxTaskAttempts, compressIntermediate, keyType, valueType,
        mapper, reducer, combiner, partitioner, false);
  }

  public ShippedJob {
    Objects.requireNonNull(name, "name");
    // An ArrayList, not List.copyOf: the protocol's Kryo can register ArrayList, not the JDK's
    // immutable lists.
    ArrayList<String> copy = new ArrayList<>(inputs.size());
    for (Object input : inputs) {
      // Generics are erased: a decoded job could hold anything where a path belongs.
      if (!(input instanceof String s)) {
        throw new IllegalArgumentException("inputs holds " + (input == null ? "null" : input.getClass().getName()));
      }
      copy.add(s);
    }
    inputs = copy;
    // Name, key type, value type of each side output, flat: the protocol registers no other records.
    ArrayList<String> sides = new ArrayList<>();
    for (Object o : sideOutputs == null ? List.of() : sideOutputs) {
      if (!(o instanceof String s)) {
        throw new IllegalArgumentException("sideOutputs holds " + (o == null ? "null" : o.getClass().getName()));
      }
      sides.add(s);
    }
    if (sides.size() % 3 != 0) {
      throw new IllegalArgumentException("sideOutputs holds " + sides.size() + " strings, not triples");
    }
    sideOutputs = sides;
    Objects.requireNonNull(output, "output");
    Objects.requireNonNull(keyType, "keyType");
    Objects.requireNonNull(valueType, "valueType");
    Objects.requireNonNull(mapper, "mapper");
    Objects.requireNonNull(outputKeyType, "outputKeyType");
    Objects.requireNonNull(outputValueType, "outputValueType");
    if (taskTimeoutMillis < 0) {
      throw new IllegalArgumentException("taskTimeoutMillis is negative: " + taskTimeoutMillis);
    }
    if (outputBaseName == null) {
      outputBaseName = MapReduceSpecification.DEFAULT_OUTPUT_BASE_NAME;
    } else if (!outputBaseName.matches("[a-z][a-z0-9_-]{0,63}")) {
      throw new IllegalArgumentException("outputBaseName is not lower-case letters, digits, _ and -: "
          + outputBaseName.substring(0, Math.min(outputBaseName.length(), 80)));
    }
  }

  /**
   * Packs a specification.
   *
   * @throws MapReduceException naming the object when the mapper, reducer, combiner or
   *     partitioner cannot be Kryo-encoded and decoded again
   */
  public static ShippedJob of(MapReduceSpecification<?, ?> spec) {
    return new ShippedJob(spec.name(), spec.inputs().stream().map(ShippedJob::absolute).toList(),
        absolute(spec.output()), spec.reduceTasks(), spec.splitSize(), spec.maxTaskAttempts(),
        spec.compressIntermediate(), spec.keyType().getName(), spec.valueType().getName(),
        JobPlan.serialize("mapper", spec.mapper()),
        spec.reducer().map(r -> JobPlan.serialize("reducer", r)).orElse(null),
        spec.combiner().map(c -> JobPlan.serialize("combiner", c)).orElse(null),
        spec.partitioner().map(p -> JobPlan.serialize("partitioner", p)).orElse(null), spec.skipBadRecords(),
        spec.intermediate().map(ShippedJob::absolute).orElse(null),
        JobPlan.serialize("input format", spec.inputFormat()), JobPlan.serialize("output format", spec.outputFormat()),
        spec.outputKeyType().getName(), spec.outputValueType().getName(), spec.lazyOutput(), spec.sortDescending(),
        spec.groupPrefix(), spec.sideOutputs().values().stream()
            .flatMap(o -> java.util.stream.Stream.of(o.name(), o.keyType().getName(), o.valueType().getName()))
            .toList(), spec.chosenSortBufferSize().orElse(0), spec.taskTimeout().toMillis(), spec.outputBaseName());
  }

  private static String absolute(String path) {
    if (!Storages.schemeOf(path).equals(LocalStorage.INSTANCE.scheme()) || path.startsWith("file:")) {
      return path;
    }
    return Path.of(path).toAbsolutePath().normalize().toString();
  }

  /**
   * Where this job keeps its map outputs when they are shared ({@code <intermediate>/<job-id>}),
   * or null when they stay on the workers' disks, or there are none (a map-only job).
   */
  public String intermediateDirectory(String jobId) {
    if (intermediate == null || reduceTasks == 0) {
      return null;
    }
    return SharedMapOutputs.directory(intermediate, jobId);
  }

  /**
   * Unpacks the specification in a worker: user classes come from the calling thread's context
   * class loader (the job's).
   *
   * @throws MapReduceException naming the class when user code cannot be loaded or decoded here
   */
  @SuppressWarnings({"unchecked", "rawtypes"})
  public MapReduceSpecification<?, ?> toSpecification(int parallelism, long sortBufferSize, Path workDirectory) {
    MapReduceSpecification.Builder b = MapReduceSpecification.builder()
        .mapper((PairMapper) decode("mapper", mapper));
    b.name(name)
        .output(output)
        .reduceTasks(reduceTasks)
        .splitSize(splitSize)
        .maxTaskAttempts(maxTaskAttempts)
        .taskTimeout(java.time.Duration.ofMillis(taskTimeoutMillis))
        .parallelism(parallelism)
        .sortBufferSize(sortBufferSize)
        .workDirectory(workDirectory)
        .compressIntermediate(compressIntermediate)
        .skipBadRecords(skipBadRecords)
        .keyType(load(keyType))
        .valueType(load(valueType))
        .outputKeyType(load(outputKeyType))
        .outputValueType(load(outputValueType))
        .lazyOutput(lazyOutput)
        .outputBaseName(outputBaseName);
    if (sortDescending) {
      b.sortDescending();
    }
    if (groupPrefix > 0) {
      b.groupByPrefix(groupPrefix);
    }
    for (int i = 0; i + 2 < sideOutputs.size(); i += 3) {
      b.sideOutput(sideOutputs.get(i), load(sideOutputs.get(i + 1)), load(sideOutputs.get(i + 2)));
    }
    if (inputFormat != null) {
      b.inputFormat((InputFormat) decode("input format", inputFormat));
    }
    if (outputFormat != null) {
      b.outputFormat((OutputFormat) decode("output format", outputFormat));
    }
    inputs.forEach(b::input);
    if (intermediate != null) {
      b.intermediate(intermediate);
    }
    if (reducer != null) {
      b.reducer((PairReducer) decode("reducer", reducer));
    }
    if (combiner != null) {
      b.combiner((Reducer) decode("combiner", combiner));
    }
    if (partitioner != null) {
      b.partitioner((Partitioner) decode("partitioner", partitioner));
    }
    return b.build();
  }

  private static Object decode(String role, byte[] bytes) {
    try {
      return JobKryo.fromBytes(bytes);
    } catch (RuntimeException e) {
      throw new MapReduceException("cannot load the job's " + role + " here: " + e.getMessage(), e);
    }
  }

  private static Class<?> load(String className) {
    ClassLoader loader = Thread.currentThread().getContextClassLoader();
    try {
      return Class.forName(className, false, loader != null ? loader : ShippedJob.class.getClassLoader());
    } catch (ClassNotFoundException | LinkageError e) {
      throw new MapReduceException("cannot load the job's class " + className + " here: " + e, e);
    }
  }
}

package io.mapreduce;

import static io.mapreduce.thirdparty.com.google.common.base.Preconditions.checkArgument;
import static io.mapreduce.thirdparty.com.google.common.base.Preconditions.checkState;
import static java.util.Objects.requireNonNull;

import io.mapreduce.thirdparty.com.google.common.net.HostAndPort;
import io.mapreduce.thirdparty.com.google.common.reflect.TypeToken;
import io.mapreduce.format.InputFormat;
import io.mapreduce.format.OutputFormat;
import io.mapreduce.internal.codec.Codecs;
import io.mapreduce.internal.io.Storages;
import java.lang.reflect.Type;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * An immutable description of a job: where its input is, where its output goes, and the functions
 * that turn one into the other. Build one with {@link #builder()}:
 *
 * <pre>{@code
 * var spec = MapReduceSpecification.builder()
 *     .mapper(new WordCountMapper())          // set first: it fixes the key and value types
 *     .reducer(new SumReducer())
 *     .combiner(new SumReducer())
 *     .input("books/*.txt")
 *     .output("counts")
 *     .reduceTasks(3)
 *     .build();
 * JobResult result = MapReduce.exec(spec).get();
 * }</pre>
 *
 * <p>The input is text lines unless {@link Builder#inputFormat} says otherwise; the output is text
 * lines unless {@link Builder#outputFormat} does. A {@link PairReducer} may emit other types than
 * the intermediate ones: {@link #outputKeyType()} and {@link #outputValueType()} say which.
 *
 * @param <K> the intermediate key type (the mapper's output)
 * @param <V> the intermediate value type
 */
public final class MapReduceSpecification<K, V> {
  /** The default split size, 64 MiB, as the paper's and Hadoop's block size. */
  public static final long DEFAULT_SPLIT_SIZE = 64L << 20;
  /** The default number of attempts per task, as Hadoop's. */
  public static final int DEFAULT_MAX_TASK_ATTEMPTS = 4;
  /**
   * How long a task attempt may go without reading or writing a record before it is killed and
   * retried, unless a specification says otherwise: 10 minutes, as Hadoop's
   * {@code mapreduce.task.timeout}.
   */
  public static final Duration DEFAULT_TASK_TIMEOUT = Duration.ofMinutes(10);
  /** Whether intermediate data is compressed unless a specification says otherwise. */
  public static final boolean DEFAULT_COMPRESS_INTERMEDIATE = false;
  /** What the main output files' names start with unless {@link Builder#outputBaseName} says: {@code mr-out}. */
  public static final String DEFAULT_OUTPUT_BASE_NAME = "mr-out";
  /** Side outputs and output base names: safe in file names and S3 keys everywhere. */
  private static final String NAME_PATTERN = "[a-z][a-z0-9_-]{0,63}";

  private final String name;
  private final List<String> inputs;
  private final String output;
  private final PairMapper<?, ?, K, V> mapper;
  private final PairReducer<K, V, ?, ?> reducer;
  private final Reducer<K, V> combiner;
  private final Partitioner<K> partitioner;
  private final int reduceTasks;
  private final long splitSize;
  private final int parallelism;
  private final int maxTaskAttempts;
  private final Duration taskTimeout;
  private final long sortBufferSize;
  /** Whether the builder was given the sort buffer's size (else it follows this JVM's heap). */
  private final boolean sortBufferSizeChosen;
  private final Path workDirectory;
  private final Class<K> keyType;
  private final Class<V> valueType;
  private final boolean compressIntermediate;
  private final String cluster;
  private final Path clusterSecretFile;
  private final ClusterLauncher clusterLauncher;
  private final boolean skipBadRecords;
  private final String intermediate;
  private final InputFormat<?, ?> inputFormat;
  private final OutputFormat outputFormat;
  private final Class<?> outputKeyType;
  private final Class<?> outputValueType;
  private final boolean lazyOutput;
  private final boolean sortDescending;
  private final int groupPrefix;
  private final java.util.Map<String, SideOutput> sideOutputs;
  private final String outputBaseName;

  private MapReduceSpecification(Builder<K, V> b, Class<K> keyType, Class<V> valueType, Class<?> outputKeyType,
      Class<?> outputValueType) {
    this.name = b.name != null ? b.name : b.mapper.getClass().getSimpleName();
    this.inputs = List.copyOf(b.inputs);
    this.output = b.output;
    this.mapper = b.mapper;
    this.reducer = b.reducer;
    this.combiner = b.combiner;
    this.partitioner = b.partitioner;
    this.reduceTasks = b.reduceTasks != UNSET ? b.reduceTasks : 1;
    this.splitSize = b.splitSize != UNSET ? b.splitSize : DEFAULT_SPLIT_SIZE;
    this.parallelism = b.parallelism != UNSET ? b.parallelism : Runtime.getRuntime().availableProcessors();
    this.maxTaskAttempts = b.maxTaskAttempts != UNSET ? b.maxTaskAttempts : DEFAULT_MAX_TASK_ATTEMPTS;
    this.taskTimeout = b.taskTimeout != null ? b.taskTimeout : DEFAULT_TASK_TIMEOUT;
    this.sortBufferSize = b.sortBufferSize != UNSET ? b.sortBufferSize : defaultSortBufferSize(parallelism);
    this.sortBufferSizeChosen = b.sortBufferSize != UNSET;
    this.workDirectory = b.workDirectory != null
        ? b.workDirectory
        : Path.of(System.getProperty("java.io.tmpdir"), "mapreduce-" + System.getProperty("user.name", "user"));
    this.keyType = keyType;
    this.valueType = valueType;
    this.compressIntermediate = b.compressIntermediate != null ? b.compressIntermediate : DEFAULT_COMPRESS_INTERMEDIATE;
    this.cluster = b.cluster;
    this.clusterSecretFile = b.clusterSecretFile;
    this.clusterLauncher = b.clusterLauncher;
    this.skipBadRecords = b.skipBadRecords != null && b.skipBadRecords;
    this.intermediate = b.intermediate;
    this.inputFormat = b.inputFormat != null ? b.inputFormat : InputFormat.text();
    this.outputFormat = b.outputFormat != null ? b.outputFormat : OutputFormat.text();
    this.outputKeyType = outputKeyType;
    this.outputValueType = outputValueType;
    this.lazyOutput = b.lazyOutput != null && b.lazyOutput;
    this.sortDescending = b.sortDescending;
    this.groupPrefix = b.groupPrefix;
    this.sideOutputs = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(b.sideOutputs));
    this.outputBaseName = b.outputBaseName != null ? b.outputBaseName : DEFAULT_OUTPUT_BASE_NAME;
  }

  /**
   * A named side output: its files are {@code <name>-NNNNN} in the output directory, written with
   * the job's output format.
   */
  public record SideOutput(String name, Class<?> keyType, Class<?> valueType) {}

  /** The side outputs the job declared, by name, in the order declared. */
  public java.util.Map<String, SideOutput> sideOutputs() {
    return sideOutputs;
  }

  /**
   * A quarter of the heap shared by the map tasks that run at once, between 1 MiB and 256 MiB
   * each: the rest of the heap is for user code, reduce-side merges and the JVM.
   */
  static long defaultSortBufferSize(int parallelism) {
    long perTask = Runtime.getRuntime().maxMemory() / 4 / parallelism;
    return Math.max(1L << 20, Math.min(256L << 20, perTask));
  }

  /** A new builder. Set the mapper first: it fixes the key and value types of the rest. */
  public static Builder<Object, Object> builder() {
    return new Builder<>();
  }

  /** The job's name, for logs and status: by default the mapper's simple class name. */
  public String name() {
    return name;
  }

  /** The input paths, directories and globs, as given. */
  public List<String> inputs() {
    return inputs;
  }

  /** The output directory, which must not exist when the job starts. */
  public String output() {
    return output;
  }

  /**
   * The job's main output files as an input glob ({@code <output>/mr-out-*}, or the
   * {@linkplain #outputBaseName() base name} chosen), without its side outputs and {@code _SUCCESS}:
   * what {@link Builder#inputFrom} reads.
   */
  public String outputFiles() {
    return (output.endsWith("/") ? output : output + "/") + outputBaseName + "-*";
  }

  /**
   * What the main output files' names start with: {@code mr-out} (files {@code mr-out-00000}, ...)
   * unless {@link Builder#outputBaseName} chose another, such as Hadoop's {@code part}.
   */
  public String outputBaseName() {
    return outputBaseName;
  }

  /** The mapper: a {@link Mapper} of lines, or a {@link PairMapper} of the input format's records. */
  public PairMapper<?, ?, K, V> mapper() {
    return mapper;
  }

  /** The reducer; absent only for a map-only job. */
  public Optional<PairReducer<K, V, ?, ?>> reducer() {
    return Optional.ofNullable(reducer);
  }

  /** How the input files become records: {@link InputFormat#text()} unless set. */
  public InputFormat<?, ?> inputFormat() {
    return inputFormat;
  }

  /** How the output files are written: {@link OutputFormat#text()} unless set. */
  public OutputFormat outputFormat() {
    return outputFormat;
  }

  /** The type of the output's keys: the reducer's (or, for a map-only job, the mapper's). */
  public Class<?> outputKeyType() {
    return outputKeyType;
  }

  /** The type of the output's values. */
  public Class<?> outputValueType() {
    return outputValueType;
  }

  /** Whether keys reach reducers (and each output file) in decreasing order. */
  public boolean sortDescending() {
    return sortDescending;
  }

  /**
   * How many leading components of a record key make a reduce group (secondary sort), or 0 when
   * the whole key does.
   */
  public int groupPrefix() {
    return groupPrefix;
  }

  /** Whether a task that writes no pair leaves no output file (Hadoop's lazy output). */
  public boolean lazyOutput() {
    return lazyOutput;
  }

  public Optional<Reducer<K, V>> combiner() {
    return Optional.ofNullable(combiner);
  }

  /** The partitioner; absent means the default hash of the key's bytes. */
  public Optional<Partitioner<K>> partitioner() {
    return Optional.ofNullable(partitioner);
  }

  /** R, the number of reduce tasks and output files; 0 for a map-only job. */
  public int reduceTasks() {
    return reduceTasks;
  }

  public long splitSize() {
    return splitSize;
  }

  /** How many tasks run at once in the embedded engine. */
  public int parallelism() {
    return parallelism;
  }

  public int maxTaskAttempts() {
    return maxTaskAttempts;
  }

  /**
   * How long an attempt may make no progress (read no record and write none; a streaming program
   * may also report status or counters on stderr) before it is killed and counted as a failed
   * attempt; zero means never.
   */
  public Duration taskTimeout() {
    return taskTimeout;
  }

  /** The byte budget of each map task's sort buffer. */
  public long sortBufferSize() {
    return sortBufferSize;
  }

  /**
   * The sort buffer's size if the builder was given one ({@link Builder#sortBufferSize}): what a
   * cluster's workers then use, instead of sizing their own from their heaps.
   */
  public java.util.OptionalLong chosenSortBufferSize() {
    return sortBufferSizeChosen ? java.util.OptionalLong.of(sortBufferSize) : java.util.OptionalLong.empty();
  }

  /** Where jobs keep their intermediate files, under {@code jobs/<job-id>/}. */
  public Path workDirectory() {
    return workDirectory;
  }

  /** Whether map output and merge runs are stored in LZ4 blocks. */
  public boolean compressIntermediate() {
    return compressIntermediate;
  }

  public Class<K> keyType() {
    return keyType;
  }

  /** Whether a record that fails two attempts of a task is skipped by the next (the paper's skipping mode). */
  public boolean skipBadRecords() {
    return skipBadRecords;
  }

  /**
   * The master ({@code HOST:PORT}) of the cluster the job runs on, or empty to run embedded in
   * this JVM.
   */
  public Optional<String> cluster() {
    return Optional.ofNullable(cluster);
  }

  /** The file holding the secret of the {@link #cluster()} this job runs on, if it was given one. */
  public Optional<Path> clusterSecretFile() {
    return Optional.ofNullable(clusterSecretFile);
  }

  /** The launcher of the transient cluster this job starts, runs on and takes down, if any. */
  public Optional<ClusterLauncher> clusterLauncher() {
    return Optional.ofNullable(clusterLauncher);
  }

  public Class<V> valueType() {
    return valueType;
  }

  /**
   * The shared directory (such as {@code s3://bucket/tmp/}) where a cluster keeps map outputs
   * instead of its workers' disks, or empty.
   */
  public Optional<String> intermediate() {
    return Optional.ofNullable(intermediate);
  }

  @Override
  public String toString() {
    return "MapReduceSpecification[" + name + ", inputs=" + inputs + ", inputFormat=" + inputFormat + ", output="
        + output + ", outputFormat=" + outputFormat
        + ", reduceTasks=" + reduceTasks + ", splitSize=" + splitSize + ", parallelism=" + parallelism + "]";
  }

  private static final int UNSET = -1;

  /**
   * Builds a {@link MapReduceSpecification}. Each setter checks its argument at once and may be
   * called only once (except {@link #input}, which adds); {@link #build()} checks the whole.
   */
  public static final class Builder<K, V> {
    private String name;
    private final List<String> inputs = new ArrayList<>();
    private String output;
    private PairMapper<?, ?, K, V> mapper;
    private PairReducer<K, V, ?, ?> reducer;
    private Reducer<K, V> combiner;
    private Partitioner<K> partitioner;
    private int reduceTasks = UNSET;
    private long splitSize = UNSET;
    private int parallelism = UNSET;
    private int maxTaskAttempts = UNSET;
    private Duration taskTimeout;
    private long sortBufferSize = UNSET;
    private Path workDirectory;
    private Class<K> keyType;
    private Class<V> valueType;
    private Boolean compressIntermediate;
    private String cluster;
    private Path clusterSecretFile;
    private ClusterLauncher clusterLauncher;
    private Boolean skipBadRecords;
    private String intermediate;
    private InputFormat<?, ?> inputFormat;
    private OutputFormat outputFormat;
    private Class<?> outputKeyType;
    private Class<?> outputValueType;
    private Boolean lazyOutput;
    private boolean sortDescending;
    private int groupPrefix;
    private final java.util.Map<String, SideOutput> sideOutputs = new java.util.LinkedHashMap<>();
    private String outputBaseName;

    private Builder() {}

    /** Names the job for logs and status. */
    public Builder<K, V> name(String name) {
      requireNonNull(name, "name");
      checkState(this.name == null, "name was already set to %s", this.name);
      checkArgument(!name.isBlank(), "name must not be blank");
      this.name = name;
      return this;
    }

    /**
     * Adds inputs: files, directories (their files, except names starting with {@code _} or
     * {@code .}) and globs such as {@code data/part-00[0-2].txt}.
     */
    public Builder<K, V> input(String... paths) {
      requireNonNull(paths, "paths");
      for (String p : paths) {
        requireNonNull(p, "input");
        checkArgument(!p.isBlank(), "input must not be blank");
        inputs.add(p);
      }
      return this;
    }

    /** Adds input files or directories. */
    public Builder<K, V> input(Path... paths) {
      requireNonNull(paths, "paths");
      for (Path p : paths) {
        input(requireNonNull(p, "input").toString());
      }
      return this;
    }

    /**
     * Reads an earlier job's output (its {@code mr-out-*} files, not its side outputs) as this job's
     * input, with the input format that reads what it wrote: typed pairs for {@link OutputFormat#pairs()} (of its output key and value types), lines
     * for text. The earlier job must have run (or run) before this one does.
     *
     * @throws IllegalStateException when an input format was already set
     * @throws IllegalArgumentException when the earlier job's output format cannot be read back
     */
    public Builder<K, V> inputFrom(MapReduceSpecification<?, ?> earlier) {
      requireNonNull(earlier, "earlier");
      InputFormat<?, ?> format = earlier.outputFormat().readBack(earlier.outputKeyType(), earlier.outputValueType());
      checkArgument(format != null, "the output format %s of job %s cannot be read back: set inputFormat(...)",
          earlier.outputFormat(), earlier.name());
      inputFormat(format);
      // The main files only: side outputs and the _SUCCESS marker are beside them.
      return input(earlier.outputFiles());
    }

    /** Sets the output directory, which must not exist when the job starts. */
    public Builder<K, V> output(String directory) {
      requireNonNull(directory, "output");
      checkState(output == null, "output was already set to %s", output);
      checkArgument(!directory.isBlank(), "output must not be blank");
      this.output = directory;
      return this;
    }

    public Builder<K, V> output(Path directory) {
      return output(requireNonNull(directory, "output").toString());
    }

    /**
     * Sets the mapper, whose type parameters fix the job's key and value types: a {@link Mapper}
     * of text lines, or a {@link PairMapper} of the records of the {@link #inputFormat}.
     */
    @SuppressWarnings("unchecked")
    public <K1, V1> Builder<K1, V1> mapper(PairMapper<?, ?, K1, V1> mapper) {
      requireNonNull(mapper, "mapper");
      checkState(this.mapper == null, "mapper was already set to %s", this.mapper);
      Builder<K1, V1> self = (Builder<K1, V1>) this;
      self.mapper = mapper;
      return self;
    }

    /**
     * Sets the reducer: a {@link Reducer}, which emits the types it reads, or a
     * {@link PairReducer}, whose last two type parameters are the output's types.
     */
    public Builder<K, V> reducer(PairReducer<K, V, ?, ?> reducer) {
      requireNonNull(reducer, "reducer");
      checkState(this.reducer == null, "reducer was already set to %s", this.reducer);
      this.reducer = reducer;
      return this;
    }

    /**
     * Sets a combiner: a reducer run on map output before the shuffle, zero or more times, on any
     * subset of a key's values and on its own output; it must give the same output for the same
     * input (see {@link Reducer}).
     */
    public Builder<K, V> combiner(Reducer<K, V> combiner) {
      requireNonNull(combiner, "combiner");
      checkState(this.combiner == null, "combiner was already set to %s", this.combiner);
      this.combiner = combiner;
      return this;
    }

    public Builder<K, V> partitioner(Partitioner<K> partitioner) {
      requireNonNull(partitioner, "partitioner");
      checkState(this.partitioner == null, "partitioner was already set to %s", this.partitioner);
      this.partitioner = partitioner;
      return this;
    }

    /** Sets R (default 1); 0 makes a map-only job whose map output is the job's output. */
    public Builder<K, V> reduceTasks(int reduceTasks) {
      checkState(this.reduceTasks == UNSET, "reduceTasks was already set to %s", this.reduceTasks);
      checkArgument(reduceTasks >= 0 && reduceTasks <= 99_999,
          "reduceTasks must be between 0 and 99999 but was %s", reduceTasks);
      this.reduceTasks = reduceTasks;
      return this;
    }

    /** Sets the split size in bytes (default 64 MiB): larger files are cut into several map tasks. */
    public Builder<K, V> splitSize(long bytes) {
      checkState(this.splitSize == UNSET, "splitSize was already set to %s", this.splitSize);
      checkArgument(bytes > 0, "splitSize must be positive but was %s", bytes);
      this.splitSize = bytes;
      return this;
    }

    /** Sets how many tasks run at once in the embedded engine (default: available processors). */
    public Builder<K, V> parallelism(int parallelism) {
      checkState(this.parallelism == UNSET, "parallelism was already set to %s", this.parallelism);
      checkArgument(parallelism > 0, "parallelism must be positive but was %s", parallelism);
      this.parallelism = parallelism;
      return this;
    }

    /** Sets how many times a task is tried before the job fails (default 4). */
    public Builder<K, V> maxTaskAttempts(int attempts) {
      checkState(this.maxTaskAttempts == UNSET, "maxTaskAttempts was already set to %s", this.maxTaskAttempts);
      checkArgument(attempts > 0, "maxTaskAttempts must be positive but was %s", attempts);
      this.maxTaskAttempts = attempts;
      return this;
    }

    /**
     * Sets how long a task attempt may make no progress before it is killed (its streaming program
     * too) and retried like any failed attempt (default 10 minutes, as Hadoop's
     * {@code mapreduce.task.timeout}). Progress is reading an input record or writing an output
     * one; a streaming program may also print {@code reporter:status:} or {@code reporter:counter:}
     * lines on stderr. {@link Duration#ZERO} means never, as Hadoop's 0. An attempt whose Java code
     * ignores interrupts is marked failed but keeps its thread until that code returns.
     *
     * @throws IllegalArgumentException if {@code timeout} is negative, or positive but under 1 ms
     * @throws IllegalStateException if the timeout was already set
     */
    public Builder<K, V> taskTimeout(Duration timeout) {
      requireNonNull(timeout, "timeout");
      checkState(this.taskTimeout == null, "taskTimeout was already set to %s", this.taskTimeout);
      checkArgument(!timeout.isNegative(), "taskTimeout must not be negative but was %s", timeout);
      checkArgument(timeout.isZero() || timeout.toMillis() > 0, "taskTimeout must be 0 (never) or at least 1 ms but"
          + " was %s", timeout);
      this.taskTimeout = timeout;
      return this;
    }

    /**
     * Sets each map task's sort buffer budget in bytes (default: a quarter of the heap divided by
     * the parallelism, between 1 MiB and 256 MiB; on a cluster, each worker's own heap and slots).
     * Map output beyond it is spilled to disk. A cluster's workers take it as given, up to what
     * their heaps allow (half the heap over the slots).
     */
    public Builder<K, V> sortBufferSize(long bytes) {
      checkState(this.sortBufferSize == UNSET, "sortBufferSize was already set to %s", this.sortBufferSize);
      checkArgument(bytes >= 64 << 10 && bytes <= 1L << 30,
          "sortBufferSize must be between 64 KiB and 1 GiB but was %s", bytes);
      this.sortBufferSize = bytes;
      return this;
    }

    /**
     * Sets where intermediate files live in the embedded engine (default:
     * {@code $TMPDIR/mapreduce-$USER}); a cluster's workers keep them in their own work directories.
     */
    public Builder<K, V> workDirectory(Path directory) {
      requireNonNull(directory, "workDirectory");
      checkState(this.workDirectory == null, "workDirectory was already set to %s", this.workDirectory);
      this.workDirectory = directory;
      return this;
    }

    /**
     * Sets whether intermediate data (spills, map outputs, merge passes) is compressed with LZ4
     * (default: {@value MapReduceSpecification#DEFAULT_COMPRESS_INTERMEDIATE}, as measured in
     * BENCHMARKS.md).
     */
    public Builder<K, V> compressIntermediate(boolean compress) {
      checkState(this.compressIntermediate == null, "compressIntermediate was already set to %s",
          this.compressIntermediate);
      this.compressIntermediate = compress;
      return this;
    }

    /**
     * Runs the job on the cluster whose master listens at {@code HOST:PORT} (default: embedded in
     * this JVM). Needs {@code mapreduce-runtime-netty} on the classpath; the mapper, reducer,
     * combiner and partitioner travel to the workers Kryo-encoded, and the inputs and output must
     * be paths every machine of the cluster sees (a shared file system, or S3).
     *
     * @throws IllegalArgumentException if it is not {@code HOST:PORT}
     */
    public Builder<K, V> cluster(String hostPort) {
      requireNonNull(hostPort, "cluster");
      checkState(this.cluster == null, "cluster was already set to %s", this.cluster);
      HostAndPort parsed;
      try {
        parsed = HostAndPort.fromString(hostPort);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("cluster must be HOST:PORT but was '" + hostPort + "'", e);
      }
      checkArgument(parsed.hasPort() && !parsed.getHost().isEmpty(), "cluster must be HOST:PORT but was '%s'",
          hostPort);
      checkState(this.clusterLauncher == null, "a transient cluster was already set");
      this.cluster = hostPort;
      return this;
    }

    /**
     * Runs the job on a running cluster: its master, with its secret. The handle stays open (the
     * caller closes it, perhaps after more jobs); see {@code mapreduce-launcher} for ways to get one.
     */
    public Builder<K, V> cluster(Cluster cluster) {
      requireNonNull(cluster, "cluster");
      cluster(cluster.master());
      this.clusterSecretFile = cluster.secretFile().orElse(null);
      return this;
    }

    /**
     * Runs the job on a cluster of its own: {@link MapReduce#exec} starts it with this launcher,
     * runs the job on it, and takes it down before the job's future completes, whether the job
     * succeeded, failed or was cancelled (EMR's auto-terminate).
     */
    public Builder<K, V> transientCluster(ClusterLauncher launcher) {
      requireNonNull(launcher, "transientCluster");
      checkState(this.cluster == null && this.clusterLauncher == null, "the cluster was already set");
      this.clusterLauncher = launcher;
      return this;
    }

    /**
     * Turns on the paper's skipping mode (default: off): when two attempts of a task fail on the
     * same record (a map input line, or a reduce key), the next attempt skips that record, counts
     * it in {@link Counters#SKIPPED_RECORDS} and logs its position, and the job goes on. Off, the
     * job fails after the attempts, naming the record.
     */
    public Builder<K, V> skipBadRecords(boolean skip) {
      checkState(this.skipBadRecords == null, "skipBadRecords was already set to %s", this.skipBadRecords);
      this.skipBadRecords = skip;
      return this;
    }

    /**
     * On a cluster, keeps map outputs in shared storage under this directory (such as
     * {@code s3://bucket/tmp/}; each job uses {@code <directory>/<job-id>/} and removes it when it
     * ends) instead of on the disks of the workers that ran the maps. A worker that dies after its
     * maps finished then costs nothing: its outputs are still there, and reducers read their
     * partition of each with ranged reads. Default: workers' disks, served by the workers, as in
     * the paper. The embedded engine keeps map outputs in its work directory either way.
     */
    public Builder<K, V> intermediate(String directory) {
      requireNonNull(directory, "intermediate");
      checkState(this.intermediate == null, "intermediate was already set to %s", this.intermediate);
      checkArgument(!directory.isBlank(), "intermediate must not be blank");
      this.intermediate = directory;
      return this;
    }

    /**
     * Sets how input files become records (default {@link InputFormat#text()}): the mapper must
     * read its record types, as a {@link Mapper} reads the text formats' {@code (Long, String)}.
     */
    public Builder<K, V> inputFormat(InputFormat<?, ?> format) {
      requireNonNull(format, "inputFormat");
      checkState(this.inputFormat == null, "inputFormat was already set to %s", this.inputFormat);
      this.inputFormat = format;
      return this;
    }

    /** Sets how output files are written (default {@link OutputFormat#text()}). */
    public Builder<K, V> outputFormat(OutputFormat format) {
      requireNonNull(format, "outputFormat");
      checkState(this.outputFormat == null, "outputFormat was already set to %s", this.outputFormat);
      this.outputFormat = format;
      return this;
    }

    /**
     * Writes no output file for a task that emits nothing (default: every task writes its file,
     * empty or not), as Hadoop's {@code LazyOutputFormat}.
     */
    public Builder<K, V> lazyOutput(boolean lazy) {
      checkState(this.lazyOutput == null, "lazyOutput was already set to %s", this.lazyOutput);
      this.lazyOutput = lazy;
      return this;
    }

    /**
     * Sorts keys in decreasing order (default: increasing): reducers see the largest key first and
     * each output file is in decreasing order; with a total-order partitioner, file 0 holds the
     * largest keys. For one component of a record key, annotate it {@link Descending} instead.
     */
    public Builder<K, V> sortDescending() {
      checkState(!sortDescending, "sortDescending was already set");
      this.sortDescending = true;
      return this;
    }

    /**
     * Secondary sort: groups reduce input by the first {@code components} components of the
     * record key, so that one {@code reduce} call gets every key that shares them, with its values
     * in the order of the whole key (the rest of its components, each ascending unless
     * {@link Descending}). The key given to {@code reduce} is the group's first. Partitions follow
     * the same prefix, so a group never spans two reducers. This is Hadoop's grouping comparator
     * pattern, expressed with the key's type instead of comparators on bytes.
     *
     * @throws IllegalArgumentException unless {@code components} is at least 1; {@link #build()}
     *     checks it against the key type
     */
    public Builder<K, V> groupByPrefix(int components) {
      checkState(groupPrefix == 0, "groupByPrefix was already set to %s", groupPrefix);
      checkArgument(components >= 1, "groupByPrefix needs at least one component but was %s", components);
      this.groupPrefix = components;
      return this;
    }

    /**
     * Names the main output files {@code <name>-NNNNN} (and the output format's extension) instead
     * of {@code mr-out-NNNNN}: {@code part} gives Hadoop's {@code part-00000}, for scripts that read
     * {@code OUT/part-*} (Hadoop's {@code mapreduce.output.basename}).
     *
     * @throws IllegalArgumentException unless the name is lower-case letters, digits, {@code _} and
     *     {@code -}, starting with a letter
     * @throws IllegalStateException if it was already set
     */
    public Builder<K, V> outputBaseName(String name) {
      requireNonNull(name, "outputBaseName");
      checkArgument(name.matches(NAME_PATTERN), "an output base name is lower-case letters, digits, _ and -, starting"
          + " with a letter; not '%s'", name);
      checkState(this.outputBaseName == null, "outputBaseName was already set to %s", this.outputBaseName);
      this.outputBaseName = name;
      return this;
    }

    /**
     * Declares a side output: reducers (and the mappers of a map-only job) write to it with
     * {@link TaskContext#sideOutput(String)}, for records such as the ones a job rejects. Its files
     * are {@code <name>-NNNNN} beside the main output, in the job's output format, and become
     * visible with the job's output, or not at all.
     *
     * @throws IllegalArgumentException unless the name is lower-case letters, digits, {@code _} and
     *     {@code -}, starting with a letter, and other than {@code mr-out}; the build fails when a
     *     side output's files could be taken for the main output's ({@link #outputBaseName})
     */
    public Builder<K, V> sideOutput(String name, Class<?> keyType, Class<?> valueType) {
      requireNonNull(name, "name");
      requireNonNull(keyType, "keyType");
      requireNonNull(valueType, "valueType");
      checkArgument(name.matches(NAME_PATTERN) && !name.startsWith("mr-out"),
          "a side output's name is lower-case letters, digits, _ and -, starting with a letter, and not mr-out;"
              + " not '%s'", name);
      checkState(!sideOutputs.containsKey(name), "side output %s was already declared", name);
      sideOutputs.put(name, new SideOutput(name, keyType, valueType));
      return this;
    }

    /** Sets the output key type, when it cannot be read from the reducer's type arguments. */
    public Builder<K, V> outputKeyType(Class<?> type) {
      requireNonNull(type, "outputKeyType");
      checkState(this.outputKeyType == null, "outputKeyType was already set to %s", this.outputKeyType);
      this.outputKeyType = type;
      return this;
    }

    /** Sets the output value type, when it cannot be read from the reducer's type arguments. */
    public Builder<K, V> outputValueType(Class<?> type) {
      requireNonNull(type, "outputValueType");
      checkState(this.outputValueType == null, "outputValueType was already set to %s", this.outputValueType);
      this.outputValueType = type;
      return this;
    }

    /** Sets the key type, when it cannot be read from the mapper's type arguments. */
    @SuppressWarnings("unchecked")
    public Builder<K, V> keyType(Class<? super K> type) {
      requireNonNull(type, "keyType");
      checkState(this.keyType == null, "keyType was already set to %s", this.keyType);
      this.keyType = (Class<K>) type;
      return this;
    }

    /** Sets the value type, when it cannot be read from the mapper's type arguments. */
    @SuppressWarnings("unchecked")
    public Builder<K, V> valueType(Class<? super V> type) {
      requireNonNull(type, "valueType");
      checkState(this.valueType == null, "valueType was already set to %s", this.valueType);
      this.valueType = (Class<V>) type;
      return this;
    }

    /**
     * Checks the whole and builds the specification.
     *
     * @throws IllegalStateException naming the missing field when the inputs, the output, the
     *     mapper, or (for R &gt; 0) the reducer were not set
     * @throws IllegalArgumentException naming the field when the key type has no deterministic
     *     encoding or a type cannot be determined, or naming the path when no storage serves an
     *     input's or the output's scheme
     */
    public MapReduceSpecification<K, V> build() {
      checkState(mapper != null, "mapper is required");
      checkState(!inputs.isEmpty(), "input is required: at least one file, directory or glob");
      checkState(output != null, "output is required");
      int r = reduceTasks != UNSET ? reduceTasks : 1;
      checkState(reducer != null || r == 0, "reducer is required when reduceTasks > 0 (it is %s)", r);
      for (String in : inputs) {
        Storages.forPath(in);
      }
      Storages.forPath(output);
      if (intermediate != null) {
        Storages.forPath(intermediate);
      }
      Class<K> k = keyType != null ? keyType : typeArgument(mapper, PairMapper.class, 2, "keyType");
      Class<V> v = valueType != null ? valueType : typeArgument(mapper, PairMapper.class, 3, "valueType");
      try {
        Codecs.forKey(k);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("keyType " + e.getMessage(), e);
      }
      Codecs.forValue(v);
      if (groupPrefix > 0) {
        // A partitioner sees whole keys: it could send one group's keys to two reducers.
        checkState(partitioner == null, "groupByPrefix(%s) partitions by the key's first %s components itself;"
            + " a partitioner (%s) could split a group between reducers: leave it unset", groupPrefix, groupPrefix,
            partitioner == null ? null : partitioner.getClass().getName());
        int count = Codecs.componentCount(Codecs.forKey(k));
        checkArgument(count > groupPrefix, "groupByPrefix(%s) needs a record key of more than %s components, but"
            + " the key type %s %s", groupPrefix, groupPrefix, k.getName(),
            count < 0 ? "is not a record" : "has " + count);
      }
      InputFormat<?, ?> format = inputFormat != null ? inputFormat : InputFormat.text();
      checkReads(mapper, format);
      Class<?> ok;
      Class<?> ov;
      if (reducer instanceof Reducer<?, ?> && r > 0) {
        // It emits the types it reads, whatever its type arguments say (a generic identity reducer).
        ok = outputKeyType != null ? outputKeyType : k;
        ov = outputValueType != null ? outputValueType : v;
      } else if (reducer != null && r > 0) {
        ok = outputKeyType != null ? outputKeyType : typeArgument(reducer, PairReducer.class, 2, "outputKeyType");
        ov = outputValueType != null ? outputValueType
            : typeArgument(reducer, PairReducer.class, 3, "outputValueType");
      } else {
        ok = outputKeyType != null ? outputKeyType : k;
        ov = outputValueType != null ? outputValueType : v;
      }
      OutputFormat out = outputFormat != null ? outputFormat : OutputFormat.text();
      String base = outputBaseName != null ? outputBaseName : DEFAULT_OUTPUT_BASE_NAME;
      for (String side : sideOutputs.keySet()) {
        // A side file <side>-NNNNN must not read as a main file <base>-NNNNN, nor the reverse.
        checkArgument(!(side + "-").startsWith(base + "-") && !(base + "-").startsWith(side + "-"),
            "the side output %s would be taken for the main output %s-NNNNN (or the reverse): rename one", side, base);
      }
      boolean writesLines = mapper instanceof io.mapreduce.internal.engine.LineOutput
          || reducer instanceof io.mapreduce.internal.engine.LineOutput;
      checkArgument(!writesLines || out.writesLines(), "the output format %s writes no lines, but a streaming program's"
          + " output is lines: use text, gzipText or zstdText", out);
      return new MapReduceSpecification<>(this, k, v, ok, ov);
    }

    /**
     * Refuses a mapper that cannot read the input format's records: a {@link Mapper} reads lines,
     * and a {@link PairMapper}'s input types must accept the format's key and value types.
     */
    private static void checkReads(PairMapper<?, ?, ?, ?> mapper, InputFormat<?, ?> format) {
      Class<?> ki = resolvedOrNull(mapper, PairMapper.class, 0);
      Class<?> vi = resolvedOrNull(mapper, PairMapper.class, 1);
      boolean keyFits = ki == null || io.mapreduce.thirdparty.com.google.common.primitives.Primitives.wrap(ki).isAssignableFrom(format.keyType());
      boolean valueFits = vi == null || vi.isAssignableFrom(format.valueType());
      if (keyFits && valueFits) {
        return;
      }
      String reads = "(" + (ki == null ? "?" : ki.getName()) + ", " + (vi == null ? "?" : vi.getName()) + ")";
      String gives = "(" + format.keyType().getName() + ", " + format.valueType().getName() + ")";
      String hint = mapper instanceof Mapper<?, ?>
          ? "; a Mapper reads text lines: extend PairMapper<" + format.keyType().getSimpleName() + ", "
              + format.valueType().getSimpleName() + ", K, V> to read these records"
          : "";
      throw new IllegalArgumentException("the mapper " + mapper.getClass().getName() + " reads records " + reads
          + " but the input format " + format + " gives " + gives + hint);
    }

    /** A type argument of {@code base} as {@code object}'s class binds it, or null if it cannot be read. */
    private static Class<?> resolvedOrNull(Object object, Class<?> base, int index) {
      Type t = TypeToken.of(object.getClass()).resolveType(base.getTypeParameters()[index]).getType();
      if (t instanceof Class<?> || t instanceof java.lang.reflect.ParameterizedType
          || t instanceof java.lang.reflect.GenericArrayType) {
        return TypeToken.of(t).getRawType();
      }
      return null;
    }

    @SuppressWarnings("unchecked")
    private static <T> Class<T> typeArgument(Object object, Class<?> base, int index, String field) {
      Class<?> c = resolvedOrNull(object, base, index);
      if (c == null) {
        Type t = TypeToken.of(object.getClass()).resolveType(base.getTypeParameters()[index]).getType();
        throw new IllegalArgumentException(field + " cannot be read from " + object.getClass().getName()
            + "'s type arguments (" + t + "); set it with " + field + "(...)");
      }
      return (Class<T>) c;
    }
  }
}

package io.mapreduce.internal.engine;

import io.mapreduce.thirdparty.com.google.common.hash.HashFunction;
import io.mapreduce.thirdparty.com.google.common.hash.Hashing;
import io.mapreduce.MapReduceException;
import io.mapreduce.MapReduceSpecification;
import io.mapreduce.PairMapper;
import io.mapreduce.PairReducer;
import io.mapreduce.Partitioner;
import io.mapreduce.Reducer;
import io.mapreduce.format.InputFormat;
import io.mapreduce.format.OutputFormat;
import io.mapreduce.internal.codec.ByteSink;
import io.mapreduce.internal.codec.Codec;
import io.mapreduce.internal.codec.Codecs;
import io.mapreduce.internal.codec.JobKryo;
import io.mapreduce.spi.InputSplit;
import io.mapreduce.spi.JobOutput;
import io.mapreduce.spi.Storage;
import java.nio.file.Path;
import java.util.List;

/**
 * What every task of a job shares, resolved once when the job starts: codecs, the serialized
 * mapper, reducer and combiner, the partition function, the splits and the output.
 */
final class JobPlan<K, V> {
  private static final HashFunction PARTITION_HASH = Hashing.murmur3_32_fixed();

  final String jobId;
  final MapReduceSpecification<K, V> spec;
  final Codec<K> keyCodec;
  final Codec<V> valueCodec;
  final Storage inputStorage;
  final List<InputSplit> splits;
  final long inputBytes;
  final JobOutput output;
  final Path jobDirectory;
  /** Shared by the job's tasks: formats hold configuration only. */
  final InputFormat<Object, Object> inputFormat;
  final OutputFormat outputFormat;
  final Class<Object> outputKeyType;
  final Class<Object> outputValueType;
  /** Leading record components that make a group (and a partition), or 0 for the whole key. */
  private final int groupPrefix;
  private final ThreadLocal<io.mapreduce.internal.codec.ByteSource> prefixScratch =
      ThreadLocal.withInitial(io.mapreduce.internal.codec.ByteSource::new);
  private final byte[] mapper;
  private final byte[] reducer;
  private final byte[] combiner;
  /** Where each template's classes come from: copies are read back through the same loaders. */
  private final ClassLoader mapperLoader;
  private final ClassLoader reducerLoader;
  private final ClassLoader combinerLoader;
  private final Partitioner<K> partitioner;
  /** Asked for every word a mapper emits as bytes: worked out once. */
  private final boolean keyBytesAreUtf8;

  @SuppressWarnings("unchecked")
  JobPlan(String jobId, MapReduceSpecification<K, V> spec, Storage inputStorage, List<InputSplit> splits,
      JobOutput output, Path jobDirectory) {
    this.inputFormat = (InputFormat<Object, Object>) spec.inputFormat();
    this.outputFormat = spec.outputFormat();
    this.outputKeyType = (Class<Object>) spec.outputKeyType();
    this.outputValueType = (Class<Object>) spec.outputValueType();
    this.jobId = jobId;
    this.spec = spec;
    this.keyCodec = spec.sortDescending() ? Codecs.descending(Codecs.forKey(spec.keyType()))
        : Codecs.forKey(spec.keyType());
    this.groupPrefix = spec.groupPrefix();
    this.valueCodec = Codecs.forValue(spec.valueType());
    this.inputStorage = inputStorage;
    this.splits = splits;
    this.inputBytes = splits.stream().mapToLong(InputSplit::length).sum();
    this.output = output;
    this.jobDirectory = jobDirectory;
    // Serialized now, as the cluster runtime ships them, and read back once: a template that Kryo
    // cannot copy fails the job at once, naming it, not every attempt of every task.
    this.mapper = serialize("mapper", spec.mapper());
    this.reducer = spec.reducer().map(r -> serialize("reducer", r)).orElse(null);
    this.combiner = spec.combiner().map(c -> serialize("combiner", c)).orElse(null);
    this.partitioner = spec.partitioner().orElse(null);
    this.keyBytesAreUtf8 = keyCodec == (Codec<?>) Codecs.forKey(String.class);
    this.mapperLoader = spec.mapper().getClass().getClassLoader();
    this.reducerLoader = spec.reducer().map(r -> r.getClass().getClassLoader()).orElse(null);
    this.combinerLoader = spec.combiner().map(c -> c.getClass().getClassLoader()).orElse(null);
  }

  static byte[] serialize(String role, Object template) {
    try {
      byte[] bytes = JobKryo.toBytes(template);
      JobKryo.fromBytes(bytes, template.getClass().getClassLoader());
      return bytes;
    } catch (RuntimeException e) {
      throw new MapReduceException("the " + role + " " + template.getClass().getName()
          + " cannot be copied into tasks with Kryo (keep its fields to plain data, lambdas that are"
          + " Serializable, or mark them transient and set them up in setup()): " + e.getMessage(), e);
    }
  }

  int reduceTasks() {
    return spec.reduceTasks();
  }

  PairMapper<Object, Object, K, V> newMapper() {
    return JobKryo.fromBytes(mapper, mapperLoader);
  }

  PairReducer<K, V, Object, Object> newReducer() {
    return JobKryo.fromBytes(reducer, reducerLoader);
  }

  /** A fresh combiner, or null when the job has none. */
  Reducer<K, V> newCombiner() {
    return combiner == null ? null : JobKryo.fromBytes(combiner, combinerLoader);
  }

  /** Encodes a pair into two reused sinks, which it clears first. */
  void encode(K key, V value, ByteSink keySink, ByteSink valueSink) {
    keySink.clear();
    keyCodec.write(key, keySink, false);
    valueSink.clear();
    valueCodec.write(value, valueSink, false);
  }

  /** The output file of a task: {@code mr-out-NNNNN} (or the job's base name) and the output format's extension. */
  String outputName(int index) {
    return String.format("%s-%05d", spec.outputBaseName(), index) + outputFormat.extension();
  }

  /** The output's nulls, as the shuffle's, are only for {@code Void} types. */
  void checkOutput(Object key, Object value, String who) {
    if (key == null && outputKeyType != (Class<?>) Void.class) {
      throw new NullPointerException(who + " emitted a null key");
    }
    if (value == null && outputValueType != (Class<?>) Void.class) {
      throw new NullPointerException(who + " emitted a null value for key " + key);
    }
  }

  /** Nulls are only for {@code Void} types, which encode as nothing. */
  void checkEmitted(K key, V value, String who) {
    if (key == null && keyCodec.type() != (Class<?>) Void.class) {
      throw new NullPointerException(who + " emitted a null key");
    }
    if (value == null && valueCodec.type() != (Class<?>) Void.class) {
      throw new NullPointerException(who + " emitted a null value for key " + key);
    }
  }

  /** The hash of an encoded key: Murmur3-32, seed 0. Partitions and the combining table use it. */
  static int keyHash(byte[] encoded, int offset, int length) {
    return PARTITION_HASH.hashBytes(encoded, offset, length).asInt();
  }

  /** Whether partitioning needs the key as an object (a user partitioner) or only its hash. */
  boolean partitionsByObject() {
    return partitioner != null;
  }

  /** Whether a string key's encoded bytes are its UTF-8 text (ascending strings), to write as they are. */
  boolean keyBytesAreUtf8() {
    return keyBytesAreUtf8;
  }

  /**
   * The length of the part of an encoded key that decides its group: the whole key, or its first
   * {@code groupByPrefix} components.
   */
  int groupLength(byte[] key, int offset, int length) {
    if (groupPrefix == 0) {
      return length;
    }
    return Codecs.prefixLength(keyCodec, groupPrefix, prefixScratch.get(), key, offset, length);
  }

  /** Whether grouping is by a prefix of the key (secondary sort). */
  boolean groupsByPrefix() {
    return groupPrefix > 0;
  }

  /**
   * The partition of a key, from its object for a user partitioner, or else from the hash of its
   * encoded bytes ({@link #keyHash}, given as {@code hash}; with grouping by a prefix, of the
   * prefix's bytes); {@code key} may be null when {@link #partitionsByObject()} is false.
   */
  int partition(K key, int hash, byte[] encoded, int length) {
    int r = spec.reduceTasks();
    if (partitioner == null) {
      if (groupPrefix > 0) {
        hash = keyHash(encoded, 0, groupLength(encoded, 0, length));
      }
      return Math.floorMod(hash, r);
    }
    int p = partitioner.partition(key, r);
    if (p < 0 || p >= r) {
      throw new IllegalStateException("partitioner " + partitioner.getClass().getName() + " returned " + p
          + " for key " + key + " with " + r + " reduce tasks");
    }
    return p;
  }

  /** The default partition function: Murmur3-32 (seed 0) of the key's bytes, modulo R. */
  static int hashPartition(byte[] key, int offset, int length, int partitions) {
    return Math.floorMod(keyHash(key, offset, length), partitions);
  }
}

package io.mapreduce.internal.engine;

import com.google.common.hash.HashFunction;
import com.google.common.hash.Hashing;
import io.mapreduce.MapReduceException;
import io.mapreduce.MapReduceSpecification;
import io.mapreduce.Mapper;
import io.mapreduce.Partitioner;
import io.mapreduce.Reducer;
import io.mapreduce.internal.codec.ByteSink;
import io.mapreduce.internal.codec.Codec;
import io.mapreduce.internal.codec.Codecs;
import io.mapreduce.internal.codec.JobKryo;
import io.mapreduce.internal.io.InputSplit;
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
  private final byte[] mapper;
  private final byte[] reducer;
  private final byte[] combiner;
  /** Where each template's classes come from: copies are read back through the same loaders. */
  private final ClassLoader mapperLoader;
  private final ClassLoader reducerLoader;
  private final ClassLoader combinerLoader;
  private final Partitioner<K> partitioner;

  JobPlan(String jobId, MapReduceSpecification<K, V> spec, Storage inputStorage, List<InputSplit> splits,
      JobOutput output, Path jobDirectory) {
    this.jobId = jobId;
    this.spec = spec;
    this.keyCodec = Codecs.forKey(spec.keyType());
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

  Mapper<K, V> newMapper() {
    return JobKryo.fromBytes(mapper, mapperLoader);
  }

  Reducer<K, V> newReducer() {
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

  /**
   * The partition of a key, from its object for a user partitioner, or else from the hash of its
   * encoded bytes ({@link #keyHash}); {@code key} may be null when {@link #partitionsByObject()}
   * is false.
   */
  int partition(K key, int hash) {
    int r = spec.reduceTasks();
    if (partitioner == null) {
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

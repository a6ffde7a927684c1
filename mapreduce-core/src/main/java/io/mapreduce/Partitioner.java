package io.mapreduce;

/**
 * Chooses the reduce task of an intermediate key. The default (when a specification names none)
 * hashes the key's deterministic byte encoding with Murmur3 (32-bit, seed 0, as Guava's
 * {@code murmur3_32_fixed}) and takes it modulo the number of reduce tasks: never
 * {@code hashCode()}, so a key goes to the same partition on every JVM.
 *
 * <p>An implementation must be a pure function of the key: it is called on every machine.
 */
@FunctionalInterface
public interface Partitioner<K> {

  /** Returns a partition in {@code [0, numPartitions)}. */
  int partition(K key, int numPartitions);
}

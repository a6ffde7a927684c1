package io.mapreduce.lib.streaming;

import io.mapreduce.thirdparty.com.google.common.hash.Hasher;
import io.mapreduce.thirdparty.com.google.common.hash.Hashing;
import io.mapreduce.Partitioner;
import java.util.Objects;

/**
 * Partitions streaming keys by some of their fields only, as Hadoop's
 * {@code KeyFieldBasedPartitioner} does: with {@code -k1,1}, every key that starts with the same
 * first field goes to the same reduce task. The chosen ranges ({@code -k} as for
 * {@link KeyFieldBasedComparator}; {@code n} and {@code r} do not matter here) are hashed with
 * Murmur3 (32-bit, seed 0), each range's length first, so a partition is the same on every JVM;
 * with no {@code -k}, the whole key is hashed.
 *
 * <p>When the mapper emits sort keys ({@link StreamingMapper.Builder#sortKeysBy}), partition with
 * {@link #ofSortKeys()}, which reads the original key out of each sort key first.
 */
public final class KeyFieldBasedPartitioner implements Partitioner<byte[]> {
  private final KeyFields fields;
  private final String options;
  private final boolean sortKeys;

  private KeyFieldBasedPartitioner(KeyFields fields, String options, boolean sortKeys) {
    this.fields = fields;
    this.options = options;
    this.sortKeys = sortKeys;
  }

  /**
   * Parses Hadoop's {@code mapreduce.partition.keypartitioner.options} (such as {@code "-k1,1"})
   * over fields separated by {@code separator} ({@code mapreduce.map.output.key.field.separator},
   * a tab by default).
   *
   * @throws NullPointerException if an argument is null
   * @throws IllegalArgumentException naming the bad option, or if the separator is empty
   */
  public static KeyFieldBasedPartitioner parse(String options, String separator) {
    return new KeyFieldBasedPartitioner(KeyFields.parse(options, separator), options, false);
  }

  /** The same partitioner for a mapper that emits sort keys of a {@link KeyFieldBasedComparator}. */
  public KeyFieldBasedPartitioner ofSortKeys() {
    return new KeyFieldBasedPartitioner(fields, options, true);
  }

  @Override
  public int partition(byte[] key, int numPartitions) {
    Objects.requireNonNull(key, "key");
    if (numPartitions == 1) {
      return 0; // what the hash below would give, without reading the fields (one reduce task)
    }
    byte[] k = sortKeys ? KeyFieldBasedComparator.originalKey(key) : key;
    Hasher h = Hashing.murmur3_32_fixed().newHasher();
    for (int s = 0; s < fields.specCount(); s++) {
      long r = fields.range(s, k, k.length);
      int from = (int) (r >>> 32);
      int to = (int) r;
      h.putInt(to - from).putBytes(k, from, to - from);
    }
    return Math.floorMod(h.hash().asInt(), numPartitions);
  }

  @Override
  public String toString() {
    return "KeyFieldBasedPartitioner(" + options + (sortKeys ? ", of sort keys)" : ")");
  }
}

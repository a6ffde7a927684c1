package io.mapreduce.internal.engine;

import io.mapreduce.internal.codec.ByteSink;
import io.mapreduce.internal.codec.Codec;
import io.mapreduce.internal.codec.Codecs;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;

/**
 * Prints the default partition of a fixed list of keys, for {@link JobPlanHashPartitionTest} to
 * compare between JVMs. Output is ASCII only, so the child's default charset does not matter.
 */
final class PartitionPrinter {
  static final int[] REDUCE_TASKS = {1, 3, 7, 101};

  enum Fruit { APPLE, BANANA, CHERRY }

  record WordCount(String word, Long count) {}

  record Span(WordCount from, Fruit fruit, Integer n) {}

  static final List<Object> KEYS = List.of(
      "", "a", "apple", "Apple", "h\u00e9llo", "\ud835\udcb3", "\0", "the quick brown fox", "\uffff",
      0L, 1L, -1L, 42L, Long.MIN_VALUE, Long.MAX_VALUE, 1_234_567_890_123L,
      Fruit.APPLE, Fruit.BANANA, Fruit.CHERRY,
      new WordCount("apple", 3L), new WordCount("a\0", -1L), new WordCount("", 0L),
      new Span(new WordCount("x", 7L), Fruit.CHERRY, -5));

  private PartitionPrinter() {}

  public static void main(String[] args) {
    System.out.print(render());
    // Not compared: shows whether the child's identity hash codes (which enums' hashCode uses) differ.
    System.out.println("# identityHashCode(Fruit.APPLE)=" + System.identityHashCode(Fruit.APPLE));
  }

  /** One line per key: its type, its encoding in hex, and its partition for each R. */
  static String render() {
    StringBuilder out = new StringBuilder();
    for (Object key : KEYS) {
      byte[] encoded = encode(key);
      out.append(key.getClass().getSimpleName()).append(' ').append(HexFormat.of().formatHex(encoded));
      for (int r : REDUCE_TASKS) {
        out.append(" R").append(r).append('=').append(JobPlan.hashPartition(encoded, 0, encoded.length, r));
      }
      out.append('\n');
    }
    return out.toString();
  }

  @SuppressWarnings("unchecked")
  static byte[] encode(Object key) {
    Codec<Object> codec = (Codec<Object>) Codecs.forKey(key.getClass());
    ByteSink sink = new ByteSink(16);
    codec.write(key, sink, false);
    return Arrays.copyOf(sink.array(), sink.length());
  }
}

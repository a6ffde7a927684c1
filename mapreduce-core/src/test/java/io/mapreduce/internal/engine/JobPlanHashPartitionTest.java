package io.mapreduce.internal.engine;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The default partition function depends on nothing but the key's encoded bytes: the same on
 * every JVM (unlike {@code hashCode()} of enums and arrays), and pinned by golden values.
 */
class JobPlanHashPartitionTest {
  private static final long CHILD_TIMEOUT_SECONDS = 60;

  @TempDir Path tmp;

  @Test
  void hashPartition_childJvmWithOtherIdentityHashesAndCharset_agreesWithThisJvm() throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    List<String> command = List.of(java,
        // Every identity hash code is 1 in the child: Enum.hashCode() differs from this JVM's.
        "-XX:+UnlockExperimentalVMOptions", "-XX:hashCode=2",
        "-Dfile.encoding=ISO-8859-1", "-Duser.language=tr", "-Duser.country=TR",
        "-XX:TieredStopAtLevel=1",
        "-cp", System.getProperty("java.class.path"),
        PartitionPrinter.class.getName());
    File out = tmp.resolve("child.out").toFile();
    File err = tmp.resolve("child.err").toFile();
    Process child = new ProcessBuilder(command).redirectOutput(out).redirectError(err).start();
    boolean exited = child.waitFor(CHILD_TIMEOUT_SECONDS, TimeUnit.SECONDS);
    if (!exited) {
      child.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
    assertThat(exited).as("child JVM exited within %d s", CHILD_TIMEOUT_SECONDS).isTrue();
    assertThat(child.exitValue()).as("child exit code; stderr: %s", Files.readString(err.toPath())).isZero();

    List<String> lines = Files.readAllLines(out.toPath(), UTF_8);
    List<String> compared = lines.stream().filter(l -> !l.startsWith("#")).toList();
    assertThat(compared).hasSize(PartitionPrinter.KEYS.size());
    assertThat(String.join("\n", compared) + "\n").isEqualTo(PartitionPrinter.render());
    // The child really had other identity hash codes, so hashCode-based partitioning would differ.
    assertThat(lines).contains("# identityHashCode(Fruit.APPLE)=1");
  }

  @Test
  void hashPartition_inThisJvm_isMurmur3OfTheEncodedBytesModR() {
    for (Object key : PartitionPrinter.KEYS) {
      byte[] encoded = PartitionPrinter.encode(key);
      for (int r : new int[] {1, 2, 3, 7, 101, 1 << 16, Integer.MAX_VALUE}) {
        int p = JobPlan.hashPartition(encoded, 0, encoded.length, r);
        assertThat(p).as("%s, R=%d", key, r).isEqualTo(Math.floorMod(murmur3(encoded, 0, encoded.length), r));
      }
    }
  }

  @Test
  void hashPartition_rangeInsideALargerArray_hashesOnlyThatRange() {
    Random random = new Random(11);
    for (int i = 0; i < 2000; i++) {
      byte[] buf = new byte[random.nextInt(40)];
      random.nextBytes(buf);
      int off = buf.length == 0 ? 0 : random.nextInt(buf.length);
      int len = random.nextInt(buf.length - off + 1);
      byte[] copy = Arrays.copyOfRange(buf, off, off + len);
      int r = 1 + random.nextInt(1000);
      assertThat(JobPlan.hashPartition(buf, off, len, r))
          .isEqualTo(JobPlan.hashPartition(copy, 0, len, r))
          .isEqualTo(Math.floorMod(murmur3(copy, 0, len), r))
          .isBetween(0, r - 1);
    }
  }

  @Test
  void murmur3Oracle_publishedTestVectors() {
    // Reference MurmurHash3_x86_32, seed 0: checks the oracle this test relies on.
    assertThat(murmur3(new byte[0], 0, 0)).isEqualTo(0);
    assertThat(murmur3("hello".getBytes(UTF_8), 0, 5)).isEqualTo(0x248bfa47);
    byte[] fox = "The quick brown fox jumps over the lazy dog".getBytes(UTF_8);
    assertThat(murmur3(fox, 0, fox.length)).isEqualTo(0x2e4ff723);
  }

  /** A key, its encoding, and Murmur3-32 (seed 0) of that encoding. */
  record Golden(Object key, String hex, int murmur3) {}

  /**
   * Computed once (2026, with the encodings documented in Codecs) and hard-coded: Murmur3-32 with
   * seed 0 of the documented key encodings. A change of the hash function or of a key encoding
   * moves keys to other reduce tasks and fails this test; such a change must be deliberate, since
   * map outputs written before it would be partitioned differently.
   */
  static final List<Golden> GOLDEN = List.of(
      new Golden("", "", 0x00000000),
      new Golden("a", "61", 0x3c2569b2),
      new Golden("apple", "6170706c65", 0x7016e890),
      new Golden("Apple", "4170706c65", 0x8882a2c2),
      new Golden("h\u00e9llo", "68c3a96c6c6f", 0xbc9fa068),
      new Golden("\ud835\udcb3", "f09d92b3", 0xac3965ce),
      new Golden("\0", "00", 0x514e28b7),
      new Golden("the quick brown fox", "74686520717569636b2062726f776e20666f78", 0x1efc4bf4),
      new Golden("\uffff", "efbfbf", 0x3f4aff5c),
      new Golden(0L, "8000000000000000", 0x1174b9a2),
      new Golden(1L, "8000000000000001", 0x1e76e3ab),
      new Golden(-1L, "7fffffffffffffff", 0x48efb706),
      new Golden(42L, "800000000000002a", 0x5771ddea),
      new Golden(Long.MIN_VALUE, "0000000000000000", 0x63852afc),
      new Golden(Long.MAX_VALUE, "ffffffffffffffff", 0x627564e8),
      new Golden(1_234_567_890_123L, "8000011f71fb04cb", 0x30e2b006),
      new Golden(PartitionPrinter.Fruit.APPLE, "00000000", 0x2362f9de),
      new Golden(PartitionPrinter.Fruit.BANANA, "00000001", 0x32e8c4a4),
      new Golden(PartitionPrinter.Fruit.CHERRY, "00000002", 0xd06402cf),
      new Golden(new PartitionPrinter.WordCount("apple", 3L), "6170706c6500018000000000000003", 0x5a48989c),
      new Golden(new PartitionPrinter.WordCount("a\0", -1L), "6100ff00017fffffffffffffff", 0x5887dfd8),
      new Golden(new PartitionPrinter.WordCount("", 0L), "00018000000000000000", 0x61a6398e),
      new Golden(new PartitionPrinter.Span(new PartitionPrinter.WordCount("x", 7L), PartitionPrinter.Fruit.CHERRY, -5),
          "7800018000000000000007000000027ffffffb", 0x4a861220));

  @Test
  void hashPartition_goldenValues_unchanged() {
    assertThat(GOLDEN).extracting(Golden::key).containsExactlyElementsOf(PartitionPrinter.KEYS);
    for (Golden g : GOLDEN) {
      byte[] encoded = PartitionPrinter.encode(g.key());
      assertThat(HexFormat.of().formatHex(encoded)).as("encoding of %s", g.key()).isEqualTo(g.hex());
      for (int r : new int[] {1, 3, 7, 101, Integer.MAX_VALUE}) {
        assertThat(JobPlan.hashPartition(encoded, 0, encoded.length, r))
            .as("partition of %s for R=%d", g.key(), r)
            .isEqualTo(Math.floorMod(g.murmur3(), r));
      }
    }
    // A few written out, as a reader of this test would compute them by hand.
    assertThat(JobPlan.hashPartition("apple".getBytes(UTF_8), 0, 5, 7)).isEqualTo(3);
    assertThat(JobPlan.hashPartition(new byte[0], 0, 0, 101)).isEqualTo(0);
  }

  /** MurmurHash3_x86_32, written from the reference algorithm; independent of Guava. */
  static int murmur3(byte[] data, int offset, int length) {
    final int c1 = 0xcc9e2d51;
    final int c2 = 0x1b873593;
    int h = 0;
    int blocks = length / 4;
    for (int i = 0; i < blocks; i++) {
      int p = offset + 4 * i;
      int k = (data[p] & 0xff) | (data[p + 1] & 0xff) << 8 | (data[p + 2] & 0xff) << 16 | (data[p + 3] & 0xff) << 24;
      k *= c1;
      k = Integer.rotateLeft(k, 15);
      k *= c2;
      h ^= k;
      h = Integer.rotateLeft(h, 13);
      h = h * 5 + 0xe6546b64;
    }
    int tail = offset + 4 * blocks;
    int rest = length & 3;
    if (rest > 0) {
      int k = 0;
      for (int i = rest - 1; i >= 0; i--) {
        k = k << 8 | (data[tail + i] & 0xff);
      }
      k *= c1;
      k = Integer.rotateLeft(k, 15);
      k *= c2;
      h ^= k;
    }
    h ^= length;
    h ^= h >>> 16;
    h *= 0x85ebca6b;
    h ^= h >>> 13;
    h *= 0xc2b2ae35;
    h ^= h >>> 16;
    return h;
  }
}

package io.mapreduce.examples.scale;

import static org.assertj.core.api.Assertions.assertThat;

import io.mapreduce.Emitter;
import io.mapreduce.MapReduce;
import io.mapreduce.MapReduceSpecification;
import io.mapreduce.Mapper;
import io.mapreduce.Reducer;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The out-of-core proofs at CI scale, in child JVMs with small heaps: a sort of 150 MB under
 * {@code -Xmx64m} equals {@code LC_ALL=C sort}, and one key with ten million values reaches its
 * reducer as a stream.
 */
class BoundedMemoryIT {
  /** Peak RSS allowed for a 64 MiB heap: the heap, plus metaspace, code cache, stacks and buffers. */
  private static final long MAX_RSS_KB = 300 * 1024;

  @TempDir
  Path dir;

  private static Path repositoryRoot() {
    for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
      if (Files.isExecutable(p.resolve("bin/mapreduce"))) {
        return p;
      }
    }
    throw new AssertionError("bin/mapreduce not found above " + Path.of("").toAbsolutePath());
  }

  /** Deterministic lines of random words, some multi-byte, LF-terminated: about {@code bytes}. */
  private static void generate(Path file, long bytes, long seed) throws IOException {
    String[] alphabet = {"a", "b", "c", "d", "e", "f", "g", "é", "ö", "ж", "𝒳", " ", "-", "1"};
    Random random = new Random(seed);
    long written = 0;
    try (BufferedWriter out = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
      StringBuilder line = new StringBuilder();
      while (written < bytes) {
        line.setLength(0);
        int length = random.nextInt(120);
        for (int i = 0; i < length; i++) {
          line.append(alphabet[random.nextInt(alphabet.length)]);
        }
        out.write(line.toString());
        out.write('\n');
        written += line.toString().getBytes(StandardCharsets.UTF_8).length + 1;
      }
    }
  }

  @Test
  void sort_150MegabytesUnder64MegabyteHeap_equalsGnuSortInBoundedMemory() throws Exception {
    Path input = Files.createDirectories(dir.resolve("input"));
    generate(input.resolve("part-0.txt"), 75_000_000, 1);
    generate(input.resolve("part-1.txt"), 75_000_000, 2);
    Path out = dir.resolve("out");

    Path expected = dir.resolve("expected");
    ProcessBuilder sort = new ProcessBuilder("sort", input.resolve("part-0.txt").toString(),
        input.resolve("part-1.txt").toString()).redirectOutput(expected.toFile())
        .redirectError(ProcessBuilder.Redirect.INHERIT);
    sort.environment().put("LC_ALL", "C");
    Process gnu = sort.start();
    assertThat(gnu.waitFor(300, TimeUnit.SECONDS)).isTrue();
    assertThat(gnu.exitValue()).isZero();

    List<String> command = List.of("env", "JAVA_OPTS=-Xmx64m", repositoryRoot().resolve("bin/mapreduce").toString(),
        "sort", "--input", input.toString(), "--output", out.toString(), "--work-dir", dir.resolve("work").toString());
    ChildJvm.Result r = ChildJvm.run(command, dir.resolve("sort.log"), 600);
    ChildJvm.assertSucceeded(r);
    System.out.printf("sort of 150 MB under -Xmx64m: peak RSS %d MiB%n", r.peakRssKb() / 1024);
    assertThat(r.peakRssKb()).as("peak RSS in KiB").isPositive().isLessThan(MAX_RSS_KB);

    Path actual = dir.resolve("actual");
    try (OutputStream all = Files.newOutputStream(actual); Stream<Path> files = Files.list(out)) {
      for (Path f : files.filter(f -> f.getFileName().toString().startsWith("mr-out-")).sorted().toList()) {
        try (InputStream in = Files.newInputStream(f)) {
          in.transferTo(all);
        }
      }
    }
    assertThat(Files.size(actual)).isEqualTo(Files.size(expected));
    assertThat(Files.mismatch(actual, expected)).as("first differing byte").isEqualTo(-1L);
  }

  /** Emits one key a hundred times per line. */
  public static final class OneKeyMapper extends Mapper<String, Long> {
    @Override
    public void map(long offset, String line, Emitter<String, Long> emitter) {
      for (int i = 0; i < 100; i++) {
        emitter.emit("the-key", 1L);
      }
    }
  }

  /** Counts the values of a key without keeping them. */
  public static final class CountingReducer extends Reducer<String, Long> {
    @Override
    public void reduce(String key, Iterable<Long> values, Emitter<String, Long> emitter) {
      long n = 0;
      for (Long ignored : values) {
        n++;
      }
      emitter.emit(key, n);
    }
  }

  /** The child JVM's job: args are input, output and work directory. */
  public static void main(String[] args) throws Exception {
    var spec = MapReduceSpecification.builder().mapper(new OneKeyMapper()).reducer(new CountingReducer())
        .input(args[0]).output(args[1]).workDirectory(Path.of(args[2])).build();
    MapReduce.exec(spec).get();
  }

  @Test
  void reduce_oneKeyWithTenMillionValuesUnder64MegabyteHeap_streamsThem() throws Exception {
    Path input = Files.createDirectories(dir.resolve("input"));
    Files.writeString(input.resolve("lines.txt"), "x\n".repeat(100_000));
    Path out = dir.resolve("out");
    List<String> command = new ArrayList<>(List.of(ChildJvm.java(), "-Xmx64m", "-cp", System.getProperty("java.class.path"),
        BoundedMemoryIT.class.getName(), input.toString(), out.toString(), dir.resolve("work").toString()));
    ChildJvm.Result r = ChildJvm.run(command, dir.resolve("one-key.log"), 600);
    ChildJvm.assertSucceeded(r);
    System.out.printf("one key with 10M values under -Xmx64m: peak RSS %d MiB%n", r.peakRssKb() / 1024);
    assertThat(out.resolve("mr-out-00000")).hasContent("the-key\t10000000");
    assertThat(r.peakRssKb()).as("peak RSS in KiB").isPositive().isLessThan(MAX_RSS_KB);
  }
}

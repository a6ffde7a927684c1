package io.mapreduce.testing;

import static java.util.Objects.requireNonNull;

import io.mapreduce.MapReduce;
import io.mapreduce.MapReduceException;
import io.mapreduce.MapReduceSpecification;
import io.mapreduce.format.InputFormat;
import io.mapreduce.format.OutputFormat;
import io.mapreduce.format.Pairs;
import io.mapreduce.internal.io.LocalStorage;
import io.mapreduce.internal.io.PairsWriter;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;

/**
 * Runs a job on records held in memory, for unit tests of mappers, reducers and combiners: the
 * records go through the real engine (splits, map, partition, sort, combine, group, reduce) and the
 * output pairs come back as objects, in output order (partition by partition, each in key order).
 * Files are made and removed behind the scenes, in a temporary directory.
 *
 * <pre>{@code
 * var counts = JobHarness.runOnLines(MapReduceSpecification.builder()
 *     .mapper(new Tokens()).reducer(new Sum()).combiner(new Sum()).reduceTasks(2),
 *     List.of("a b", "b"));
 * assertThat(counts).containsExactly(entry("a", 1L), entry("b", 2L));   // each partition sorted
 * }</pre>
 *
 * <p>Leave the builder's input, output, input and output formats and work directory unset: the
 * harness sets them. Everything else (reduce tasks, combiner, partitioner, sort order, grouping,
 * split size) is the job's own.
 */
public final class JobHarness {
  private JobHarness() {}

  /**
   * Runs a job whose mapper reads text lines (a {@code Mapper}) on these lines: offsets are those
   * of the lines joined with {@code \n}.
   *
   * @throws IllegalArgumentException if a line holds a line end
   */
  public static <KO, VO> List<Map.Entry<KO, VO>> runOnLines(MapReduceSpecification.Builder<?, ?> builder,
      List<String> lines) {
    requireNonNull(builder, "builder");
    for (String l : lines) {
      if (l.indexOf('\n') >= 0 || l.indexOf('\r') >= 0) {
        throw new IllegalArgumentException("a line must not hold a line end: " + l);
      }
    }
    return run(builder, in -> Files.writeString(in.resolve("lines.txt"),
        lines.isEmpty() ? "" : String.join("\n", lines) + "\n", StandardCharsets.UTF_8), null);
  }

  /** Runs a job whose mapper is a {@code PairMapper<KI, VI, ...>} on these records. */
  public static <KI, VI, KO, VO> List<Map.Entry<KO, VO>> runOnPairs(MapReduceSpecification.Builder<?, ?> builder,
      Class<KI> keyType, Class<VI> valueType, List<? extends Map.Entry<? extends KI, ? extends VI>> records) {
    requireNonNull(builder, "builder");
    return run(builder, in -> {
      try (OutputStream out = Files.newOutputStream(in.resolve("records.pairs"));
          PairsWriter<KI, VI> writer = new PairsWriter<>(out, keyType, valueType)) {
        for (Map.Entry<? extends KI, ? extends VI> r : records) {
          writer.write(r.getKey(), r.getValue());
        }
      }
    }, InputFormat.pairs(keyType, valueType));
  }

  private interface Input {
    void writeInto(Path directory) throws IOException;
  }

  @SuppressWarnings("unchecked")
  private static <KO, VO> List<Map.Entry<KO, VO>> run(MapReduceSpecification.Builder<?, ?> builder, Input input,
      InputFormat<?, ?> format) {
    Path root;
    try {
      root = Files.createTempDirectory("mapreduce-harness-");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    try {
      Path in = Files.createDirectories(root.resolve("input"));
      input.writeInto(in);
      if (format != null) {
        builder.inputFormat(format);
      }
      MapReduceSpecification<?, ?> spec = builder.input(in.toString()).output(root.resolve("output").toString())
          .workDirectory(root.resolve("work")).outputFormat(OutputFormat.pairs()).build();
      MapReduce.exec(spec).get();
      return Pairs.read(spec.outputFiles(), (Class<KO>) spec.outputKeyType(), (Class<VO>) spec.outputValueType());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new MapReduceException("interrupted while the job ran", e);
    } catch (ExecutionException e) {
      throw e.getCause() instanceof MapReduceException m ? m : new MapReduceException(e.getCause().toString(),
          e.getCause());
    } finally {
      LocalStorage.deleteRecursively(root);
    }
  }
}

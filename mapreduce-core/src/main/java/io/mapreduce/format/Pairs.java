package io.mapreduce.format;

import static java.util.Objects.requireNonNull;

import io.mapreduce.MapReduceException;
import io.mapreduce.internal.io.PairsReader;
import io.mapreduce.internal.io.Storages;
import io.mapreduce.spi.InputFile;
import io.mapreduce.spi.Storage;
import java.io.IOException;
import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;

/**
 * Reads the typed pairs a job wrote with {@link OutputFormat#pairs()}, in an application:
 * {@code Pairs.read("counts", String.class, Long.class)}. Local directories and S3 prefixes alike.
 */
public final class Pairs {
  private Pairs() {}

  /**
   * Calls {@code action} with every pair of the output files under {@code directory}
   * ({@code mr-out-*}, in file order: partition by partition, each in the job's key order),
   * decoding them one at a time, so an output of any size can be read. {@code directory} may also
   * be a glob, such as a job's {@link io.mapreduce.MapReduceSpecification#outputFiles()} (which
   * names its files when it chose another base name): then exactly the files it matches.
   *
   * @throws MapReduceException naming the file when one cannot be read, is not a pairs file, or
   *     holds other types
   */
  public static <K, V> void forEach(String directory, Class<K> keyType, Class<V> valueType,
      BiConsumer<? super K, ? super V> action) {
    requireNonNull(directory, "directory");
    requireNonNull(action, "action");
    Storage storage = Storages.forPath(directory);
    List<InputFile> files;
    try {
      files = storage.listInputs(directory);
    } catch (IOException e) {
      throw new MapReduceException("cannot list " + directory + ": " + e.getMessage(), e);
    }
    boolean glob = directory.chars().anyMatch(c -> c == '*' || c == '?' || c == '[' || c == '{');
    if (!glob && files.stream().noneMatch(f -> f.name().startsWith("mr-out-"))) {
      // Not silently nothing: the files of a job that chose another base name are right there.
      List<String> bases = files.stream().map(InputFile::name).filter(n -> n.matches(".*-\\d{5}(\\..*)?"))
          .map(n -> n.substring(0, n.lastIndexOf('-') + 1) + "*").distinct().sorted().toList();
      if (!bases.isEmpty()) {
        throw new MapReduceException("no mr-out-* files in " + directory + ", but " + String.join(", ", bases)
            + ": to read a job with another output base name give its outputFiles(), such as " + directory + "/"
            + bases.get(bases.size() - 1));
      }
    }
    for (InputFile f : files) {
      if (!glob && !f.name().startsWith("mr-out-")) {
        continue;
      }
      try (PairsReader<K, V> reader = PairsReader.open(storage.open(f, 0), f.path(), keyType, valueType)) {
        while (reader.next()) {
          action.accept(reader.key(), reader.value());
        }
      } catch (IOException | IllegalArgumentException e) {
        String why = String.valueOf(e.getMessage());
        throw new MapReduceException("cannot read pairs: " + (why.contains(f.path()) ? why : f.path() + ": " + why), e);
      }
    }
  }

  /**
   * Every pair of the output files under {@code directory}, in file order, as entries (which allow
   * a null key or value, as {@code Void} types have).
   */
  public static <K, V> List<Map.Entry<K, V>> read(String directory, Class<K> keyType, Class<V> valueType) {
    List<Map.Entry<K, V>> pairs = new ArrayList<>();
    forEach(directory, keyType, valueType, (k, v) -> pairs.add(new AbstractMap.SimpleImmutableEntry<>(k, v)));
    return pairs;
  }
}

package io.mapreduce.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.IntStream;
import java.util.stream.Stream;

/** Reads a committed job output directory and checks its shape. */
final class OutputDir {
  private OutputDir() {}

  static String partName(int i) {
    return String.format("mr-out-%05d", i);
  }

  /**
   * Checks that {@code dir} holds exactly {@code files} files {@code mr-out-00000...} and an empty
   * {@code _SUCCESS}, each file strict UTF-8 ending in a newline (unless empty), and returns the
   * lines of each file in file order.
   */
  static List<List<String>> read(Path dir, int files) throws IOException {
    List<String> expectedNames = new ArrayList<>();
    expectedNames.add("_SUCCESS");
    IntStream.range(0, files).mapToObj(OutputDir::partName).forEach(expectedNames::add);
    List<String> names;
    try (Stream<Path> list = Files.list(dir)) {
      names = list.map(p -> p.getFileName().toString()).toList();
    }
    assertThat(names).as("files in %s", dir).containsExactlyInAnyOrderElementsOf(expectedNames);
    assertThat(Files.size(dir.resolve("_SUCCESS"))).as("size of _SUCCESS").isZero();

    List<List<String>> result = new ArrayList<>();
    for (int i = 0; i < files; i++) {
      result.add(lines(dir.resolve(partName(i))));
    }
    return result;
  }

  /** The lines of one output file, which must be strict UTF-8 and end with a newline unless empty. */
  static List<String> lines(Path file) throws IOException {
    byte[] bytes = Files.readAllBytes(file);
    String text;
    try {
      text = StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes))
          .toString();
    } catch (CharacterCodingException e) {
      throw new AssertionError(file + " is not valid UTF-8", e);
    }
    if (text.isEmpty()) {
      return List.of();
    }
    assertThat(text).as("%s ends with a newline", file).endsWith("\n");
    assertThat(text).as("%s has no carriage return", file).doesNotContain("\r");
    return List.of(text.substring(0, text.length() - 1).split("\n", -1));
  }

  /**
   * Checks that each file's lines are in key order and that no key is in two files. With
   * {@code distinct}, keys must also be unique within a file.
   */
  static <K> void assertSortedByKeyAndDisjoint(List<List<String>> files, Function<String, K> key,
      Comparator<? super K> order, boolean distinct) {
    Map<K, Integer> fileOfKey = new HashMap<>();
    for (int f = 0; f < files.size(); f++) {
      K previous = null;
      for (String line : files.get(f)) {
        K k = key.apply(line);
        if (previous != null) {
          int c = order.compare(previous, k);
          assertThat(distinct ? c < 0 : c <= 0)
              .as("%s: key %s after %s", partName(f), k, previous).isTrue();
        }
        Integer other = fileOfKey.putIfAbsent(k, f);
        assertThat(other == null || other == f)
            .as("key %s in both %s and %s", k, other == null ? "" : partName(other), partName(f)).isTrue();
        previous = k;
      }
    }
  }

  /** The text of a line before its first tab (the whole line if it has none). */
  static String keyOf(String line) {
    int tab = line.indexOf('\t');
    return tab < 0 ? line : line.substring(0, tab);
  }
}

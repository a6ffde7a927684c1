package io.mapreduce;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mapreduce.format.OutputFormat;
import io.mapreduce.format.Pairs;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Output files named as Hadoop names them ({@code part-00000}), beside side outputs. */
class OutputBaseNameTest {
  @TempDir Path dir;

  private MapReduceSpecification.Builder<String, Long> wordCount(String output) throws IOException {
    Path input = dir.resolve("in.txt");
    Files.writeString(input, "a b b c c c d e e\nf\n");
    return MapReduceSpecification.builder().mapper(new EngineContract.TokenMapper())
        .reducer(new InputOutputFormatsTest.SumOrRare()).sideOutput("rare", String.class, String.class)
        .input(input.toString()).output(dir.resolve(output).toString()).workDirectory(dir.resolve("work"))
        .reduceTasks(3);
  }

  private static List<String> names(Path out) throws IOException {
    try (Stream<Path> s = Files.list(out)) {
      return s.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  @Test
  void outputBaseName_part_namesTheMainFilesAsHadoop_andTheResultListsThemOnly() throws Exception {
    var spec = wordCount("out").outputBaseName("part").build();
    assertThat(spec.outputFiles()).isEqualTo(dir.resolve("out") + "/part-*");
    JobResult r = MapReduce.exec(spec).get(60, TimeUnit.SECONDS);

    List<String> names = names(dir.resolve("out"));
    assertThat(names).contains("_SUCCESS", "part-00000", "part-00001", "part-00002").noneMatch(n -> n.startsWith("mr-out"));
    assertThat(names.stream().filter(n -> n.startsWith("rare-"))).isNotEmpty();
    assertThat(r.outputFiles()).extracting(u -> Path.of(u).getFileName().toString())
        .containsExactly("part-00000", "part-00001", "part-00002");

    // A later job reads the main files only, not the side output's.
    var counts = MapReduce.exec(MapReduceSpecification.builder().mapper(new EngineContract.TokenMapper())
        .reducer(new EngineContract.Sum()).inputFrom(spec).output(dir.resolve("again").toString())
        .workDirectory(dir.resolve("work")).build()).get(60, TimeUnit.SECONDS);
    List<String> again = new ArrayList<>();
    for (var f : counts.outputFiles()) {
      again.addAll(Files.readAllLines(Path.of(f)));
    }
    // Each main line "word<TAB>n" is one token (the mapper splits at spaces), counted once.
    assertThat(again).containsExactlyInAnyOrder("b\t2\t1", "c\t3\t1", "e\t2\t1");
  }

  @Test
  void pairsRead_ofTheOutputFilesGlob_readsAJobWithAnotherBaseName() throws Exception {
    var spec = wordCount("pairs").outputBaseName("result").outputFormat(OutputFormat.pairs()).build();
    MapReduce.exec(spec).get(60, TimeUnit.SECONDS);
    Map<String, Long> read = new TreeMap<>();
    Pairs.forEach(spec.outputFiles(), String.class, Long.class, read::put);
    assertThat(read).isEqualTo(Map.of("b", 2L, "c", 3L, "e", 2L));
    // The directory alone means mr-out-* files, of which there are none here: said, not an empty read.
    assertThatThrownBy(() -> Pairs.read(dir.resolve("pairs").toString(), String.class, Long.class))
        .isInstanceOf(MapReduceException.class).hasMessageContaining("no mr-out-* files in")
        .hasMessageContaining("rare-*, result-*").hasMessageContaining("/result-*");
  }

  @Test
  void outputBaseName_refusesNamesThatAreNotSafeOrClashWithASideOutput() throws Exception {
    assertThatThrownBy(() -> wordCount("x").outputBaseName("../part"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'../part'");
    assertThatThrownBy(() -> wordCount("x").outputBaseName("Part"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("lower-case");
    assertThatThrownBy(() -> wordCount("x").outputBaseName("rare").build())
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("side output rare");
    assertThatThrownBy(() -> wordCount("x").outputBaseName("part").outputBaseName("part"))
        .isInstanceOf(IllegalStateException.class);
    assertThat(wordCount("x").build().outputFiles()).endsWith("/mr-out-*");
  }
}

package com.example.embedding;

import io.mapreduce.Cluster;
import io.mapreduce.Emitter;
import io.mapreduce.JobResult;
import io.mapreduce.MapReduce;
import io.mapreduce.MapReduceSpecification;
import io.mapreduce.Mapper;
import io.mapreduce.lib.LongSumReducer;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * The application's two jobs on the library, as its README writes them: words counted by their
 * shape (a record key: first letter and length) and by their size (an enum key), each checked
 * against the oracle's word counts grouped the same way in plain Java.
 */
public final class WordJobs {
  private WordJobs() {}

  /** A word's first letter and length: a record key, encoded by the library's record encoding. */
  public record Shape(String initial, int length) {
    static Shape of(String word) {
      return new Shape(word.substring(0, 1), word.length());
    }
  }

  /** A word's size: an enum key. */
  public enum Size {
    SHORT, MEDIUM, LONG;

    static Size of(String word) {
      return word.length() <= 3 ? SHORT : word.length() <= 6 ? MEDIUM : LONG;
    }
  }

  public static final class ShapeMapper extends Mapper<Shape, Long> {
    @Override
    public void map(long offset, String line, Emitter<Shape, Long> out) {
      Corpus.forEachWord(line, w -> out.emit(Shape.of(w), 1L));
    }
  }

  public static final class SizeMapper extends Mapper<Size, Long> {
    @Override
    public void map(long offset, String line, Emitter<Size, Long> out) {
      Corpus.forEachWord(line, w -> out.emit(Size.of(w), 1L));
    }
  }

  /**
   * Runs both jobs on {@code input}, writing under {@code outputRoot}: embedded in this JVM when
   * {@code cluster} is null, else on that cluster. Fails on any difference from the oracle.
   */
  static void runAndCheck(String where, Corpus corpus, Path outputRoot, Cluster cluster) throws Exception {
    var shapes = MapReduceSpecification.builder().name("shapes").mapper(new ShapeMapper())
        .reducer(new LongSumReducer<>()).combiner(new LongSumReducer<>()).reduceTasks(3);
    var sizes = MapReduceSpecification.builder().name("sizes").mapper(new SizeMapper())
        .reducer(new LongSumReducer<>()).combiner(new LongSumReducer<>()).reduceTasks(2);
    if (cluster != null) {
      shapes.cluster(cluster);
      sizes.cluster(cluster);
    }
    Map<String, Long> shapeOracle = new TreeMap<>();
    Map<String, Long> sizeOracle = new TreeMap<>();
    corpus.wordCounts.forEach((word, n) -> {
      shapeOracle.merge(Shape.of(word).toString(), n, Long::sum);
      sizeOracle.merge(Size.of(word).toString(), n, Long::sum);
    });
    Corpus.assertSame(where + " job 'shapes' (record key)", shapeOracle,
        run(shapes.input(corpus.dir).output(outputRoot.resolve("shapes")).build()));
    Corpus.assertSame(where + " job 'sizes' (enum key)", sizeOracle,
        run(sizes.input(corpus.dir).output(outputRoot.resolve("sizes")).build()));
  }

  private static Map<String, Long> run(MapReduceSpecification<?, ?> spec) throws Exception {
    JobResult result = MapReduce.exec(spec).get(3, TimeUnit.MINUTES);
    List<Path> files = result.outputFiles().stream().map(Path::of).toList();
    if (files.isEmpty()) {
      throw new AssertionError("job '" + spec.name() + "' wrote no output files");
    }
    return Corpus.readTextOutput(files);
  }
}

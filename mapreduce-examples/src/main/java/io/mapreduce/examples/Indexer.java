package io.mapreduce.examples;

import io.mapreduce.Emitter;
import io.mapreduce.MapReduceSpecification;
import io.mapreduce.Mapper;
import io.mapreduce.Reducer;
import io.mapreduce.TaskContext;
import io.mapreduce.lib.TotalOrderPartitioner;
import io.mapreduce.spi.InputFile;
import java.util.HashSet;
import java.util.Set;
import java.util.TreeSet;

/**
 * An inverted index, as the 6.824 lab's indexer: for each word, the documents (base names of the
 * input files) that contain it. Output lines: {@code word<TAB>N doc1,doc2,...}, the documents
 * sorted by their UTF-8 bytes and N their number.
 */
public final class Indexer {
  private Indexer() {}

  public static MapReduceSpecification.Builder<String, String> builder() {
    return MapReduceSpecification.builder()
        .mapper(new IndexMapper())
        .reducer(new DocumentListReducer())
        .combiner(new DistinctCombiner());
  }

  /** Emits {@code (word, document)} once per word and map task. */
  public static final class IndexMapper extends Mapper<String, String> {
    private transient String document;
    private transient Set<String> seen;

    @Override
    public void setup(TaskContext context) {
      document = new InputFile(context.inputFile(), 0).name();
      seen = new HashSet<>();
    }

    @Override
    public void map(long offset, String line, Emitter<String, String> emitter) {
      Words.forEach(line, word -> {
        if (seen.add(word)) {
          emitter.emit(word, document);
        }
      });
    }
  }

  /** Drops duplicate documents of a word before the shuffle. */
  public static final class DistinctCombiner extends Reducer<String, String> {
    @Override
    public void reduce(String word, Iterable<String> documents, Emitter<String, String> emitter) {
      for (String d : new TreeSet<>(toSet(documents))) {
        emitter.emit(word, d);
      }
    }
  }

  /**
   * Writes the distinct documents of a word, sorted by their UTF-8 bytes (as the lab's Go indexer
   * sorts them, and as keys sort), and their number.
   */
  public static final class DocumentListReducer extends Reducer<String, String> {
    @Override
    public void reduce(String word, Iterable<String> documents, Emitter<String, String> emitter) {
      TreeSet<String> sorted = new TreeSet<>(TotalOrderPartitioner::compareUtf8);
      sorted.addAll(toSet(documents));
      emitter.emit(word, sorted.size() + " " + String.join(",", sorted));
    }
  }

  private static Set<String> toSet(Iterable<String> values) {
    Set<String> set = new HashSet<>();
    values.forEach(set::add);
    return set;
  }
}

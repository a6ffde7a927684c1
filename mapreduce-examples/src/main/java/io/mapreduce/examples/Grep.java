package io.mapreduce.examples;

import io.mapreduce.Emitter;
import io.mapreduce.MapReduceSpecification;
import io.mapreduce.Mapper;
import io.mapreduce.Reducer;
import io.mapreduce.TaskContext;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The paper's distributed grep: the lines that contain a match of a Java regular expression.
 * Output lines: {@code file:offset<TAB>line}, where offset is the byte offset of the line in the
 * file; sorted by file, then numerically by offset (the key is a record, which sorts component by
 * component).
 */
public final class Grep {
  private Grep() {}

  public static MapReduceSpecification.Builder<Match, String> builder(String regex) {
    return MapReduceSpecification.builder()
        .mapper(new GrepMapper(regex))
        .reducer(new IdentityReducer<>());
  }

  /** Where a matching line is; prints as {@code file:offset}. */
  public record Match(String file, long offset) {
    @Override
    public String toString() {
      return file + ":" + offset;
    }
  }

  /** Emits the lines in which the pattern is found. */
  public static final class GrepMapper extends Mapper<Match, String> {
    private final Pattern pattern;
    private transient Matcher matcher;
    private transient String file;

    public GrepMapper(String regex) {
      this.pattern = Pattern.compile(regex);
    }

    @Override
    public void setup(TaskContext context) {
      matcher = pattern.matcher("");
      file = context.inputFile();
    }

    @Override
    public void map(long offset, String line, Emitter<Match, String> emitter) {
      if (matcher.reset(line).find()) {
        emitter.emit(new Match(file, offset), line);
      }
    }
  }

  /** Writes every value of every key. */
  public static final class IdentityReducer<K, V> extends Reducer<K, V> {
    @Override
    public void reduce(K key, Iterable<V> values, Emitter<K, V> emitter) {
      for (V v : values) {
        emitter.emit(key, v);
      }
    }
  }
}

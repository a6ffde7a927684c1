package io.mapreduce.examples;

import io.mapreduce.Emitter;
import io.mapreduce.MapReduceSpecification;
import io.mapreduce.Mapper;
import io.mapreduce.PairReducer;
import io.mapreduce.TaskContext;
import java.net.URI;
import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import java.util.regex.Pattern;

/**
 * A reduce-side inner join of two inputs of separated fields (CSV by default), such as
 * {@code users.csv} ({@code id,name}) and {@code orders.csv} ({@code user_id,amount}) on their
 * first columns. Output lines: {@code key<TAB>leftFields<TAB>rightFields} for every pair of a left
 * and a right row with the same key, each side's fields without its key column, joined with the
 * separator; lines of one key in no particular order. Rows of either side without a match go to
 * the side output {@value #UNMATCHED} ({@code unmatched-NNNNN} beside {@code mr-out-NNNNN}) as
 * {@code key<TAB>left|right<TAB>fields}, so no row is dropped unseen. Blank lines are skipped; a
 * row without the key column is counted in the user counter {@value #MALFORMED}.
 *
 * <p>The mapper tells the sides apart by {@link TaskContext#inputFile()}, matched against the
 * inputs as given, the way inputs are listed: a file belongs to the side that names the file or
 * its directory (a directory input means the files directly in it), or has a glob matching
 * either. A file that both sides name fails the job, naming it (a self-join, or {@code --left data
 * --right data/users.csv}): the engine reads a file once however many inputs name it. A header
 * row is a row like any other: with other key names on the two sides, both go to
 * {@value #UNMATCHED}.
 *
 * <p>The key is {@code (key, side)} grouped by the key ({@code groupByPrefix(1)}), so each
 * {@code reduce} call sees a key's left rows before its right rows: it holds the left rows of one
 * key in memory and streams the right ones. Put the side with fewer rows per key on the left.
 */
public final class Join {
  /** The side output of rows without a match. */
  public static final String UNMATCHED = "unmatched";
  /** The user counter of rows that have no key column. */
  public static final String MALFORMED = "join.malformed";

  private Join() {}

  /**
   * A builder with the inputs, mapper, reducer, grouping and side output set.
   *
   * @param leftKeyColumn the key's column in left rows, counted from 1 (as {@code join} and
   *     {@code cut} count)
   * @throws IllegalArgumentException when a side has no input, an input is on both sides, a
   *     column is below 1, or the separator is empty or holds a line end
   */
  public static MapReduceSpecification.Builder<JoinKey, Row> builder(List<String> left, List<String> right,
      int leftKeyColumn, int rightKeyColumn, String separator) {
    check(!left.isEmpty() && !right.isEmpty(), "join needs left and right inputs");
    for (String l : left) {
      check(right.stream().noneMatch(r -> pathOf(r).equals(pathOf(l))), "'" + l + "' is both a left and a"
          + " right input: a file is read once, so a self-join needs a copy of it");
    }
    check(leftKeyColumn >= 1 && rightKeyColumn >= 1, "key columns count from 1 but were " + leftKeyColumn
        + " (left) and " + rightKeyColumn + " (right)");
    check(!separator.isEmpty() && separator.indexOf('\n') < 0 && separator.indexOf('\r') < 0,
        "the separator must not be empty or hold a line end");
    List<String> inputs = new ArrayList<>(left);
    inputs.addAll(right);
    return MapReduceSpecification.builder()
        .mapper(new TaggingMapper(absolute(left), absolute(right), leftKeyColumn, rightKeyColumn, separator))
        .reducer(new JoinReducer())
        .groupByPrefix(1)
        .sideOutput(UNMATCHED, String.class, String.class)
        .input(inputs.toArray(String[]::new));
  }

  private static void check(boolean condition, String message) {
    if (!condition) {
      throw new IllegalArgumentException(message);
    }
  }

  public enum Side { LEFT, RIGHT }

  /** The shuffle key: a key's left rows sort before its right rows. */
  public record JoinKey(String key, Side side) {}

  /** A row: its side (the reducer sees only the group's first key) and its fields but the key. */
  public record Row(Side side, String fields) {}

  /** Emits {@code ((key, side), (side, other fields))} for every row. */
  public static final class TaggingMapper extends Mapper<JoinKey, Row> {
    private final List<String> left;
    private final List<String> right;
    private final int leftColumn;
    private final int rightColumn;
    private final String separator;
    private transient TaskContext context;
    private transient TaskContext.Counter malformed;
    private transient Pattern split;
    private transient String file;
    private transient Side side;

    public TaggingMapper(List<String> left, List<String> right, int leftColumn, int rightColumn, String separator) {
      this.left = left;
      this.right = right;
      this.leftColumn = leftColumn;
      this.rightColumn = rightColumn;
      this.separator = separator;
    }

    @Override
    public void setup(TaskContext context) {
      this.context = context;
      malformed = context.counter(MALFORMED);
      split = Pattern.compile(Pattern.quote(separator));
    }

    @Override
    public void map(long offset, String line, Emitter<JoinKey, Row> emitter) {
      // A split of packed small files moves from file to file.
      if (!context.inputFile().equals(file)) {
        file = context.inputFile();
        side = sideOf(file, left, right);
      }
      if (line.isBlank()) {
        return;
      }
      String[] fields = split.split(line, -1);
      int column = (side == Side.LEFT ? leftColumn : rightColumn) - 1;
      if (column >= fields.length) {
        malformed.increment();
        return;
      }
      List<String> others = new ArrayList<>(List.of(fields));
      String key = others.remove(column);
      emitter.emit(new JoinKey(key, side), new Row(side, String.join(separator, others)));
    }
  }

  /**
   * The side of a listed input file: the side with an input that names (or, a glob, matches) the
   * file or its directory.
   *
   * @throws IllegalArgumentException when both sides do, or neither
   */
  static Side sideOf(String file, List<String> left, List<String> right) {
    Path f = pathOf(file);
    boolean inLeft = namesFileOrDirectory(left, f);
    boolean inRight = namesFileOrDirectory(right, f);
    if (inLeft == inRight) {
      throw new IllegalArgumentException(file + (inLeft ? " is both a left input " : " is neither a left input ")
          + left + (inLeft ? " and " : " nor ") + "a right input " + right);
    }
    return inLeft ? Side.LEFT : Side.RIGHT;
  }

  private static boolean namesFileOrDirectory(List<String> inputs, Path file) {
    for (String input : inputs) {
      Path in = pathOf(input);
      Predicate<Path> names = input.chars().anyMatch(c -> c == '*' || c == '?' || c == '[' || c == '{')
          ? FileSystems.getDefault().getPathMatcher("glob:" + in)::matches
          : in::equals;
      if (names.test(file) || file.getParent() != null && names.test(file.getParent())) {
        return true;
      }
    }
    return false;
  }

  /**
   * A path normalized as a cluster's client ships inputs: a local one absolute ({@code file:} URIs
   * as their paths), others ({@code s3://}) as spelled; {@code ./a} is {@code a}.
   */
  static Path pathOf(String path) {
    if (path.startsWith("file:")) {
      return Path.of(URI.create(path)).normalize();
    }
    Path p = Path.of(path);
    return (path.matches("[a-zA-Z][a-zA-Z0-9+.-]*:/.*") ? p : p.toAbsolutePath()).normalize();
  }

  /** The inputs as {@link #pathOf} makes them, here: a worker's working directory may be another. */
  private static List<String> absolute(List<String> inputs) {
    return inputs.stream().map(i -> pathOf(i).toString()).toList();
  }

  /** Writes every left row of a key with every right row, and the rows with no match to {@value #UNMATCHED}. */
  public static final class JoinReducer extends PairReducer<JoinKey, Row, String, String> {
    private transient Emitter<String, String> unmatched;

    @Override
    public void setup(TaskContext context) {
      unmatched = context.sideOutput(UNMATCHED);
    }

    @Override
    public void reduce(JoinKey first, Iterable<Row> rows, Emitter<String, String> emitter) {
      String key = first.key();
      List<String> lefts = new ArrayList<>();
      boolean matched = false;
      for (Row row : rows) {
        if (row.side() == Side.LEFT) {
          lefts.add(row.fields());
        } else if (lefts.isEmpty()) {
          unmatched.emit(key, "right\t" + row.fields());
        } else {
          matched = true;
          for (String l : lefts) {
            emitter.emit(key, l + "\t" + row.fields());
          }
        }
      }
      if (!matched) {
        for (String l : lefts) {
          unmatched.emit(key, "left\t" + l);
        }
      }
    }
  }
}

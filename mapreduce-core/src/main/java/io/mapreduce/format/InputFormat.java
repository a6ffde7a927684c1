package io.mapreduce.format;

import static io.mapreduce.thirdparty.com.google.common.base.Preconditions.checkArgument;
import static java.util.Objects.requireNonNull;

import io.mapreduce.spi.InputFile;
import io.mapreduce.spi.InputSplit;
import io.mapreduce.spi.Storage;
import java.io.IOException;
import java.util.List;

/**
 * How a job's input files become records: how they are cut into splits (one per map task), and
 * how a split is read as {@code (K, V)} records. It works with any {@link Storage}, so every
 * format reads local files and S3 alike, and compressed files by their extension where it reads
 * text.
 *
 * <p>The built-in formats are the static methods here. To add one, extend this class: give the
 * record types to the constructor, implement {@link #open}, and override {@link #split} when the
 * files are not cut at byte offsets. An instance travels with the job as the mapper does
 * (Kryo-encoded), so keep its fields to plain configuration. Splits are computed where the job is
 * submitted (the application's JVM, as Hadoop's client does); records are read in the tasks.
 *
 * @param <K> the record key type
 * @param <V> the record value type
 */
public abstract class InputFormat<K, V> {
  private final Class<K> keyType;
  private final Class<V> valueType;

  protected InputFormat(Class<K> keyType, Class<V> valueType) {
    this.keyType = requireNonNull(keyType, "keyType");
    this.valueType = requireNonNull(valueType, "valueType");
  }

  /** The type of the records' keys, which the mapper's first type argument must accept. */
  public final Class<K> keyType() {
    return keyType;
  }

  /** The type of the records' values, which the mapper's second type argument must accept. */
  public final Class<V> valueType() {
    return valueType;
  }

  /**
   * Cuts the input files into splits numbered from 0. By default each file is cut into byte ranges
   * of at most {@code splitSize} bytes (a compressed file is one split, whatever its size).
   *
   * @throws IOException naming the file when one cannot be read or is not of this format; the job
   *     then fails before any task runs
   */
  public List<InputSplit> split(Storage storage, List<InputFile> files, long splitSize) throws IOException {
    return InputSplit.of(files, splitSize);
  }

  /** Opens a split for reading its records. */
  public abstract RecordReader<K, V> open(Storage storage, InputSplit split) throws IOException;

  /** A short name for messages, such as {@code text} or {@code keyValueText}. */
  @Override
  public String toString() {
    return getClass().getSimpleName();
  }

  // ---- the built-in formats ----------------------------------------------------------------

  /**
   * Lines of text (UTF-8; {@code \n}, {@code \r\n} or {@code \r} ends a line) as
   * {@code (byte offset, line)}: the default, and what a {@link io.mapreduce.Mapper} reads. Files
   * are cut at the split size; a line belongs to the split in which it starts.
   */
  public static InputFormat<Long, String> text() {
    return new TextInputFormat(TextInputFormat.Splitting.BYTES, 0);
  }

  /**
   * Lines of text, {@code n} lines per split (Hadoop's {@code NLineInputFormat}): a file of
   * commands with {@code n = 1} runs one map task per command. Finding the lines reads each file
   * once when the job starts; a compressed file is one split.
   */
  public static InputFormat<Long, String> nLines(int n) {
    checkArgument(n > 0, "nLines needs a positive number of lines but was %s", n);
    return new TextInputFormat(TextInputFormat.Splitting.LINES, n);
  }

  /**
   * Lines of text with small files packed together into splits of up to the split size (Hadoop's
   * {@code CombineTextInputFormat}), so that ten thousand small files make a few map tasks, not ten
   * thousand. {@link io.mapreduce.TaskContext#inputFile()} follows the file being read.
   */
  public static InputFormat<Long, String> combinedText() {
    return new TextInputFormat(TextInputFormat.Splitting.PACKED, 0);
  }

  /**
   * Lines split at the first tab into {@code (key, value)} (Hadoop's
   * {@code KeyValueTextInputFormat}); a line without a tab is a key with an empty value.
   */
  public static InputFormat<String, String> keyValueText() {
    return keyValueText("\t");
  }

  /** Lines split at the first {@code separator} into {@code (key, value)}. */
  public static InputFormat<String, String> keyValueText(String separator) {
    requireNonNull(separator, "separator");
    checkArgument(!separator.isEmpty(), "separator must not be empty");
    checkArgument(separator.indexOf('\n') < 0 && separator.indexOf('\r') < 0,
        "separator must not hold a line end");
    return new KeyValueTextInputFormat(separator);
  }

  /**
   * One record per file: {@code (path, contents)}, the contents decoded from UTF-8 (and
   * decompressed by extension): the 6.824 lab's {@code mapf(filename, contents)}. A file must fit
   * in a string (under 1 GiB).
   */
  public static InputFormat<String, String> wholeFiles() {
    return WholeFileInputFormat.STRINGS;
  }

  /**
   * The typed pairs an earlier job wrote with {@link OutputFormat#pairs()}, decoded with no
   * parsing. Each file's header must name exactly these types: a file of others (or not a pairs
   * file, or of an unknown version) fails the job before any task runs, naming it and both types.
   */
  public static <K, V> InputFormat<K, V> pairs(Class<K> keyType, Class<V> valueType) {
    return new PairsInputFormat<>(requireNonNull(keyType, "keyType"), requireNonNull(valueType, "valueType"));
  }

  /** One record per file: {@code (path, bytes)}, decompressed by extension; under 2 GiB. */
  public static InputFormat<String, byte[]> wholeFileBytes() {
    return WholeFileInputFormat.BYTES;
  }
}

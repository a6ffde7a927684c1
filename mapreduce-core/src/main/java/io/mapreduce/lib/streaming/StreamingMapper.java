package io.mapreduce.lib.streaming;

import io.mapreduce.Emitter;
import io.mapreduce.Mapper;
import io.mapreduce.TaskContext;
import io.mapreduce.internal.engine.LineBytesMapper;
import io.mapreduce.internal.engine.LineOutput;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;
import java.util.Objects;

/**
 * A mapper that runs a program, as Hadoop Streaming does: one process per map task attempt, fed
 * the lines of the task's split on stdin (as they are in the file: bytes and line ends unchanged,
 * a {@code \n} added after a last line that has none). Each line the program prints is split at
 * its first tab into key and value (without a tab, the line is the key and the value is empty).
 * In a map-only job each line is emitted whole as the key, with an empty value, and the job's
 * output writes it exactly as printed (no tab added).
 *
 * <p>What the program reads can be changed to Hadoop's other input records ({@link InputRecords}):
 * each line's byte offset before it, or lines split into key and value.
 *
 * <p>Keys and values are {@code byte[]}, so bytes that are not UTF-8 pass through unchanged and
 * keys sort by their bytes, as {@code LC_ALL=C sort} sorts. Counters that the program reports on
 * stderr ({@code reporter:counter:GROUP,COUNTER,AMOUNT}) are added to the task's counter
 * {@code GROUP.COUNTER}. A program that exits with a status other than 0, or cannot be started,
 * fails the attempt with a {@link StreamingException}.
 *
 * <pre>{@code
 * MapReduceSpecification.builder()
 *     .mapper(new StreamingMapper(StreamingProgram.builder("./mapper.py").file(Path.of("mapper.py")).build()))
 *     .reducer(StreamingReducer.of(StreamingProgram.of("uniq -c")))
 *     ...
 * }</pre>
 */
public final class StreamingMapper extends Mapper<byte[], byte[]>
    implements LineBytesMapper<byte[], byte[]>, LineOutput, AutoCloseable {
  static final byte[] EMPTY = new byte[0];

  /**
   * What the program reads for each line of the input, as Hadoop Streaming writes the input
   * format's key and value to it ({@code key<TAB>value}, or the value alone when
   * {@code stream.map.input.ignoreKey} is true, which is the default for TextInputFormat only).
   */
  public enum InputRecords {
    /** The line as it is in the file (Hadoop's TextInputFormat). */
    LINES,
    /**
     * {@code OFFSET<TAB>LINE}, with the line's byte offset in its file (Hadoop's
     * NLineInputFormat, and TextInputFormat with {@code stream.map.input.ignoreKey=false}).
     */
    OFFSETS_AND_LINES,
    /**
     * {@code KEY<TAB>VALUE}: the line split at its first key-value separator (a line without
     * one: the line, then a tab), as Hadoop's KeyValueTextInputFormat.
     */
    KEYS_AND_VALUES,
    /**
     * What follows the first key-value separator (empty for a line without one): Hadoop's
     * KeyValueTextInputFormat with {@code stream.map.input.ignoreKey=true}.
     */
    VALUES
  }

  private final StreamingProgram program;
  private final byte[] separator;
  private final int keyFields;
  private final KeyFieldBasedComparator sortKeys;
  private final InputRecords inputRecords;
  /** Where KEYS_AND_VALUES and VALUES split a line. */
  private final byte[] inputKeyValueSeparator;
  /** What goes between key and value on the program's stdin (stream.map.input.field.separator). */
  private final byte[] inputFieldSeparator;
  private transient byte[] digits;
  private transient StreamingProcess process;
  private transient Emitter<byte[], byte[]> emitter;
  private transient boolean mapOnly;
  private transient TaskContext context;

  /**
   * @throws NullPointerException if {@code program} is null
   */
  public StreamingMapper(StreamingProgram program) {
    this(Objects.requireNonNull(program, "program"), TAB, 1, null, InputRecords.LINES, TAB, TAB);
  }

  private StreamingMapper(StreamingProgram program, byte[] separator, int keyFields, KeyFieldBasedComparator sortKeys,
      InputRecords inputRecords, byte[] inputKeyValueSeparator, byte[] inputFieldSeparator) {
    this.program = program;
    this.separator = separator;
    this.keyFields = keyFields;
    this.sortKeys = sortKeys;
    this.inputRecords = inputRecords;
    this.inputKeyValueSeparator = inputKeyValueSeparator;
    this.inputFieldSeparator = inputFieldSeparator;
  }

  /**
   * Starts a mapper that runs {@code program}, for the Hadoop Streaming options beyond the
   * defaults.
   *
   * @throws NullPointerException if {@code program} is null
   */
  public static Builder builder(StreamingProgram program) {
    return new Builder(program);
  }

  /** A mapper that runs {@code command} through {@code /bin/sh -c}, with no variables or files. */
  public static StreamingMapper of(String command) {
    return new StreamingMapper(StreamingProgram.of(command));
  }

  public StreamingProgram program() {
    return program;
  }

  @Override
  public void setup(TaskContext context) throws Exception {
    this.context = context;
    mapOnly = context.reduceTasks() == 0;
    String file = context.inputFile() == null ? "" : context.inputFile();
    process = StreamingProcess.start("mapper", program, context,
        Map.of("mapreduce_map_input_file", file, "map_input_file", file), this::onLine);
  }

  @Override
  public void map(long offset, String line, Emitter<byte[], byte[]> emitter) throws Exception {
    byte[] b = line.getBytes(StandardCharsets.UTF_8);
    mapBytes(offset, b, 0, b.length, b.length, emitter);
  }

  @Override
  public void mapBytes(long offset, byte[] bytes, int start, int length, int contentLength,
      Emitter<byte[], byte[]> emitter) throws Exception {
    this.emitter = emitter;
    switch (inputRecords) {
      case LINES -> {
        process.write(bytes, start, length);
        if (length == contentLength) {
          process.write('\n');
        }
        return;
      }
      case OFFSETS_AND_LINES -> {
        writeDecimal(offset);
        process.write(inputFieldSeparator, 0, inputFieldSeparator.length);
        process.write(bytes, start, contentLength);
      }
      case KEYS_AND_VALUES, VALUES -> {
        int end = start + contentLength;
        int at = KeyFields.nthSeparator(bytes, start, end, inputKeyValueSeparator, 1);
        int valueStart = at < 0 ? end : at + inputKeyValueSeparator.length;
        if (inputRecords == InputRecords.KEYS_AND_VALUES) {
          process.write(bytes, start, (at < 0 ? end : at) - start);
          process.write(inputFieldSeparator, 0, inputFieldSeparator.length);
        }
        process.write(bytes, valueStart, end - valueStart);
      }
      default -> throw new AssertionError(inputRecords);
    }
    // Hadoop's record readers drop the line's end; the program gets a \n.
    process.write('\n');
  }

  /** Writes a non-negative number in ASCII without making a String per line. */
  private void writeDecimal(long value) throws java.io.IOException {
    if (digits == null) {
      digits = new byte[20];
    }
    int i = digits.length;
    do {
      digits[--i] = (byte) ('0' + value % 10);
      value /= 10;
    } while (value > 0);
    process.write(digits, i, digits.length - i);
  }

  @Override
  public void cleanup(Emitter<byte[], byte[]> emitter) throws Exception {
    this.emitter = emitter;
    // Not cleared before: if the program fails, close() still stops it.
    process.finishInto(context);
    process = null;
  }

  @Override
  public void close() {
    if (process != null) {
      process.close();
      process = null;
    }
  }

  private void onLine(byte[] bytes, int start, int length) {
    if (mapOnly) {
      emitter.emit(asTextLine(bytes, start, length, separator, keyFields), StreamingMapper.EMPTY);
    } else {
      emitSplit(bytes, start, length, separator, keyFields, sortKeys, emitter);
    }
  }

  /**
   * A line as the text output writes the key and value it splits into: {@code key<TAB>value},
   * or the line unchanged when it has fewer than {@code keyFields} separators.
   */
  static byte[] asTextLine(byte[] bytes, int start, int length, byte[] separator, int keyFields) {
    int end = start + length;
    int at = separator.length == 1 && separator[0] == '\t' ? -1
        : KeyFields.nthSeparator(bytes, start, end, separator, keyFields);
    if (at < 0) {
      return Arrays.copyOfRange(bytes, start, end);
    }
    byte[] line = new byte[length - separator.length + 1];
    System.arraycopy(bytes, start, line, 0, at - start);
    line[at - start] = '\t';
    int valueStart = at + separator.length;
    System.arraycopy(bytes, valueStart, line, at - start + 1, end - valueStart);
    return line;
  }

  /**
   * Emits a line as key and value, split before its {@code keyFields}th separator (fewer: the
   * line and an empty value); the key as a sort key of {@code sortKeys} unless that is null.
   */
  static void emitSplit(byte[] bytes, int start, int length, byte[] separator, int keyFields,
      KeyFieldBasedComparator sortKeys, Emitter<byte[], byte[]> emitter) {
    int end = start + length;
    int at = KeyFields.nthSeparator(bytes, start, end, separator, keyFields);
    int keyEnd = at < 0 ? end : at;
    byte[] value = at < 0 ? EMPTY : Arrays.copyOfRange(bytes, at + separator.length, end);
    byte[] key = sortKeys == null ? Arrays.copyOfRange(bytes, start, keyEnd) : sortKeys.sortKey(bytes, start, keyEnd - start);
    emitter.emit(key, value);
  }

  /** Builds a {@link StreamingMapper}; each setter checks its argument and whether it was already set. */
  public static final class Builder {
    private final StreamingProgram program;
    private byte[] separator;
    private int keyFields;
    private KeyFieldBasedComparator sortKeys;
    private InputRecords inputRecords;
    private byte[] inputKeyValueSeparator = TAB;
    private byte[] inputFieldSeparator = TAB;

    private Builder(StreamingProgram program) {
      this.program = Objects.requireNonNull(program, "program");
    }

    /**
     * Splits each output line into key and value before its {@code keyFields}th
     * {@code separator} (Hadoop's {@code stream.map.output.field.separator} and
     * {@code stream.num.map.output.key.fields}; default a tab and 1). A line with fewer
     * separators is the key, with an empty value. In a map-only job, the output is written as
     * {@code key<TAB>value}, as Hadoop's text output writes it.
     *
     * @throws NullPointerException if {@code separator} is null
     * @throws IllegalArgumentException if {@code separator} is empty or holds a newline, or
     *     {@code keyFields} is less than 1
     * @throws IllegalStateException if already set
     */
    public Builder outputKeyFields(String separator, int keyFields) {
      if (this.separator != null) {
        throw new IllegalStateException("outputKeyFields was already set");
      }
      this.separator = checkSeparator(separator, "the map output field separator");
      this.keyFields = checkKeyFields(keyFields, "the number of map output key fields");
      return this;
    }

    /**
     * Emits each key as a sort key of {@code order}, so that reducers get keys in that order
     * (Hadoop's {@code mapreduce.job.output.key.comparator.class=...KeyFieldBasedComparator});
     * the reducer, a streaming combiner and a {@link KeyFieldBasedPartitioner} must then be told
     * so ({@link StreamingReducer.Builder#keysSortedBy}, {@link KeyFieldBasedPartitioner#ofSortKeys}).
     *
     * @throws NullPointerException if {@code order} is null
     * @throws IllegalStateException if already set
     */
    public Builder sortKeysBy(KeyFieldBasedComparator order) {
      Objects.requireNonNull(order, "order");
      if (sortKeys != null) {
        throw new IllegalStateException("sortKeysBy was already set to " + sortKeys);
      }
      sortKeys = order;
      return this;
    }

    /**
     * What the program reads for each line (default {@link InputRecords#LINES}).
     *
     * @throws NullPointerException if {@code records} is null
     * @throws IllegalStateException if already set
     */
    public Builder inputRecords(InputRecords records) {
      Objects.requireNonNull(records, "records");
      if (inputRecords != null) {
        throw new IllegalStateException("inputRecords was already set to " + inputRecords);
      }
      inputRecords = records;
      return this;
    }

    /**
     * Where {@link InputRecords#KEYS_AND_VALUES} and {@link InputRecords#VALUES} split a line
     * (Hadoop's {@code mapreduce.input.keyvaluelinerecordreader.key.value.separator}; default a
     * tab), and what is written between key and value on the program's stdin (Hadoop's
     * {@code stream.map.input.field.separator}; default a tab).
     *
     * @throws NullPointerException if a separator is null
     * @throws IllegalArgumentException if a separator is empty or holds a newline
     */
    public Builder inputSeparators(String keyValueSeparator, String fieldSeparator) {
      inputKeyValueSeparator = checkSeparator(keyValueSeparator, "the input's key-value separator");
      inputFieldSeparator = checkSeparator(fieldSeparator, "the map input field separator");
      return this;
    }

    public StreamingMapper build() {
      return new StreamingMapper(program, separator == null ? TAB : separator, separator == null ? 1 : keyFields,
          sortKeys, inputRecords == null ? InputRecords.LINES : inputRecords, inputKeyValueSeparator,
          inputFieldSeparator);
    }
  }

  static final byte[] TAB = {'\t'};

  static byte[] checkSeparator(String separator, String what) {
    Objects.requireNonNull(separator, "separator");
    if (separator.isEmpty() || separator.indexOf('\n') >= 0) {
      throw new IllegalArgumentException(what + " must be non-empty and hold no newline, but was '" + separator + "'");
    }
    return separator.getBytes(StandardCharsets.UTF_8);
  }

  static int checkKeyFields(int keyFields, String what) {
    if (keyFields < 1) {
      throw new IllegalArgumentException(what + " must be at least 1, but was " + keyFields);
    }
    return keyFields;
  }
}

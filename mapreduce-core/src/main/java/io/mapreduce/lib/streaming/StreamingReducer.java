package io.mapreduce.lib.streaming;

import io.mapreduce.Emitter;
import io.mapreduce.Reducer;
import io.mapreduce.TaskContext;
import io.mapreduce.internal.engine.LineOutput;
import io.mapreduce.internal.engine.SortedRunCombiner;
import java.util.Map;
import java.util.Objects;

/**
 * A reducer or combiner that runs a program, as Hadoop Streaming does. The program reads the
 * task's records as lines {@code key<TAB>value} (the key alone when the value is empty), sorted by
 * the key's bytes, all lines of a key together, on stdin.
 *
 * <ul>
 *   <li>As a reducer ({@link #of}): one process per reduce task attempt; each line it prints is
 *       an output line, written exactly as printed.
 *   <li>As a combiner ({@link #combiner}): one process per partition of each spill (and of each
 *       merge of spills) of a map task, never per key; each line it prints is split at its first
 *       tab into key and value, as a mapper's. Its output goes into the sorted run as it comes, so
 *       it must print keys in the order it read them and not change them (as a combiner that sums
 *       adjacent lines does); the map task fails the attempt, saying so, if it does not.
 * </ul>
 *
 * <p>Failures and counters as for {@link StreamingMapper}.
 */
public final class StreamingReducer extends Reducer<byte[], byte[]> implements SortedRunCombiner, LineOutput, AutoCloseable {
  private final StreamingProgram program;
  private final boolean combiner;
  private final byte[] inputSeparator;
  private final byte[] outputSeparator;
  private final int outputKeyFields;
  private final KeyFieldBasedComparator sortKeys;
  private transient StreamingProcess process;
  private transient Emitter<byte[], byte[]> emitter;
  private transient TaskContext context;

  private StreamingReducer(StreamingProgram program, boolean combiner) {
    this(Objects.requireNonNull(program, "program"), combiner, StreamingMapper.TAB, StreamingMapper.TAB, 1, null);
  }

  private StreamingReducer(StreamingProgram program, boolean combiner, byte[] inputSeparator, byte[] outputSeparator,
      int outputKeyFields, KeyFieldBasedComparator sortKeys) {
    this.program = program;
    this.combiner = combiner;
    this.inputSeparator = inputSeparator;
    this.outputSeparator = outputSeparator;
    this.outputKeyFields = outputKeyFields;
    this.sortKeys = sortKeys;
  }

  /**
   * Starts a reducer that runs {@code program}, for the Hadoop Streaming options beyond the
   * defaults.
   *
   * @throws NullPointerException if {@code program} is null
   */
  public static Builder builder(StreamingProgram program) {
    return new Builder(program);
  }

  /**
   * A reducer that runs {@code program}; its output lines are the task's output.
   *
   * @throws NullPointerException if {@code program} is null
   */
  public static StreamingReducer of(StreamingProgram program) {
    return new StreamingReducer(program, false);
  }

  /** A reducer that runs {@code command} through {@code /bin/sh -c}, with no variables or files. */
  public static StreamingReducer of(String command) {
    return of(StreamingProgram.of(command));
  }

  /**
   * A combiner that runs {@code program}; its output lines are split into key and value.
   *
   * @throws NullPointerException if {@code program} is null
   */
  public static StreamingReducer combiner(StreamingProgram program) {
    return new StreamingReducer(program, true);
  }

  public StreamingProgram program() {
    return program;
  }

  /** Whether this runs as a combiner (output lines split into pairs) rather than a reducer. */
  public boolean isCombiner() {
    return combiner;
  }

  /** Starts the program; a combiner is set up again for each run it combines. */
  @Override
  public void setup(TaskContext context) throws Exception {
    close();
    this.context = context;
    process = StreamingProcess.start(combiner ? "combiner" : "reducer", program, context, Map.of(), this::onLine);
  }

  @Override
  public void reduce(byte[] key, Iterable<byte[]> values, Emitter<byte[], byte[]> emitter) throws Exception {
    this.emitter = emitter;
    byte[] k = sortKeys == null ? key : KeyFieldBasedComparator.originalKey(key);
    for (byte[] value : values) {
      process.write(k, 0, k.length);
      if (value.length > 0) {
        process.write(inputSeparator, 0, inputSeparator.length);
        process.write(value, 0, value.length);
      }
      process.write('\n');
    }
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
    if (combiner) {
      StreamingMapper.emitSplit(bytes, start, length, outputSeparator, outputKeyFields, sortKeys, emitter);
    } else {
      emitter.emit(StreamingMapper.asTextLine(bytes, start, length, outputSeparator, outputKeyFields),
          StreamingMapper.EMPTY);
    }
  }

  /** Builds a {@link StreamingReducer}; each setter checks its argument and whether it was already set. */
  public static final class Builder {
    private final StreamingProgram program;
    private boolean combiner;
    private byte[] inputSeparator;
    private byte[] outputSeparator;
    private int outputKeyFields = 1;
    private KeyFieldBasedComparator sortKeys;

    private Builder(StreamingProgram program) {
      this.program = Objects.requireNonNull(program, "program");
    }

    /** Builds a combiner (see {@link StreamingReducer#combiner}) rather than a reducer. */
    public Builder combiner() {
      if (combiner) {
        throw new IllegalStateException("combiner was already set");
      }
      combiner = true;
      return this;
    }

    /**
     * Writes each input line as {@code key SEPARATOR value} (Hadoop's
     * {@code stream.reduce.input.field.separator}; default a tab). A line whose value is empty is
     * the key alone.
     *
     * @throws NullPointerException if {@code separator} is null
     * @throws IllegalArgumentException if {@code separator} is empty or holds a newline
     * @throws IllegalStateException if already set
     */
    public Builder inputSeparator(String separator) {
      if (inputSeparator != null) {
        throw new IllegalStateException("inputSeparator was already set");
      }
      inputSeparator = StreamingMapper.checkSeparator(separator, "the reduce input field separator");
      return this;
    }

    /**
     * Splits each output line into key and value before its {@code keyFields}th
     * {@code separator} (Hadoop's {@code stream.reduce.output.field.separator} and
     * {@code stream.num.reduce.output.key.fields}; default a tab and 1). A reducer's lines are
     * then written as {@code key<TAB>value}, as Hadoop's text output writes them (a line with
     * fewer separators as it is); a combiner's become its pairs, so for a combiner give the
     * mapper's {@link StreamingMapper.Builder#outputKeyFields}.
     *
     * @throws NullPointerException if {@code separator} is null
     * @throws IllegalArgumentException if {@code separator} is empty or holds a newline, or
     *     {@code keyFields} is less than 1
     * @throws IllegalStateException if already set
     */
    public Builder outputKeyFields(String separator, int keyFields) {
      if (outputSeparator != null) {
        throw new IllegalStateException("outputKeyFields was already set");
      }
      outputSeparator = StreamingMapper.checkSeparator(separator, "the reduce output field separator");
      outputKeyFields = StreamingMapper.checkKeyFields(keyFields, "the number of reduce output key fields");
      return this;
    }

    /**
     * Reads keys as sort keys of {@code order}, as a mapper built with
     * {@link StreamingMapper.Builder#sortKeysBy} emits them: the program sees the original keys
     * (and a combiner's output keys become sort keys again).
     *
     * @throws NullPointerException if {@code order} is null
     * @throws IllegalStateException if already set
     */
    public Builder keysSortedBy(KeyFieldBasedComparator order) {
      Objects.requireNonNull(order, "order");
      if (sortKeys != null) {
        throw new IllegalStateException("keysSortedBy was already set to " + sortKeys);
      }
      sortKeys = order;
      return this;
    }

    public StreamingReducer build() {
      return new StreamingReducer(program, combiner,
          inputSeparator == null ? StreamingMapper.TAB : inputSeparator,
          outputSeparator == null ? StreamingMapper.TAB : outputSeparator, outputKeyFields, sortKeys);
    }
  }
}

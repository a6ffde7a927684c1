package io.mapreduce.lib.streaming;

import io.mapreduce.Emitter;
import io.mapreduce.Reducer;
import io.mapreduce.TaskContext;
import io.mapreduce.internal.engine.LineOutput;
import io.mapreduce.internal.engine.SortedRunCombiner;
import java.util.Arrays;
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
  private transient StreamingProcess process;
  private transient Emitter<byte[], byte[]> emitter;
  private transient TaskContext context;

  private StreamingReducer(StreamingProgram program, boolean combiner) {
    this.program = Objects.requireNonNull(program, "program");
    this.combiner = combiner;
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
    for (byte[] value : values) {
      process.write(key, 0, key.length);
      if (value.length > 0) {
        process.write('\t');
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
      StreamingMapper.emitSplit(bytes, start, length, emitter);
    } else {
      emitter.emit(Arrays.copyOfRange(bytes, start, start + length), StreamingMapper.EMPTY);
    }
  }
}

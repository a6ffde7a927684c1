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

  private final StreamingProgram program;
  private transient StreamingProcess process;
  private transient Emitter<byte[], byte[]> emitter;
  private transient boolean mapOnly;
  private transient TaskContext context;

  /**
   * @throws NullPointerException if {@code program} is null
   */
  public StreamingMapper(StreamingProgram program) {
    this.program = Objects.requireNonNull(program, "program");
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
    this.emitter = emitter;
    byte[] b = line.getBytes(StandardCharsets.UTF_8);
    process.write(b, 0, b.length);
    process.write('\n');
  }

  @Override
  public void mapBytes(long offset, byte[] bytes, int start, int length, int contentLength,
      Emitter<byte[], byte[]> emitter) throws Exception {
    this.emitter = emitter;
    process.write(bytes, start, length);
    if (length == contentLength) {
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
    if (mapOnly) {
      emitter.emit(Arrays.copyOfRange(bytes, start, start + length), StreamingMapper.EMPTY);
    } else {
      emitSplit(bytes, start, length, emitter);
    }
  }

  /** Emits a line as key and value, split at its first tab (no tab: the line and an empty value). */
  static void emitSplit(byte[] bytes, int start, int length, Emitter<byte[], byte[]> emitter) {
    int end = start + length;
    for (int i = start; i < end; i++) {
      if (bytes[i] == '\t') {
        emitter.emit(Arrays.copyOfRange(bytes, start, i), Arrays.copyOfRange(bytes, i + 1, end));
        return;
      }
    }
    emitter.emit(Arrays.copyOfRange(bytes, start, end), EMPTY);
  }
}

package io.mapreduce;

import io.mapreduce.internal.engine.LineBytesMapper;
import java.nio.charset.StandardCharsets;

/**
 * A {@link Mapper} of lines as their UTF-8 bytes, with no {@code String} made per line: the fast
 * path for jobs that scan text (word count, grep, log parsing). With
 * {@link Emitter#emitUtf8} a word found in the bytes is emitted as a {@code String} key without
 * making the {@code String} either, and with {@link io.mapreduce.lib.LongSumReducer} as the combiner
 * the counts are summed in a table of bytes and {@code long}s.
 *
 * <pre>{@code
 * class WordMapper extends BytesMapper<String, Long> {
 *   public void map(long offset, byte[] line, int start, int length, Emitter<String, Long> emitter) {
 *     int i = start, end = start + length;
 *     while (i < end) {
 *       while (i < end && line[i] == ' ') i++;
 *       int word = i;
 *       while (i < end && line[i] != ' ') i++;
 *       if (i > word) emitter.emitUtf8(line, word, i - word, 1L);
 *     }
 *   }
 * }
 * }</pre>
 *
 * <p>The bytes are the line as it is in the file, without its terminator ({@code \n},
 * {@code \r\n} or {@code \r}); they may be any bytes, not only valid UTF-8. The array is the
 * reader's buffer, reused after {@code map} returns: copy what you keep.
 */
public abstract class BytesMapper<K, V> extends Mapper<K, V> implements LineBytesMapper<K, V> {

  /**
   * Maps one line: {@code line[start, start + length)}, without its terminator.
   *
   * @param offset the byte offset of the line in its file (in the decompressed text)
   */
  public abstract void map(long offset, byte[] line, int start, int length, Emitter<K, V> emitter) throws Exception;

  /** A line given as a string (by code that holds this as a {@link Mapper}): mapped as its UTF-8 bytes. */
  @Override
  public final void map(long offset, String line, Emitter<K, V> emitter) throws Exception {
    byte[] bytes = line.getBytes(StandardCharsets.UTF_8);
    map(offset, bytes, 0, bytes.length, emitter);
  }

  /** The engine's call: the line's content, without its terminator. */
  @Override
  public final void mapBytes(long offset, byte[] bytes, int start, int length, int contentLength,
      Emitter<K, V> emitter) throws Exception {
    map(offset, bytes, start, contentLength, emitter);
  }
}

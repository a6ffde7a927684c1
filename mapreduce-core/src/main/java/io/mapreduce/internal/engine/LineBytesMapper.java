package io.mapreduce.internal.engine;

import io.mapreduce.Emitter;

/**
 * Implemented by a {@link io.mapreduce.Mapper} that wants its input lines as the bytes in the file
 * rather than decoded strings (the streaming mapper, which passes them to a program unchanged:
 * invalid UTF-8, {@code \r\n} and all). A map task then calls {@link #mapBytes} instead of
 * {@code map}.
 */
public interface LineBytesMapper<K, V> {

  /**
   * Maps one line: {@code bytes[start, start + length)} is the line as it is in the file, its
   * terminator ({@code \n}, {@code \r\n}, {@code \r}, or none at the end of a file) included;
   * {@code contentLength} is the length without it. The array is reused after the call returns.
   */
  void mapBytes(long offset, byte[] bytes, int start, int length, int contentLength, Emitter<K, V> emitter)
      throws Exception;
}

package io.mapreduce.internal.io;

/**
 * A record reader whose records are lines read by a {@link LineReader}: the engine calls a line
 * {@link io.mapreduce.Mapper} with the offset and string, and a
 * {@link io.mapreduce.internal.engine.LineBytesMapper} with the line's bytes, without boxing a
 * record.
 */
public interface LineRecords {
  /** The current line's offset in its file. */
  long lineOffset();

  /** The current line, decoded from UTF-8. */
  String line();

  /** The array holding the current line's bytes, terminator included, from {@link #lineStart()}. */
  byte[] lineArray();

  int lineStart();

  /** The current line's bytes without its terminator. */
  int lineLength();

  /** The current line's bytes with its terminator. */
  long lineBytes();
}

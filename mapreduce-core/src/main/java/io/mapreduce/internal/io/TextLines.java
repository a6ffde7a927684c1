package io.mapreduce.internal.io;

import java.io.IOException;

/**
 * Implemented by a writer of text lines: the engine may give it a string key as the UTF-8 bytes it
 * already holds instead of a string to encode again.
 */
public interface TextLines {
  /** Writes {@code key<TAB>value}, the key given as its UTF-8 bytes; a null value writes the key alone. */
  void writeKeyBytes(byte[] key, int length, Object value) throws IOException;
}

package io.mapreduce.internal.io;

import java.io.IOException;

/**
 * A pairs file's block is damaged: a CRC mismatch, a truncated block, a record that runs past its
 * block, a malformed length, or bytes that do not decode as the file's types. The message names
 * the file, the block's offset and the fault.
 */
public final class CorruptPairsException extends IOException {
  private static final long serialVersionUID = 1L;

  private final String file;
  private final long blockOffset;

  CorruptPairsException(String file, long blockOffset, String problem, Throwable cause) {
    super(file + ": corrupt pairs block at offset " + blockOffset + ": " + problem, cause);
    this.file = file;
    this.blockOffset = blockOffset;
  }

  /** The file's name as the reader was given it. */
  public String file() {
    return file;
  }

  /** The file offset at which the damaged block starts (its sync marker). */
  public long blockOffset() {
    return blockOffset;
  }
}

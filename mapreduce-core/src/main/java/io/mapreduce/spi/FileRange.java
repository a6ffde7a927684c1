package io.mapreduce.spi;

import static io.mapreduce.thirdparty.com.google.common.base.Preconditions.checkArgument;

import java.util.Objects;

/**
 * A byte range of one input file: part of a split. For a compressed file, the whole file.
 *
 * @param file the file, as a {@link Storage} listed it
 * @param start the first byte of the range
 * @param length its length; the range may end before the file does
 */
public record FileRange(InputFile file, long start, long length) {
  public FileRange {
    Objects.requireNonNull(file, "file");
    checkArgument(start >= 0 && length >= 0 && start + length <= file.length(),
        "range %s+%s is not within %s (%s bytes)", start, length, file.path(), file.length());
  }

  /** The whole file. */
  public static FileRange of(InputFile file) {
    return new FileRange(file, 0, file.length());
  }

  public long end() {
    return start + length;
  }

  @Override
  public String toString() {
    return file.path() + ":" + start + "+" + length;
  }
}

package io.mapreduce.format;

import java.io.IOException;
import java.io.OutputStream;

/**
 * How a job writes its output files: text lines (the default), compressed text, or typed pairs
 * that a later job reads back with no parsing. Each task's file is named
 * {@code mr-out-NNNNN} plus the format's {@link #extension()}. To add a format, extend this class;
 * an instance travels with the job, Kryo-encoded, as the reducer does.
 */
public abstract class OutputFormat {

  /** What output file names end with, such as {@code .gz}; empty for plain text. */
  public abstract String extension();

  /**
   * Starts writing one output file of pairs of the given types into {@code out}, which the engine
   * closes when the task commits.
   */
  public abstract <K, V> RecordWriter<K, V> open(OutputStream out, Class<K> keyType, Class<V> valueType)
      throws IOException;

  /** A short name for messages. */
  @Override
  public String toString() {
    return getClass().getSimpleName();
  }

  /**
   * Lines {@code key<TAB>value} in UTF-8, each object written with {@code toString()} (a
   * {@code byte[]} as its bytes); a {@code Void} key or value writes the other alone, as Hadoop's
   * {@code TextOutputFormat} does with {@code NullWritable}.
   */
  public static OutputFormat text() {
    return TextOutputFormat.PLAIN;
  }

  /** Text lines compressed with gzip, in files named {@code mr-out-NNNNN.gz}. */
  public static OutputFormat gzipText() {
    return TextOutputFormat.GZIP;
  }

  /** Text lines compressed with zstd, in files named {@code mr-out-NNNNN.zst}. */
  public static OutputFormat zstdText() {
    return TextOutputFormat.ZSTD;
  }
}

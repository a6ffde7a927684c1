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

  /**
   * The input format that reads files of this format back as records of the given types, for a job
   * that takes this one's output as its input ({@code inputFrom}); null when there is none. Text
   * reads back as lines (compressed text too, by its extension).
   */
  public InputFormat<?, ?> readBack(Class<?> keyType, Class<?> valueType) {
    return null;
  }

  /**
   * Whether this format writes lines of text ({@code key<TAB>value}), so that output made of whole
   * lines (a streaming program's) can go through it. False unless a format says so.
   */
  public boolean writesLines() {
    return false;
  }

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

  /**
   * Typed binary pairs in the shuffle's encodings, in files named {@code mr-out-NNNNN.pairs}: a
   * header naming the key and value types and the format's version, then blocks of records, each
   * with a CRC32C and a sync marker (so a file splits at block boundaries). A later job reads them
   * with {@link InputFormat#pairs}, an application with {@link Pairs}.
   */
  public static OutputFormat pairs() {
    return PairsOutputFormat.INSTANCE;
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

package io.mapreduce.format;

import com.github.luben.zstd.ZstdOutputStream;
import io.mapreduce.internal.io.Compression;
import io.mapreduce.internal.io.TextLines;
import io.mapreduce.internal.io.TextOutputWriter;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.util.zip.GZIPOutputStream;

/** Text lines, plain or compressed. */
final class TextOutputFormat extends OutputFormat {
  static final TextOutputFormat PLAIN = new TextOutputFormat(Compression.NONE);
  static final TextOutputFormat GZIP = new TextOutputFormat(Compression.GZIP);
  static final TextOutputFormat ZSTD = new TextOutputFormat(Compression.ZSTD);

  private static final int BUFFER = 64 << 10;

  private final Compression compression;

  private TextOutputFormat(Compression compression) {
    this.compression = compression;
  }

  @Override
  public String extension() {
    return compression.extension();
  }

  @Override
  public <K, V> TextRecordWriter<K, V> open(OutputStream out, Class<K> keyType, Class<V> valueType)
      throws IOException {
    return switch (compression) {
      case NONE -> new TextRecordWriter<>(out, null, null);
      case GZIP -> {
        EndableGzip gz = new EndableGzip(out);
        yield new TextRecordWriter<>(gz, gz::finish, gz::end);
      }
      case ZSTD -> {
        // Closing a zstd stream ends its frame; the stream under it stays open for the commit.
        ZstdOutputStream zstd = new ZstdOutputStream(new FilterOutputStream(out) {
          @Override
          public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
          }

          @Override
          public void close() throws IOException {
            flush();
          }
        });
        yield new TextRecordWriter<>(zstd, zstd::close, zstd::close);
      }
      default -> throw new IllegalStateException("no text output compressed with " + compression);
    };
  }

  @Override
  public boolean writesLines() {
    return true;
  }

  @Override
  public InputFormat<?, ?> readBack(Class<?> keyType, Class<?> valueType) {
    return InputFormat.text();
  }

  @Override
  public String toString() {
    return switch (compression) {
      case NONE -> "text";
      case GZIP -> "gzipText";
      case ZSTD -> "zstdText";
      default -> compression.name();
    };
  }

  /** A gzip stream whose compressor's native memory can be released without closing the stream under it. */
  private static final class EndableGzip extends GZIPOutputStream {
    EndableGzip(OutputStream out) throws IOException {
      super(out, BUFFER);
    }

    void end() {
      def.end();
    }
  }

  /** Writes text lines; the engine writes a key it holds as UTF-8 bytes without decoding it. */
  static final class TextRecordWriter<K, V> implements RecordWriter<K, V>, TextLines {
    interface Ending {
      void end() throws IOException;
    }

    private final TextOutputWriter writer;
    private final Ending ending;
    private final Ending release;

    TextRecordWriter(OutputStream out, Ending ending, Ending release) {
      this.writer = new TextOutputWriter(out);
      this.ending = ending;
      this.release = release;
    }

    @Override
    public void close() {
      if (release != null) {
        try {
          release.end();
        } catch (IOException | RuntimeException e) {
          // the task's file is committed or aborted either way; only native memory is at stake
        }
      }
    }

    @Override
    public void write(K key, V value) throws IOException {
      writer.write(key, value);
    }

    @Override
    public void writeKeyBytes(byte[] key, int length, Object value) throws IOException {
      writer.write(key, length, value);
    }

    @Override
    public void finish() throws IOException {
      writer.flush();
      if (ending != null) {
        ending.end();
      }
    }
  }
}

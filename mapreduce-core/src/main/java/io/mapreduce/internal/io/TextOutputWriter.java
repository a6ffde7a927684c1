package io.mapreduce.internal.io;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;

/**
 * Writes output pairs as UTF-8 lines {@code key<TAB>value}. A null key (type {@code Void}) writes
 * the value alone, a null value the key alone, as Hadoop's {@code TextOutputFormat} does with
 * {@code NullWritable}.
 */
public final class TextOutputWriter implements AutoCloseable {
  private final OutputStream stream;
  private final Writer writer;

  public TextOutputWriter(OutputStream stream) {
    this.stream = stream;
    this.writer = new BufferedWriter(new OutputStreamWriter(stream, StandardCharsets.UTF_8), 64 << 10);
  }

  public void write(Object key, Object value) throws IOException {
    if (key != null) {
      append(key);
      if (value != null) {
        writer.write('\t');
      }
    }
    if (value != null) {
      append(value);
    }
    writer.write('\n');
  }

  private void append(Object o) throws IOException {
    if (o instanceof byte[] bytes) {
      writer.flush();
      stream.write(bytes);
    } else {
      writer.write(o.toString());
    }
  }

  /** Flushes without closing the stream: the output's commit closes it. */
  public void flush() throws IOException {
    writer.flush();
  }

  @Override
  public void close() throws IOException {
    writer.close();
  }
}

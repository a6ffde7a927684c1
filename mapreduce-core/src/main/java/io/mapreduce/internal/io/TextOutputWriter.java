package io.mapreduce.internal.io;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Writes output pairs as UTF-8 lines {@code key<TAB>value}. A null key (type {@code Void}) writes
 * the value alone, a null value the key alone, as Hadoop's {@code TextOutputFormat} does with
 * {@code NullWritable}. Strings are encoded with {@link String#getBytes}, the JDK's fast path,
 * into a byte buffer of its own, not through a {@code Writer}'s char-by-char encoder.
 */
public final class TextOutputWriter implements AutoCloseable {
  private static final int BUFFER_SIZE = 64 << 10;

  private final OutputStream stream;
  private final byte[] buf = new byte[BUFFER_SIZE];
  private int used;

  public TextOutputWriter(OutputStream stream) {
    this.stream = stream;
  }

  public void write(Object key, Object value) throws IOException {
    if (key != null) {
      append(key);
      if (value != null) {
        put((byte) '\t');
      }
    }
    if (value != null) {
      append(value);
    }
    put((byte) '\n');
  }

  /** Writes a pair whose key is given as its UTF-8 bytes. */
  public void write(byte[] key, int keyLength, Object value) throws IOException {
    append(key, keyLength);
    if (value != null) {
      put((byte) '\t');
      append(value);
    }
    put((byte) '\n');
  }

  private void append(Object o) throws IOException {
    byte[] bytes = o instanceof byte[] b ? b : o.toString().getBytes(StandardCharsets.UTF_8);
    append(bytes, bytes.length);
  }

  private void append(byte[] bytes, int length) throws IOException {
    if (length > buf.length - used) {
      flush();
      if (length > buf.length) {
        stream.write(bytes, 0, length);
        return;
      }
    }
    System.arraycopy(bytes, 0, buf, used, length);
    used += length;
  }

  private void put(byte b) throws IOException {
    if (used == buf.length) {
      flush();
    }
    buf[used++] = b;
  }

  /** Writes what is buffered, without closing the stream: the output's commit closes it. */
  public void flush() throws IOException {
    stream.write(buf, 0, used);
    used = 0;
    stream.flush();
  }

  @Override
  public void close() throws IOException {
    flush();
    stream.close();
  }
}

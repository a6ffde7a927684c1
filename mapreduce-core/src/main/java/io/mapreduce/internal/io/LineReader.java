package io.mapreduce.internal.io;

import io.mapreduce.spi.FileRange;
import io.mapreduce.spi.InputSplit;
import io.mapreduce.spi.Storage;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/**
 * Reads the lines of one split as UTF-8. {@code \n}, {@code \r\n} and {@code \r} end a line and
 * are not part of it; a final line without a terminator counts. A line belongs to the split in
 * which it starts: a split that does not begin the file first skips the line it begins inside
 * (judged by the byte before its start), and the last line is read to its end even past the
 * split's end.
 */
public final class LineReader implements Closeable {
  private static final int BUFFER_SIZE = 64 << 10;

  private final InputStream in;
  private final long end;
  private byte[] buf = new byte[BUFFER_SIZE];
  private int pos;
  private int limit;
  /** The file offset of {@code buf[0]}. */
  private long bufStart;
  private boolean eof;

  private long lineOffset;
  private long lineEnd;
  /** The current line in {@code buf}: content from {@code lineStart}, terminator to {@code pos}. */
  private int lineStart;
  private int lineContentEnd;
  private String line;

  /** Where the range starts: {@link #consumed()} counts from there. */
  private final long rangeStart;

  private LineReader(InputStream in, long firstByte, long end, long rangeStart) {
    this.in = in;
    this.bufStart = firstByte;
    this.end = end;
    this.rangeStart = rangeStart;
  }

  /** Opens a split of one range. */
  public static LineReader open(Storage storage, InputSplit split) throws IOException {
    if (split.ranges().size() != 1) {
      throw new IllegalArgumentException("a line reader reads one range, not " + split);
    }
    return open(storage, split.ranges().get(0));
  }

  /**
   * Opens a range of a file. A compressed file ({@link Compression#of} its path) is read whole
   * through its codec, and offsets are then those of the decompressed bytes.
   */
  public static LineReader open(Storage storage, FileRange range) throws IOException {
    long start = range.start();
    Compression compression = Compression.of(range.file().path());
    if (compression != Compression.NONE) {
      if (start != 0) {
        throw new IllegalArgumentException("a " + compression.extension() + " file is read whole, not from byte "
            + start + ": " + range);
      }
      InputStream raw = storage.open(range.file(), 0);
      InputStream in;
      try {
        in = compression.decompress(raw, range.file().path());
      } catch (IOException | RuntimeException e) {
        raw.close();
        throw e;
      }
      return new LineReader(in, 0, Long.MAX_VALUE, 0);
    }
    if (start == 0) {
      return new LineReader(storage.open(range.file(), 0), 0, range.end(), 0);
    }
    LineReader r = new LineReader(storage.open(range.file(), start - 1), start - 1, range.end(), start);
    try {
      int before = r.read();
      if (before == '\r') {
        if (r.peek() == '\n') {
          r.pos++;
        }
      } else if (before != '\n' && before != -1) {
        r.skipLine();
      }
    } catch (IOException | RuntimeException e) {
      r.close();
      throw e;
    }
    return r;
  }

  /** The file offset of the next unread byte. */
  private long position() {
    return bufStart + pos;
  }

  /** Advances to the next line of the split; false at the end of the split. */
  public boolean next() throws IOException {
    long start = position();
    if (start >= end) {
      return false;
    }
    int from = pos;
    while (true) {
      while (pos < limit) {
        byte b = buf[pos];
        if (b == '\n' || b == '\r') {
          int contentEnd = pos;
          pos++;
          if (b == '\r') {
            if (pos == limit) {
              // Keep the line in the buffer while looking past it for a '\n'.
              long before = bufStart;
              fill(from);
              int shift = (int) (bufStart - before);
              from -= shift;
              contentEnd -= shift;
            }
            if (pos < limit && buf[pos] == '\n') {
              pos++;
            }
          }
          return finish(start, from, contentEnd);
        }
        pos++;
      }
      long before = bufStart;
      boolean more = fill(from);
      from -= (int) (bufStart - before);
      if (!more) {
        if (pos == from) {
          return false;
        }
        return finish(start, from, pos);
      }
    }
  }

  private boolean finish(long start, int from, int contentEnd) {
    lineOffset = start;
    lineEnd = position();
    lineStart = from;
    lineContentEnd = contentEnd;
    line = null;
    return true;
  }

  /**
   * How much of its range the reader has consumed: for a compressed file the compressed bytes read
   * so far (progress is measured against file sizes), else up to the end of the current line.
   */
  public long consumed() {
    long compressed = Compression.compressedBytesRead(in);
    return compressed >= 0 ? compressed : Math.max(0, lineEnd - rangeStart);
  }

  /** The file offset at which the current line starts. */
  public long offset() {
    return lineOffset;
  }

  /** The bytes the current line took in the file, terminator included. */
  public long bytes() {
    return lineEnd - lineOffset;
  }

  /** The current line, without its terminator, decoded from UTF-8 (invalid bytes are replaced). */
  public String line() {
    if (line == null) {
      line = new String(buf, lineStart, lineContentEnd - lineStart, StandardCharsets.UTF_8);
    }
    return line;
  }

  /**
   * The array that holds the current line's bytes, from {@link #lineStart()}: its content
   * ({@link #lineLength()} bytes) then its terminator as it was in the file ({@link #bytes()} in
   * all). Valid until the next call of {@link #next()}.
   */
  public byte[] lineArray() {
    return buf;
  }

  public int lineStart() {
    return lineStart;
  }

  /** The length of the current line's content, without its terminator. */
  public int lineLength() {
    return lineContentEnd - lineStart;
  }

  private void skipLine() throws IOException {
    while (true) {
      int b = read();
      if (b == -1 || b == '\n') {
        return;
      }
      if (b == '\r') {
        if (peek() == '\n') {
          pos++;
        }
        return;
      }
    }
  }

  private int read() throws IOException {
    if (pos == limit && !fill(pos)) {
      return -1;
    }
    return buf[pos++] & 0xff;
  }

  private int peek() throws IOException {
    if (pos == limit && !fill(pos)) {
      return -1;
    }
    return buf[pos] & 0xff;
  }

  /**
   * Moves {@code buf[keepFrom, limit)} to the front (growing the buffer when it is all kept) and
   * reads more after it. Afterwards {@code pos} is where it was relative to the kept bytes.
   */
  private boolean fill(int keepFrom) throws IOException {
    if (eof) {
      return false;
    }
    int kept = limit - keepFrom;
    if (kept == buf.length) {
      byte[] bigger = new byte[buf.length * 2];
      System.arraycopy(buf, keepFrom, bigger, 0, kept);
      buf = bigger;
    } else if (keepFrom > 0) {
      System.arraycopy(buf, keepFrom, buf, 0, kept);
    }
    bufStart += keepFrom;
    pos -= keepFrom;
    limit = kept;
    int n = in.readNBytes(buf, limit, buf.length - limit);
    if (n <= 0) {
      eof = true;
      return false;
    }
    limit += n;
    return true;
  }

  @Override
  public void close() throws IOException {
    in.close();
  }
}

package io.mapreduce.internal.io;

import com.github.luben.zstd.ZstdInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Locale;
import net.jpountz.lz4.LZ4FrameInputStream;
import io.mapreduce.thirdparty.org.apache.commons.compress.compressors.bzip2.BZip2CompressorInputStream;
import io.mapreduce.thirdparty.org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;

/**
 * The compression of an input file, chosen by its extension as Hadoop's codecs are. A compressed
 * file is read whole by one map task: its byte offsets are not line boundaries (a {@code .gz} cut
 * at 64 MiB is garbage after the cut). Every codec reads concatenated streams, as log shippers
 * write them ({@code cat a.gz b.gz}). The codecs are the well-kept libraries': commons-compress
 * for gzip (the JDK's {@code GZIPInputStream} drops the members after the first when the stream
 * under it says nothing is {@code available()}, as network streams do) and bzip2, zstd-jni for
 * zstd, lz4-java (already the shuffle's) for LZ4 frames.
 */
public enum Compression {
  NONE(""),
  GZIP(".gz"),
  BZIP2(".bz2"),
  ZSTD(".zst"),
  LZ4(".lz4");

  private final String extension;

  Compression(String extension) {
    this.extension = extension;
  }

  /** The extension that selects this codec, such as {@code .gz}; empty for {@link #NONE}. */
  public String extension() {
    return extension;
  }

  /** The codec of a path, by its extension (in any case); {@link #NONE} for any other name. */
  public static Compression of(String path) {
    String lower = path.toLowerCase(Locale.ROOT);
    for (Compression c : values()) {
      if (c != NONE && lower.endsWith(c.extension)) {
        return c;
      }
    }
    return NONE;
  }

  /** Whether a task may start reading at an offset other than 0. */
  public boolean splittable() {
    return this == NONE;
  }

  /**
   * Reads the decompressed bytes of a whole file. A file of zero bytes reads as empty. Errors of
   * the codec (a corrupt or truncated stream) become {@link CorruptInputException}s that name the
   * file, the codec and how far into the compressed file it was read.
   */
  public InputStream decompress(InputStream raw, String file) throws IOException {
    if (this == NONE) {
      return raw;
    }
    CountingStream counted = new CountingStream(raw);
    InputStream in;
    try {
      // A zero-byte file: nothing to decompress (each codec would call it truncated).
      counted.mark(1);
      if (counted.read() == -1) {
        return counted;
      }
      counted.reset();
      in = switch (this) {
        case GZIP -> new GzipCompressorInputStream(counted, true);
        case BZIP2 -> new BZip2CompressorInputStream(counted, true);
        case ZSTD -> new ZstdInputStream(counted);
        case LZ4 -> new LZ4FrameInputStream(counted);
        case NONE -> throw new AssertionError();
      };
    } catch (SourceException e) {
      counted.close();
      throw (IOException) e.getCause();
    } catch (IOException | RuntimeException e) {
      counted.close();
      throw corrupt(file, counted, e);
    }
    return new Checked(in, file, counted);
  }

  private CorruptInputException corrupt(String file, CountingStream counted, Throwable e) {
    String why = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    if (e instanceof java.io.EOFException && e.getMessage() == null) {
      why = "unexpected end of file";
    }
    return new CorruptInputException("corrupt or truncated " + name().toLowerCase(Locale.ROOT) + " input " + file
        + " (at compressed byte " + counted.count + "): " + why, e);
  }

  /** A compressed input that cannot be read to its end; says where. */
  public static final class CorruptInputException extends IOException {
    private static final long serialVersionUID = 1L;

    CorruptInputException(String message, Throwable cause) {
      super(message, cause);
    }

    /** The message alone: it says what happened, and this class's name is an internal one. */
    @Override
    public String toString() {
      return getMessage();
    }
  }

  /** Counts the compressed bytes read, for the error message and the task's progress. */
  static final class CountingStream extends FilterInputStream {
    long count;
    private long mark;

    CountingStream(InputStream in) {
      super(new java.io.BufferedInputStream(in, 64 << 10));
    }

    @Override
    public int read() throws IOException {
      int b;
      try {
        b = super.read();
      } catch (IOException e) {
        throw new SourceException(e);
      }
      if (b >= 0) {
        count++;
      }
      return b;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      int n;
      try {
        n = super.read(b, off, len);
      } catch (IOException e) {
        throw new SourceException(e);
      }
      if (n > 0) {
        count += n;
      }
      return n;
    }

    @Override
    public long skip(long n) throws IOException {
      long skipped;
      try {
        skipped = super.skip(n);
      } catch (IOException e) {
        throw new SourceException(e);
      }
      count += skipped;
      return skipped;
    }

    @Override
    public synchronized void mark(int limit) {
      super.mark(limit);
      mark = count;
    }

    @Override
    public synchronized void reset() throws IOException {
      super.reset();
      count = mark;
    }
  }

  /**
   * A failure to read the compressed bytes themselves (a storage's error, not the codec's), carried
   * through the codec to be thrown as it was.
   */
  private static final class SourceException extends IOException {
    private static final long serialVersionUID = 1L;

    SourceException(IOException cause) {
      super(cause);
    }
  }

  /** Turns the codec's exceptions, whatever their type, into one that names the file. */
  private final class Checked extends FilterInputStream {
    private final String file;
    private final CountingStream counted;

    Checked(InputStream in, String file, CountingStream counted) {
      super(in);
      this.file = file;
      this.counted = counted;
    }

    @Override
    public int read() throws IOException {
      try {
        return super.read();
      } catch (SourceException e) {
        throw (IOException) e.getCause();
      } catch (IOException | RuntimeException e) {
        throw corrupt(file, counted, e);
      }
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      try {
        return super.read(b, off, len);
      } catch (SourceException e) {
        throw (IOException) e.getCause();
      } catch (IOException | RuntimeException e) {
        throw corrupt(file, counted, e);
      }
    }
  }

  /** The compressed bytes read so far from a stream {@link #decompress} returned, or -1 if plain. */
  public static long compressedBytesRead(InputStream decompressed) {
    if (decompressed instanceof Checked c) {
      return c.counted.count;
    }
    return decompressed instanceof CountingStream s ? s.count : -1;
  }
}

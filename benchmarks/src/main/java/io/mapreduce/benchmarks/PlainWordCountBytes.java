package io.mapreduce.benchmarks;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The hand-tuned floor of the end-to-end comparison: word count written for speed, without a
 * framework. {@code --threads} threads (default: the available processors) take pieces of the
 * input in turn, byte ranges of at most {@link #CHUNK_BYTES} cut at line starts; each reads its
 * pieces into a 1 MiB byte buffer, decodes UTF-8 itself (ASCII on a fast path) and counts words in
 * a {@link WordTable} of its own, keyed by the words' bytes, which makes no object per word. The
 * tables are merged at the end.
 *
 * <p>It finds exactly the words of the others: maximal runs of code points for which
 * {@link Character#isLetter(int)} holds, case kept. Bytes that are not well-formed UTF-8 are no
 * letters, as the engine's decoder ({@code new String(bytes, UTF_8)} per line) turns them into
 * U+FFFD; so are encoded surrogates and overlong forms, which that decoder rejects too. Output as
 * {@link PlainWordCount}'s: {@code word<TAB>count} lines sorted by their bytes.
 *
 * <pre>
 * java -cp benchmarks/target/benchmarks.jar io.mapreduce.benchmarks.PlainWordCountBytes \
 *     [--threads N] --output FILE INPUT...
 * </pre>
 */
public final class PlainWordCountBytes {
  static final int BUFFER_BYTES = 1 << 20;
  static final long CHUNK_BYTES = 32L << 20;

  private static final String USAGE = "usage: PlainWordCountBytes [--threads N] [--output FILE] INPUT...";

  /** Letters among the ASCII bytes. */
  private static final boolean[] ASCII_LETTER = new boolean[128];

  static {
    for (int c = 0; c < 128; c++) {
      ASCII_LETTER[c] = Character.isLetter(c);
    }
  }

  /** What {@link #decode} returns for bytes that are no UTF-8: U+FFFD, one byte long. */
  private static final int INVALID = (0xFFFD << 3) | 1;
  /** What {@link #decode} returns for a well-formed start cut by the end of the buffer. */
  private static final int NEED_MORE = 0;

  private PlainWordCountBytes() {}

  public static void main(String[] args) {
    System.exit(run(args, System.out, System.err));
  }

  static int run(String[] args, PrintStream out, PrintStream err) {
    Path output = null;
    int threads = Runtime.getRuntime().availableProcessors();
    List<Path> inputs = new ArrayList<>();
    for (int i = 0; i < args.length; i++) {
      if (args[i].equals("--output") && i + 1 < args.length) {
        output = Path.of(args[++i]);
      } else if (args[i].equals("--threads") && i + 1 < args.length) {
        try {
          threads = Integer.parseInt(args[++i]);
        } catch (NumberFormatException e) {
          threads = 0;
        }
        if (threads < 1) {
          err.println("PlainWordCountBytes: --threads must be a positive whole number, not '" + args[i] + "'");
          return 2;
        }
      } else if (args[i].startsWith("-")) {
        err.println(USAGE);
        return 2;
      } else {
        inputs.add(Path.of(args[i]));
      }
    }
    if (inputs.isEmpty()) {
      err.println(USAGE);
      return 2;
    }
    try {
      WordTable counts = count(PlainWordCount.listInputs(inputs), threads, CHUNK_BYTES, BUFFER_BYTES);
      if (output == null) {
        counts.writeSorted(out);
      } else {
        try (OutputStream o = Files.newOutputStream(output)) {
          counts.writeSorted(o);
        }
      }
      return 0;
    } catch (IOException e) {
      err.println("PlainWordCountBytes: " + e);
      return 1;
    }
  }

  /** A piece of a file: the lines that start in [start, end). */
  record Range(Path file, long start, long end) {}

  /** Counts the words of the files with the given threads, pieces and buffer size. */
  static WordTable count(List<Path> files, int threads, long chunkBytes, int bufferBytes) throws IOException {
    List<Range> ranges = cut(files, chunkBytes);
    AtomicInteger next = new AtomicInteger();
    List<Callable<WordTable>> workers = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      workers.add(() -> {
        WordTable table = new WordTable();
        byte[] buf = new byte[Math.max(4, bufferBytes)];
        for (int i = next.getAndIncrement(); i < ranges.size(); i = next.getAndIncrement()) {
          buf = count(ranges.get(i), buf, table);
        }
        return table;
      });
    }
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      WordTable total = null;
      for (Future<WordTable> f : pool.invokeAll(workers)) {
        WordTable table = f.get();
        if (total == null) {
          total = table;
        } else {
          total.addAll(table);
        }
      }
      return total;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof IOException io) {
        throw io;
      }
      throw new IllegalStateException(e.getCause());
    } finally {
      pool.shutdownNow();
    }
  }

  /** Cuts each file into pieces of about chunkBytes that start at line starts (none empty). */
  static List<Range> cut(List<Path> files, long chunkBytes) throws IOException {
    List<Range> ranges = new ArrayList<>();
    for (Path file : files) {
      try (FileChannel ch = FileChannel.open(file)) {
        long size = ch.size();
        long start = 0;
        while (start < size) {
          long end = start + chunkBytes >= size ? size : lineStartAtOrAfter(ch, start + chunkBytes, size);
          ranges.add(new Range(file, start, end));
          start = end;
        }
      }
    }
    return ranges;
  }

  /** The first position at or after {@code at} (above 0) that starts a line, or size. */
  private static long lineStartAtOrAfter(FileChannel ch, long at, long size) throws IOException {
    ByteBuffer window = ByteBuffer.allocate(64 << 10);
    long pos = at - 1; // a line starts at `at` if the byte before it ends one
    while (pos < size) {
      window.clear();
      int n = ch.read(window, pos);
      if (n <= 0) {
        break;
      }
      for (int i = 0; i < n; i++) {
        if (window.get(i) == '\n') {
          return pos + i + 1;
        }
      }
      pos += n;
    }
    return size;
  }

  /**
   * Counts the words of a range into the table; returns the buffer, grown if a word was longer. A
   * word (or a character) cut by the end of the buffer moves to its front before the next read.
   */
  static byte[] count(Range range, byte[] buffer, WordTable table) throws IOException {
    byte[] buf = buffer;
    try (FileChannel ch = FileChannel.open(range.file())) {
      long filePos = range.start();
      int limit = 0;
      int pos = 0;
      int wordStart = -1;
      int hash = 0;
      boolean eof = false;
      while (true) {
        ByteBuffer into = ByteBuffer.wrap(buf, limit, (int) Math.min(buf.length - limit, range.end() - filePos));
        while (into.hasRemaining()) {
          int n = ch.read(into, filePos);
          if (n < 0) {
            break;
          }
          filePos += n;
        }
        limit = into.position();
        eof = into.hasRemaining() || filePos >= range.end();
        while (pos < limit) {
          int b = buf[pos];
          if (b >= 0) {
            if (ASCII_LETTER[b]) {
              if (wordStart < 0) {
                wordStart = pos;
                hash = 0;
              }
              hash = 31 * hash + b;
            } else if (wordStart >= 0) {
              table.add(buf, wordStart, pos - wordStart, hash);
              wordStart = -1;
            }
            pos++;
            continue;
          }
          int decoded = decode(buf, pos, limit, eof);
          if (decoded == NEED_MORE) {
            break;
          }
          int width = decoded & 7;
          if (Character.isLetter(decoded >>> 3)) {
            if (wordStart < 0) {
              wordStart = pos;
              hash = 0;
            }
            for (int k = 0; k < width; k++) {
              hash = 31 * hash + buf[pos + k];
            }
          } else if (wordStart >= 0) {
            table.add(buf, wordStart, pos - wordStart, hash);
            wordStart = -1;
          }
          pos += width;
        }
        if (eof) {
          if (wordStart >= 0) {
            table.add(buf, wordStart, pos - wordStart, hash);
          }
          return buf;
        }
        // Keep the unfinished word, or the unfinished character, for the next read.
        int keep = wordStart >= 0 ? wordStart : pos;
        if (keep == 0 && limit == buf.length) {
          buf = Arrays.copyOf(buf, buf.length * 2);
        } else if (keep > 0) {
          System.arraycopy(buf, keep, buf, 0, limit - keep);
          limit -= keep;
          pos -= keep;
          if (wordStart >= 0) {
            wordStart = 0;
          }
        }
      }
    }
  }

  /**
   * Decodes the UTF-8 sequence that starts with the non-ASCII byte at {@code pos}: its code point
   * shifted left by 3 with its length in the low 3 bits; {@link #INVALID} if the bytes are not
   * well-formed UTF-8 (the JDK's decoder makes them U+FFFD, and none of the bytes it skips could
   * start a character); {@link #NEED_MORE} if the buffer ends inside a well-formed start.
   */
  static int decode(byte[] buf, int pos, int limit, boolean eof) {
    int b0 = buf[pos] & 0xff;
    int more;
    int cp;
    int lo = 0x80;
    int hi = 0xBF;
    if (b0 < 0xC2) {
      return INVALID; // a continuation byte, or the start of an overlong 2-byte form
    } else if (b0 < 0xE0) {
      more = 1;
      cp = b0 & 0x1F;
    } else if (b0 < 0xF0) {
      more = 2;
      cp = b0 & 0x0F;
      if (b0 == 0xE0) {
        lo = 0xA0; // overlong
      } else if (b0 == 0xED) {
        hi = 0x9F; // surrogates
      }
    } else if (b0 < 0xF5) {
      more = 3;
      cp = b0 & 0x07;
      if (b0 == 0xF0) {
        lo = 0x90; // overlong
      } else if (b0 == 0xF4) {
        hi = 0x8F; // above U+10FFFF
      }
    } else {
      return INVALID;
    }
    for (int k = 1; k <= more; k++) {
      if (pos + k >= limit) {
        return eof ? INVALID : NEED_MORE;
      }
      int b = buf[pos + k] & 0xff;
      if (b < lo || b > hi) {
        return INVALID;
      }
      lo = 0x80;
      hi = 0xBF;
      cp = (cp << 6) | (b & 0x3F);
    }
    return (cp << 3) | (more + 1);
  }
}

package io.mapreduce.benchmarks;

import io.mapreduce.examples.cli.DataSizes;
import io.mapreduce.internal.shuffle.RunIndex;
import io.mapreduce.internal.shuffle.RunWriter;
import io.mapreduce.netty.protocol.ClusterSecret;
import io.mapreduce.netty.protocol.Frames;
import io.mapreduce.netty.protocol.Message;
import io.mapreduce.netty.worker.Fetcher;
import io.mapreduce.netty.worker.ShuffleServer;
import io.mapreduce.thirdparty.io.netty.channel.EventLoopGroup;
import io.mapreduce.thirdparty.io.netty.channel.nio.NioEventLoopGroup;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import java.util.zip.CRC32C;

/**
 * Throughput of the cluster shuffle's fetch on this machine, against raw loopback TCP measured in
 * the same run. Writes one map output run file ({@link RunWriter}, one partition, uncompressed) of
 * about {@code --size} bytes of records with 16-byte keys and 84-byte values of pseudo-random bytes,
 * then times, alternating, {@code --runs} times each:
 *
 * <ul>
 *   <li>{@code fetch}: a {@link ShuffleServer} on 127.0.0.1 serves the partition, a {@link Fetcher}
 *       fetches it into a file in the same directory: the real path (Netty, authentication
 *       handshake, {@code FileRegion} zero-copy send, each received buffer written to a
 *       {@code FileChannel}), from the connect to the completed future;
 *   <li>{@code raw-file}: a plain blocking {@code java.nio} server sends the same bytes of the same
 *       file with {@code FileChannel.transferTo}; the client reads them into a direct buffer of
 *       {@code --buffer} bytes and writes each to a {@code FileChannel} (the same sink);
 *   <li>{@code raw-discard}: the same server; the client reads into the buffer and drops it.
 * </ul>
 *
 * <p>Each file sink's output is deleted after its run; the first timed run of each file sink is
 * checked against the partition's CRC32C (untimed). Everything goes to a fresh directory under
 * {@code --dir}, removed at the end. Prints MiB/s (2^20 bytes per second) of each run, the medians
 * and the ratios, and a last line {@code medians-MiB/s fetch=... raw-file=... raw-discard=...}.
 *
 * <pre>
 * java -cp benchmarks/target/benchmarks.jar io.mapreduce.benchmarks.ShuffleFetchThroughput \
 *     [--size 1g] [--runs 5] [--warmups 1] [--buffer 64k] [--dir DIR] [--seed 1]
 * </pre>
 */
public final class ShuffleFetchThroughput {
  static final int KEY_BYTES = 16;
  static final int VALUE_BYTES = 84;

  static final String USAGE = "usage: ShuffleFetchThroughput [--size 1g] [--runs 5] [--warmups 1] [--buffer 64k]"
      + " [--dir DIR] [--seed 1]\n  SIZE: bytes, or with a binary unit: 512k, 256m, 1g";

  /** What the command line asks for. */
  record Options(long size, int runs, int warmups, int bufferBytes, Path dir, long seed) {
    static final long DEFAULT_SIZE = 1L << 30;
    static final int DEFAULT_RUNS = 5;
    static final int DEFAULT_WARMUPS = 1;
    static final int DEFAULT_BUFFER = 64 << 10;
  }

  enum Mode {
    FETCH("fetch", "ShuffleServer -> Fetcher -> file"),
    RAW_FILE("raw-file", "transferTo -> SocketChannel -> file"),
    RAW_DISCARD("raw-discard", "transferTo -> SocketChannel -> discard");

    final String label;
    final String path;

    Mode(String label, String path) {
      this.label = label;
      this.path = path;
    }
  }

  private ShuffleFetchThroughput() {}

  public static void main(String[] args) throws Exception {
    Options o;
    try {
      o = parse(args);
    } catch (IllegalArgumentException e) {
      System.err.println("ShuffleFetchThroughput: " + e.getMessage());
      System.err.println(USAGE);
      System.exit(2);
      return;
    }
    if (o == null) {
      System.out.println(USAGE);
      return;
    }
    System.exit(run(o, System.out));
  }

  /** The options of {@code args}, or null for {@code --help}. */
  static Options parse(String[] args) {
    long size = Options.DEFAULT_SIZE;
    int runs = Options.DEFAULT_RUNS;
    int warmups = Options.DEFAULT_WARMUPS;
    long buffer = Options.DEFAULT_BUFFER;
    Path dir = Path.of(System.getProperty("java.io.tmpdir"));
    long seed = 1;
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      if (a.equals("-h") || a.equals("--help")) {
        return null;
      }
      if (i + 1 >= args.length) {
        throw new IllegalArgumentException(a + " needs a value");
      }
      String v = args[++i];
      switch (a) {
        case "--size" -> size = DataSizes.parse(v);
        case "--runs" -> runs = parseInt(a, v);
        case "--warmups" -> warmups = parseInt(a, v);
        case "--buffer" -> buffer = DataSizes.parse(v);
        case "--dir" -> dir = Path.of(v);
        case "--seed" -> seed = parseLong(a, v);
        default -> throw new IllegalArgumentException("unknown option " + a);
      }
    }
    long recordBytes = 2 + KEY_BYTES + VALUE_BYTES;
    if (size < recordBytes) {
      throw new IllegalArgumentException("--size must be at least " + recordBytes + " bytes (one record)");
    }
    if (runs < 1) {
      throw new IllegalArgumentException("--runs must be at least 1 but was " + runs);
    }
    if (warmups < 0) {
      throw new IllegalArgumentException("--warmups must not be negative but was " + warmups);
    }
    if (buffer < 1024 || buffer > (64 << 20)) {
      throw new IllegalArgumentException("--buffer must be between 1k and 64m but was " + buffer);
    }
    return new Options(size, runs, warmups, (int) buffer, dir, seed);
  }

  private static int parseInt(String option, String v) {
    try {
      return Integer.parseInt(v);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(option + ": '" + v + "' is not a number");
    }
  }

  private static long parseLong(String option, String v) {
    try {
      return Long.parseLong(v);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(option + ": '" + v + "' is not a number");
    }
  }

  /** The number of records that fill about {@code size} bytes: each takes two 1-byte varints and its bytes. */
  static long recordsFor(long size) {
    return size / (2 + KEY_BYTES + VALUE_BYTES);
  }

  static double median(double[] values) {
    double[] v = values.clone();
    Arrays.sort(v);
    int n = v.length;
    return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
  }

  static int run(Options o, PrintStream out) throws Exception {
    Files.createDirectories(o.dir());
    Path dir = Files.createTempDirectory(o.dir(), "shuffle-fetch-");
    Thread cleanup = new Thread(() -> deleteQuietly(dir));
    Runtime.getRuntime().addShutdownHook(cleanup);
    EventLoopGroup serverGroup = new NioEventLoopGroup(1);
    EventLoopGroup clientGroup = new NioEventLoopGroup(1);
    ShuffleServer shuffle = null;
    RawServer raw = null;
    try {
      Path data = dir.resolve("map-0.run");
      long start = System.nanoTime();
      writeRun(data, recordsFor(o.size()), o.seed());
      RunIndex index = RunIndex.read(RunWriter.indexOf(data));
      long offset = index.offsets()[0];
      long length = index.lengths()[0];
      int checksum = index.checksums()[0];
      out.printf(Locale.ROOT, "run file: %,d bytes, %,d records of %d + %d bytes, 1 partition, uncompressed;"
          + " written in %.1f s to %s%n", length, index.records()[0], KEY_BYTES, VALUE_BYTES,
          (System.nanoTime() - start) / 1e9, dir);

      ShuffleServer.Served served = new ShuffleServer.Served(data, index);
      shuffle = new ShuffleServer(serverGroup, "127.0.0.1", 0, ClusterSecret.NONE, Frames.DEFAULT_MAX_FRAME_BYTES,
          (jobId, mapIndex, attempt) -> "bench".equals(jobId) && mapIndex == 0 && attempt == 0 ? served : null);
      Fetcher fetcher = new Fetcher(clientGroup, ClusterSecret.NONE, Frames.DEFAULT_MAX_FRAME_BYTES);
      raw = new RawServer(data, offset, length);
      Path target = dir.resolve("fetched.run");
      ByteBuffer buffer = ByteBuffer.allocateDirect(o.bufferBytes());

      Mode[] modes = Mode.values();
      Map<Mode, double[]> rates = new EnumMap<>(Mode.class);
      for (Mode m : modes) {
        rates.put(m, new double[o.runs()]);
      }
      int rounds = o.warmups() + o.runs();
      for (int r = 0; r < rounds; r++) {
        boolean warmup = r < o.warmups();
        int timed = r - o.warmups();
        // Rotate the order, so that no mode always runs first (right after the previous round's deletes).
        for (int j = 0; j < modes.length; j++) {
          Mode m = modes[(j + Math.max(0, timed)) % modes.length];
          long t0 = System.nanoTime();
          long got = switch (m) {
            case FETCH -> fetcher.fetch("127.0.0.1", shuffle.port(), new Message.FetchRequest("bench", 0, 0, 0),
                target).get(10, TimeUnit.MINUTES);
            case RAW_FILE -> raw.receive(target, buffer);
            case RAW_DISCARD -> raw.receive(null, buffer);
          };
          long nanos = System.nanoTime() - t0;
          if (got != length) {
            throw new IOException(m.label + " received " + got + " of " + length + " bytes");
          }
          if (m != Mode.RAW_DISCARD) {
            if (timed == 0 || warmup && r == 0) {
              int crc = crc32c(target, 0, length);
              if (crc != checksum) {
                throw new IOException(m.label + ": the received bytes' CRC32C is " + Integer.toHexString(crc)
                    + ", the run's " + Integer.toHexString(checksum));
              }
            }
            Files.deleteIfExists(target);
            Files.deleteIfExists(RunWriter.indexOf(target));
          }
          double mibps = length / 1048576.0 / (nanos / 1e9);
          if (!warmup) {
            rates.get(m)[timed] = mibps;
          }
          out.printf(Locale.ROOT, "%s %d: %-12s %8.1f MiB/s  (%.3f s)%n", warmup ? "warm-up" : "run", warmup ? r + 1
              : timed + 1, m.label, mibps, nanos / 1e9);
        }
      }

      out.println();
      out.printf(Locale.ROOT, "%-12s %-40s %12s   %s%n", "mode", "path", "median MiB/s", "MiB/s of each run");
      for (Mode m : modes) {
        StringBuilder each = new StringBuilder();
        for (double v : rates.get(m)) {
          each.append(each.length() == 0 ? "" : " ").append(String.format(Locale.ROOT, "%.0f", v));
        }
        out.printf(Locale.ROOT, "%-12s %-40s %12.1f   %s%n", m.label, m.path, median(rates.get(m)), each);
      }
      double fetch = median(rates.get(Mode.FETCH));
      double rawFile = median(rates.get(Mode.RAW_FILE));
      double rawDiscard = median(rates.get(Mode.RAW_DISCARD));
      out.println();
      out.printf(Locale.ROOT, "ratio of medians, fetch / raw-file:    %.2f%n", fetch / rawFile);
      out.printf(Locale.ROOT, "ratio of medians, fetch / raw-discard: %.2f%n", fetch / rawDiscard);
      out.printf(Locale.ROOT, "ratio of medians, raw-file / raw-discard: %.2f%n", rawFile / rawDiscard);
      out.printf(Locale.ROOT, "medians-MiB/s fetch=%.1f raw-file=%.1f raw-discard=%.1f%n", fetch, rawFile, rawDiscard);
      return 0;
    } finally {
      if (raw != null) {
        raw.close();
      }
      if (shuffle != null) {
        shuffle.close();
      }
      serverGroup.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly();
      clientGroup.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly();
      deleteQuietly(dir);
      try {
        Runtime.getRuntime().removeShutdownHook(cleanup);
      } catch (IllegalStateException shuttingDown) {
        // the hook deletes the directory anyway
      }
    }
  }

  /** One partition of {@code records} records of pseudo-random bytes, uncompressed. */
  static void writeRun(Path data, long records, long seed) throws IOException {
    SplitMix64 random = new SplitMix64(seed);
    byte[] record = new byte[KEY_BYTES + VALUE_BYTES];
    try (RunWriter w = new RunWriter(data, 1, false)) {
      w.startPartition(0);
      for (long i = 0; i < records; i++) {
        for (int b = 0; b < record.length; b += 8) {
          long x = random.nextLong();
          for (int k = 0; k < 8 && b + k < record.length; k++) {
            record[b + k] = (byte) (x >>> (8 * k));
          }
        }
        w.append(record, 0, KEY_BYTES, record, KEY_BYTES, VALUE_BYTES);
      }
    }
  }

  static int crc32c(Path file, long offset, long length) throws IOException {
    CRC32C crc = new CRC32C();
    ByteBuffer b = ByteBuffer.allocateDirect(1 << 20);
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      if (ch.size() != offset + length) {
        throw new IOException(file + " holds " + ch.size() + " bytes, not " + (offset + length));
      }
      long pos = offset;
      while (pos < offset + length) {
        b.clear();
        b.limit((int) Math.min(b.capacity(), offset + length - pos));
        int n = ch.read(b, pos);
        if (n < 0) {
          break;
        }
        pos += n;
        b.flip();
        crc.update(b);
      }
    }
    return (int) crc.getValue();
  }

  private static void deleteQuietly(Path dir) {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> s = Files.walk(dir)) {
      List<Path> paths = new ArrayList<>(s.toList());
      paths.sort(Comparator.reverseOrder());
      for (Path p : paths) {
        Files.deleteIfExists(p);
      }
    } catch (IOException | UncheckedIOException e) {
      System.err.println("ShuffleFetchThroughput: could not remove " + dir + ": " + e);
    }
  }

  /**
   * The raw baseline: a blocking server on 127.0.0.1 that, for every connection, sends the range
   * with {@code FileChannel.transferTo} (sendfile) and closes it; one connection at a time.
   */
  static final class RawServer implements AutoCloseable {
    private final ServerSocketChannel server;
    private final Thread thread;
    private final FileChannel file;
    private final long offset;
    private final long length;
    private volatile Throwable failure;

    RawServer(Path data, long offset, long length) throws IOException {
      this.file = FileChannel.open(data, StandardOpenOption.READ);
      this.offset = offset;
      this.length = length;
      this.server = ServerSocketChannel.open().bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
      this.thread = new Thread(this::serve, "raw-server");
      thread.setDaemon(true);
      thread.start();
    }

    private void serve() {
      try {
        while (true) {
          try (SocketChannel s = server.accept()) {
            long pos = offset;
            long end = offset + length;
            while (pos < end) {
              pos += file.transferTo(pos, end - pos, s);
            }
          }
        }
      } catch (ClosedChannelException closed) {
        // close()
      } catch (Throwable t) {
        failure = t;
      }
    }

    /** Receives one copy of the range into {@code target}, or drops it when target is null; returns the bytes received. */
    long receive(Path target, ByteBuffer buffer) throws IOException {
      if (failure != null) {
        throw new IOException("raw server failed", failure);
      }
      long received = 0;
      try (SocketChannel s = SocketChannel.open(server.getLocalAddress());
          FileChannel sink = target == null ? null : FileChannel.open(target, StandardOpenOption.CREATE,
              StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE)) {
        while (true) {
          buffer.clear();
          int n = s.read(buffer);
          if (n < 0) {
            break;
          }
          received += n;
          if (sink != null) {
            buffer.flip();
            while (buffer.hasRemaining()) {
              sink.write(buffer);
            }
          }
        }
      }
      return received;
    }

    @Override
    public void close() throws IOException {
      server.close();
      try {
        thread.join(10_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      file.close();
    }
  }
}

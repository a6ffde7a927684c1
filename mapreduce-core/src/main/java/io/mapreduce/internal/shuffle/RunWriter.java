package io.mapreduce.internal.shuffle;

import static io.mapreduce.thirdparty.com.google.common.base.Preconditions.checkState;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.CRC32C;
import net.jpountz.lz4.LZ4Compressor;
import net.jpountz.lz4.LZ4Factory;

/**
 * Writes a run: a data file of records sorted by (partition, key), each record
 * {@code varint keyLength, varint valueLength, key, value}, and its {@link RunIndex}. Partitions
 * are written in order, every one of them, even when empty.
 *
 * <p>Compressed runs store each partition as LZ4 blocks of whole records: {@code int rawLength,
 * int storedLength, bytes}, where a stored length of 0 means the bytes follow raw (they did not
 * compress). Records are gathered in a buffer of {@value #BUFFER_SIZE} bytes, so a block holds
 * many records, except a record larger than that, which gets a block of its own.
 */
public final class RunWriter implements AutoCloseable {
  static final int BUFFER_SIZE = 64 << 10;
  static final int BLOCK_HEADER = 8;
  /** Two varints of at most five bytes each. */
  private static final int MAX_HEADER = 10;
  private static final LZ4Compressor LZ4 = LZ4Factory.fastestInstance().fastCompressor();

  private final Path data;
  private final Path index;
  private final OutputStream out;
  private final boolean compress;
  /** Records are gathered here; the CRC runs over whole buffers, not three calls per record. */
  private byte[] buf = new byte[BUFFER_SIZE];
  private int used;
  private byte[] block;
  private final long[] offsets;
  private final long[] lengths;
  private final long[] records;
  private final int[] checksums;
  private final CRC32C crc = new CRC32C();
  private int partition = -1;
  private long position;
  private long written;
  private boolean closed;
  /** The index written at close. */
  private RunIndex writtenIndex;

  /** A writer of a run whose records are stored back to back. */
  public RunWriter(Path data, int partitions) throws IOException {
    this(data, partitions, false);
  }

  public RunWriter(Path data, int partitions, boolean compress) throws IOException {
    this.data = data;
    this.index = indexOf(data);
    this.out = Files.newOutputStream(data);
    this.compress = compress;
    this.offsets = new long[partitions];
    this.lengths = new long[partitions];
    this.records = new long[partitions];
    this.checksums = new int[partitions];
  }

  /** The index file that belongs to a data file. */
  public static Path indexOf(Path data) {
    return data.resolveSibling(data.getFileName() + ".index");
  }

  /** Starts a partition; partitions are started in order, with none skipped. */
  public void startPartition(int p) throws IOException {
    checkState(p == partition + 1, "partition %s started after %s", p, partition);
    finishPartition();
    partition = p;
    offsets[p] = position;
    crc.reset();
  }

  private void finishPartition() throws IOException {
    flushBuffer();
    if (partition >= 0) {
      lengths[partition] = position - offsets[partition];
      checksums[partition] = (int) crc.getValue();
    }
  }

  public void append(byte[] k, int ko, int kl, byte[] v, int vo, int vl) throws IOException {
    int size = MAX_HEADER + kl + vl;
    if (buf.length - used < size) {
      flushBuffer();
      if (size > buf.length) {
        // A record larger than the buffer: the buffer grows for it, and shrinks back after.
        buf = new byte[size];
      }
    }
    used = Varints.write(kl, buf, used);
    used = Varints.write(vl, buf, used);
    System.arraycopy(k, ko, buf, used, kl);
    used += kl;
    System.arraycopy(v, vo, buf, used, vl);
    used += vl;
    records[partition]++;
    written++;
    if (buf.length > BUFFER_SIZE) {
      flushBuffer();
      buf = new byte[BUFFER_SIZE];
    }
  }

  private void flushBuffer() throws IOException {
    if (used == 0) {
      return;
    }
    if (!compress) {
      write(buf, used);
    } else {
      int bound = BLOCK_HEADER + LZ4.maxCompressedLength(used);
      if (block == null || block.length < bound) {
        block = new byte[Math.max(bound, BLOCK_HEADER + LZ4.maxCompressedLength(BUFFER_SIZE))];
      }
      int stored = LZ4.compress(buf, 0, used, block, BLOCK_HEADER);
      putInt(block, 0, used);
      if (stored < used) {
        putInt(block, 4, stored);
        write(block, BLOCK_HEADER + stored);
      } else {
        putInt(block, 4, 0);
        System.arraycopy(buf, 0, block, BLOCK_HEADER, used);
        write(block, BLOCK_HEADER + used);
      }
    }
    used = 0;
  }

  private void write(byte[] bytes, int length) throws IOException {
    crc.update(bytes, 0, length);
    out.write(bytes, 0, length);
    position += length;
  }

  static void putInt(byte[] b, int at, int v) {
    b[at] = (byte) (v >>> 24);
    b[at + 1] = (byte) (v >>> 16);
    b[at + 2] = (byte) (v >>> 8);
    b[at + 3] = (byte) v;
  }

  /** Records appended so far. */
  public long written() {
    return written;
  }

  /** Finishes the remaining partitions, closes the data file and writes the index. */
  @Override
  public void close() throws IOException {
    if (closed) {
      return;
    }
    closed = true;
    try {
      while (partition < offsets.length - 1) {
        startPartition(partition + 1);
      }
      finishPartition();
    } finally {
      // Closed even when a write failed (a full disk): an open file would pin its file system.
      out.close();
    }
    writtenIndex = new RunIndex(offsets, lengths, records, checksums, compress);
    writtenIndex.write(index);
  }

  /**
   * The index {@link #close} wrote: what a caller would otherwise read back from disk (a map task
   * of a 2,000-map job spent a tenth of its time reading back the index it had just written).
   *
   * @throws IllegalStateException before the writer is closed
   */
  public RunIndex index() {
    if (writtenIndex == null) {
      throw new IllegalStateException("the run " + data + " is not closed yet");
    }
    return writtenIndex;
  }

  public Path data() {
    return data;
  }
}

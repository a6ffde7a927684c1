package io.mapreduce.internal.shuffle;

import static com.google.common.base.Preconditions.checkState;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.CRC32C;

/**
 * Writes a run: a data file of records sorted by (partition, key), each record
 * {@code varint keyLength, varint valueLength, key, value}, and its {@link RunIndex}. Partitions
 * are written in order, every one of them, even when empty.
 */
public final class RunWriter implements AutoCloseable {
  private static final int BUFFER_SIZE = 64 << 10;
  /** Two varints of at most five bytes each. */
  private static final int MAX_HEADER = 10;

  private final Path data;
  private final Path index;
  private final OutputStream out;
  /** Records are gathered here; the CRC runs over whole buffers, not three calls per record. */
  private final byte[] buf = new byte[BUFFER_SIZE];
  private int used;
  private final long[] offsets;
  private final long[] lengths;
  private final long[] records;
  private final int[] checksums;
  private final CRC32C crc = new CRC32C();
  private int partition = -1;
  private long position;
  private long written;
  private boolean closed;

  public RunWriter(Path data, int partitions) throws IOException {
    this.data = data;
    this.index = indexOf(data);
    this.out = Files.newOutputStream(data);
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
    if (BUFFER_SIZE - used < size) {
      flushBuffer();
      if (size > BUFFER_SIZE) {
        appendLarge(k, ko, kl, v, vo, vl);
        return;
      }
    }
    int start = used;
    used = Varints.write(kl, buf, used);
    used = Varints.write(vl, buf, used);
    System.arraycopy(k, ko, buf, used, kl);
    used += kl;
    System.arraycopy(v, vo, buf, used, vl);
    used += vl;
    position += used - start;
    records[partition]++;
    written++;
  }

  /** A record larger than the buffer goes straight to the file. */
  private void appendLarge(byte[] k, int ko, int kl, byte[] v, int vo, int vl) throws IOException {
    byte[] header = new byte[MAX_HEADER];
    int h = Varints.write(kl, header, 0);
    h = Varints.write(vl, header, h);
    out.write(header, 0, h);
    out.write(k, ko, kl);
    out.write(v, vo, vl);
    crc.update(header, 0, h);
    crc.update(k, ko, kl);
    crc.update(v, vo, vl);
    position += h + kl + vl;
    records[partition]++;
    written++;
  }

  private void flushBuffer() throws IOException {
    if (used > 0) {
      crc.update(buf, 0, used);
      out.write(buf, 0, used);
      used = 0;
    }
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
    while (partition < offsets.length - 1) {
      startPartition(partition + 1);
    }
    finishPartition();
    out.close();
    new RunIndex(offsets, lengths, records, checksums).write(index);
  }

  public Path data() {
    return data;
  }
}

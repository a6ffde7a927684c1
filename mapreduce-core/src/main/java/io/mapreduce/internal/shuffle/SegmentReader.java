package io.mapreduce.internal.shuffle;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.zip.CRC32C;
import net.jpountz.lz4.LZ4Exception;
import net.jpountz.lz4.LZ4Factory;
import net.jpountz.lz4.LZ4SafeDecompressor;

/**
 * Reads one partition of a run file: a byte range of records, stored back to back or in LZ4
 * blocks ({@link RunWriter}). Verifies the record count and the CRC32C of the range when it
 * reaches its end, so a truncated or corrupt file fails loudly.
 */
public final class SegmentReader implements RecordStream {
  private static final LZ4SafeDecompressor LZ4 = LZ4Factory.fastestInstance().safeDecompressor();

  private final FileChannel channel;
  /** Whether closing the reader closes the channel (else it is shared, and its owner closes it). */
  private final boolean ownsChannel;
  private final String name;
  private final long end;
  private final long expectedRecords;
  private final int expectedChecksum;
  private final CRC32C crc = new CRC32C();
  private final boolean compressed;
  private byte[] block;
  private long filePos;
  private byte[] buf;
  private int pos;
  private int limit;
  private long recordsRead;
  private int keyOff;
  private int keyLen;
  private int valueOff;
  private int valueLen;

  public SegmentReader(Path data, RunIndex index, int partition, int bufferSize) throws IOException {
    this(FileChannel.open(data, StandardOpenOption.READ), true, data, index, partition, bufferSize);
  }

  /**
   * A reader of a partition of a file open already, which it reads at explicit positions and
   * leaves open: readers of many segments of one file (a reducer's bundle of fetched segments)
   * share one channel.
   */
  public SegmentReader(FileChannel shared, Path data, RunIndex index, int partition, int bufferSize) {
    this(shared, false, data, index, partition, bufferSize);
  }

  private SegmentReader(FileChannel channel, boolean ownsChannel, Path data, RunIndex index, int partition,
      int bufferSize) {
    this.channel = channel;
    this.ownsChannel = ownsChannel;
    this.name = data + " partition " + partition;
    this.filePos = index.offsets()[partition];
    this.end = filePos + index.lengths()[partition];
    this.expectedRecords = index.records()[partition];
    this.expectedChecksum = index.checksums()[partition];
    this.compressed = index.compressed();
    this.buf = new byte[(int) Math.max(64, Math.min(bufferSize, index.lengths()[partition]))];
  }

  @Override
  public boolean next() throws IOException {
    if (compressed && pos == limit && filePos < end) {
      readBlock();
    }
    if (!ensure(1)) {
      verifyEnd();
      return false;
    }
    int kl = readVarint();
    int vl = readVarint();
    // Checked before ensure() sizes the buffer for them: a corrupt length must not allocate
    // gigabytes or overflow into a negative size. A record never spans two blocks.
    long left = compressed ? limit - pos : (limit - pos) + (end - filePos);
    if (kl < 0 || vl < 0 || (long) kl + vl > left) {
      throw new IOException(name + ": corrupt record header (key " + kl + " bytes, value " + vl + " bytes, "
          + left + " bytes left in the segment)");
    }
    if (!ensure(kl + vl)) {
      throw new IOException(name + ": truncated record");
    }
    keyOff = pos;
    keyLen = kl;
    valueOff = pos + kl;
    valueLen = vl;
    pos += kl + vl;
    recordsRead++;
    return true;
  }

  private int readVarint() throws IOException {
    int result = 0;
    for (int shift = 0; shift < 35; shift += 7) {
      if (!ensure(1)) {
        throw new IOException(name + ": truncated record header");
      }
      byte b = buf[pos++];
      result |= (b & 0x7f) << shift;
      if (b >= 0) {
        return result;
      }
    }
    throw new IOException(name + ": corrupt record header");
  }

  /** Makes {@code n} bytes available at {@code pos}; false if the segment (or block) ends first. */
  private boolean ensure(int n) throws IOException {
    if (limit - pos >= n) {
      return true;
    }
    if (compressed) {
      return false;
    }
    int kept = limit - pos;
    if (n > buf.length) {
      byte[] bigger = new byte[Math.max(n, buf.length * 2)];
      System.arraycopy(buf, pos, bigger, 0, kept);
      buf = bigger;
    } else {
      System.arraycopy(buf, pos, buf, 0, kept);
    }
    pos = 0;
    limit = kept;
    while (limit < n && filePos < end) {
      int want = (int) Math.min(buf.length - limit, end - filePos);
      int read = channel.read(ByteBuffer.wrap(buf, limit, want), filePos);
      if (read < 0) {
        throw new IOException(name + ": file shorter than its index says");
      }
      // Every byte of the segment is read exactly once, so the checksum runs over whole reads.
      crc.update(buf, limit, read);
      filePos += read;
      limit += read;
    }
    return limit >= n;
  }

  /** Reads the next LZ4 block of the segment and decompresses it into {@code buf}. */
  private void readBlock() throws IOException {
    if (end - filePos < RunWriter.BLOCK_HEADER) {
      throw new IOException(name + ": truncated block header");
    }
    byte[] header = new byte[RunWriter.BLOCK_HEADER];
    readFully(header, RunWriter.BLOCK_HEADER);
    int raw = getInt(header, 0);
    int stored = getInt(header, 4);
    int size = stored == 0 ? raw : stored;
    if (raw <= 0 || stored < 0 || size > end - filePos || (stored > 0 && raw > 255L * stored + 16)) {
      throw new IOException(name + ": corrupt block header (" + raw + " bytes stored in " + stored + ")");
    }
    if (block == null || block.length < size) {
      block = new byte[Math.max(size, RunWriter.BUFFER_SIZE)];
    }
    readFully(block, size);
    if (buf.length < raw) {
      buf = new byte[raw];
    }
    if (stored == 0) {
      System.arraycopy(block, 0, buf, 0, raw);
    } else {
      try {
        int n = LZ4.decompress(block, 0, stored, buf, 0, raw);
        if (n != raw) {
          throw new IOException(name + ": corrupt block (" + n + " of " + raw + " bytes)");
        }
      } catch (LZ4Exception e) {
        throw new IOException(name + ": corrupt block: " + e.getMessage(), e);
      }
    }
    pos = 0;
    limit = raw;
  }

  private void readFully(byte[] dst, int n) throws IOException {
    int got = 0;
    while (got < n) {
      int read = channel.read(ByteBuffer.wrap(dst, got, n - got), filePos);
      if (read < 0) {
        throw new IOException(name + ": file shorter than its index says");
      }
      crc.update(dst, got, read);
      filePos += read;
      got += read;
    }
  }

  private static int getInt(byte[] b, int at) {
    return ((b[at] & 0xff) << 24) | ((b[at + 1] & 0xff) << 16) | ((b[at + 2] & 0xff) << 8) | (b[at + 3] & 0xff);
  }

  private void verifyEnd() throws IOException {
    if (recordsRead != expectedRecords || (int) crc.getValue() != expectedChecksum) {
      throw new IOException(name + ": corrupt segment (" + recordsRead + " of " + expectedRecords
          + " records, checksum " + ((int) crc.getValue() == expectedChecksum ? "ok" : "mismatch") + ")");
    }
  }

  @Override
  public byte[] keyArray() {
    return buf;
  }

  @Override
  public int keyOffset() {
    return keyOff;
  }

  @Override
  public int keyLength() {
    return keyLen;
  }

  @Override
  public byte[] valueArray() {
    return buf;
  }

  @Override
  public int valueOffset() {
    return valueOff;
  }

  @Override
  public int valueLength() {
    return valueLen;
  }

  @Override
  public void close() throws IOException {
    if (ownsChannel) {
      channel.close();
    }
  }
}

package io.mapreduce.internal.shuffle;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.zip.CRC32C;

/**
 * Reads one partition of a run file: a byte range of records. Verifies the record count and the
 * CRC32C of the range when it reaches its end, so a truncated or corrupt file fails loudly.
 */
public final class SegmentReader implements RecordStream {
  private final FileChannel channel;
  private final String name;
  private final long end;
  private final long expectedRecords;
  private final int expectedChecksum;
  private final CRC32C crc = new CRC32C();
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
    this.channel = FileChannel.open(data, StandardOpenOption.READ);
    this.name = data + " partition " + partition;
    this.filePos = index.offsets()[partition];
    this.end = filePos + index.lengths()[partition];
    this.expectedRecords = index.records()[partition];
    this.expectedChecksum = index.checksums()[partition];
    this.buf = new byte[(int) Math.max(64, Math.min(bufferSize, index.lengths()[partition]))];
  }

  @Override
  public boolean next() throws IOException {
    if (!ensure(1)) {
      verifyEnd();
      return false;
    }
    int kl = readVarint();
    int vl = readVarint();
    // Checked before ensure() sizes the buffer for them: a corrupt length must not allocate
    // gigabytes or overflow into a negative size.
    long left = (limit - pos) + (end - filePos);
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

  /** Makes {@code n} bytes available at {@code pos}; false if the segment ends first. */
  private boolean ensure(int n) throws IOException {
    if (limit - pos >= n) {
      return true;
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
    channel.close();
  }
}

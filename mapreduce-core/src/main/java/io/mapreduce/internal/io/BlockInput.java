package io.mapreduce.internal.io;

import static io.mapreduce.internal.io.PairsFormat.SYNC_LENGTH;

import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import java.util.zip.CRC32C;

/**
 * The block layer under a {@link PairsReader}: finds sync markers, reads a block's header and
 * payload and checks the payload's CRC, and knows the file offset of every byte. It buffers the
 * stream itself: block headers and the sync scan are read byte by byte, and each of those must not
 * be a call on the stream (an S3 body or a file channel).
 */
final class BlockInput {
  private final InputStream in;
  private final String file;
  private final byte[] sync;
  private final byte[] buf = new byte[8192];
  private int bufPos;
  private int bufLimit;
  /** The file offset of {@code buf[bufPos]}. */
  private long position;
  private long blockStart = -1;
  private final CRC32C crc = new CRC32C();
  /** Allocated at the first block, at that block's size: a split may own no block at all. */
  private byte[] payload = new byte[0];
  private int payloadLength;
  private int records;

  BlockInput(InputStream in, String file, byte[] sync, long position) {
    this.in = in;
    this.file = file;
    this.sync = sync;
    this.position = position;
  }

  /** Skips to the file offset {@code to}, which the file (whose header says so) must reach. */
  void skipTo(long to) throws IOException {
    while (position < to) {
      if (bufPos == bufLimit && !fill()) {
        throw corrupt("the file ends inside its header");
      }
      int n = (int) Math.min(bufLimit - bufPos, to - position);
      bufPos += n;
      position += n;
    }
  }

  /**
   * Scans forward for the first sync marker that starts before {@code end}, and reads the block
   * it begins. False when there is none: the block after this split's start belongs to a later
   * split, or the file ends.
   */
  boolean seekBlock(long end) throws IOException {
    byte[] window = new byte[SYNC_LENGTH];
    long seen = 0;
    byte last = sync[SYNC_LENGTH - 1];
    // A marker that ends at the byte about to be read starts SYNC_LENGTH - 1 bytes earlier.
    while (position - (SYNC_LENGTH - 1) < end) {
      // No further than a marker starting inside the split could reach: a split that owns no
      // block (a small one, or one inside a large record) reads only itself and the marker's length.
      if (bufPos == bufLimit && !fill((int) Math.min(buf.length, end - position + SYNC_LENGTH - 1))) {
        return false;
      }
      int b = readByte();
      window[(int) (seen++ % SYNC_LENGTH)] = (byte) b;
      if ((byte) b == last && seen >= SYNC_LENGTH && isSync(window, (int) (seen % SYNC_LENGTH))) {
        blockStart = position - SYNC_LENGTH;
        readBody();
        return true;
      }
    }
    return false;
  }

  /** Whether the ring {@code window}, oldest byte at {@code oldest}, holds the marker. */
  private boolean isSync(byte[] window, int oldest) {
    for (int i = 0; i < SYNC_LENGTH; i++) {
      if (window[(oldest + i) % SYNC_LENGTH] != sync[i]) {
        return false;
      }
    }
    return true;
  }

  /**
   * Reads the block that starts where the last one ended, if it starts before {@code end}. False
   * at such a block, or at the end of the file.
   */
  boolean nextBlock(long end) throws IOException {
    if (position >= end) {
      return false;
    }
    blockStart = position;
    byte[] marker = new byte[SYNC_LENGTH];
    int n = read(marker, 0, SYNC_LENGTH);
    if (n == 0) {
      return false;
    }
    if (n < SYNC_LENGTH) {
      throw corrupt("truncated block: the file ends inside its sync marker");
    }
    if (!Arrays.equals(marker, sync)) {
      throw corrupt("no sync marker where the block should start");
    }
    readBody();
    return true;
  }

  private void readBody() throws IOException {
    records = readVarint("record count");
    int length = readVarint("payload length");
    // Each record takes at least its two length bytes.
    if (records == 0 || length < 2L * records) {
      throw corrupt("its header claims " + records + " records in " + length + " bytes");
    }
    int expected = 0;
    for (int i = 0; i < 4; i++) {
      int b = readByte();
      if (b < 0) {
        throw corrupt("truncated block: the file ends inside its header");
      }
      expected = expected << 8 | b;
    }
    if (payload.length == 0) {
      payload = new byte[Math.min(length, PairsFormat.BLOCK_SIZE)];
    }
    // The buffer grows only as bytes arrive, so a corrupt length fails as truncation rather than
    // allocating what it claims.
    int got = 0;
    while (got < length) {
      if (got == payload.length) {
        payload = Arrays.copyOf(payload, (int) Math.min(length, 2L * payload.length));
      }
      int n = read(payload, got, Math.min(payload.length, length) - got);
      if (n == 0) {
        throw corrupt("truncated block: the file ends after " + got + " of its " + length + " payload bytes");
      }
      got += n;
    }
    payloadLength = length;
    crc.reset();
    crc.update(payload, 0, length);
    if ((int) crc.getValue() != expected) {
      throw corrupt(String.format("CRC32C mismatch: stored %08x, computed %08x over %d payload bytes",
          expected, (int) crc.getValue(), length));
    }
  }

  private int readVarint(String what) throws IOException {
    int result = 0;
    for (int shift = 0; ; shift += 7) {
      int b = readByte();
      if (b < 0) {
        throw corrupt("truncated block: the file ends inside its " + what);
      }
      if (shift == 28 && b > 0x07) {
        throw corrupt("its " + what + " is too long a varint (over 31 bits)");
      }
      result |= (b & 0x7f) << shift;
      if (b < 0x80) {
        return result;
      }
    }
  }

  private int readByte() throws IOException {
    if (bufPos == bufLimit && !fill()) {
      return -1;
    }
    position++;
    return buf[bufPos++] & 0xff;
  }

  /** Reads up to {@code len} bytes, fewer only at the end of the file. */
  private int read(byte[] dst, int off, int len) throws IOException {
    int got = Math.min(len, bufLimit - bufPos);
    System.arraycopy(buf, bufPos, dst, off, got);
    bufPos += got;
    while (got < len) {
      int n;
      if (len - got >= buf.length) {
        // The buffer is empty here; a large rest goes straight from the stream, not through it.
        n = in.read(dst, off + got, len - got);
        if (n < 0) {
          break;
        }
      } else {
        if (!fill()) {
          break;
        }
        n = Math.min(len - got, bufLimit);
        System.arraycopy(buf, 0, dst, off + got, n);
        bufPos = n;
      }
      got += n;
    }
    position += got;
    return got;
  }

  private boolean fill() throws IOException {
    return fill(buf.length);
  }

  private boolean fill(int max) throws IOException {
    int n;
    do {
      n = in.read(buf, 0, max);
    } while (n == 0);
    bufPos = 0;
    bufLimit = Math.max(n, 0);
    return n > 0;
  }

  CorruptPairsException corrupt(String problem) {
    return corrupt(problem, null);
  }

  CorruptPairsException corrupt(String problem, Throwable cause) {
    return new CorruptPairsException(file, blockStart < 0 ? position : blockStart, problem, cause);
  }

  /** The current block's payload, in {@code [0, payloadLength())}. */
  byte[] payload() {
    return payload;
  }

  int payloadLength() {
    return payloadLength;
  }

  /** The current block's record count, as its header says. */
  int records() {
    return records;
  }

  /** The file offset of the current block's sync marker; -1 before the first. */
  long blockStart() {
    return blockStart;
  }

  void close() throws IOException {
    in.close();
  }
}

package io.mapreduce.internal.io;

import static io.mapreduce.thirdparty.com.google.common.base.Preconditions.checkState;
import static io.mapreduce.internal.io.PairsFormat.BLOCK_SIZE;
import static io.mapreduce.internal.io.PairsFormat.MAX_BLOCK_HEADER;
import static io.mapreduce.internal.io.PairsFormat.SYNC_LENGTH;
import static java.util.Objects.checkFromIndexSize;
import static java.util.Objects.requireNonNull;

import io.mapreduce.internal.codec.ByteSink;
import io.mapreduce.internal.codec.Codec;
import io.mapreduce.internal.codec.Codecs;
import io.mapreduce.internal.shuffle.Varints;
import java.io.Closeable;
import java.io.IOException;
import java.io.OutputStream;
import java.util.concurrent.ThreadLocalRandom;
import java.util.zip.CRC32C;

/**
 * Writes a pairs file ({@link PairsFormat}): the header when it is made, then records gathered
 * into blocks of about {@value PairsFormat#BLOCK_SIZE} bytes, each written to the stream whole.
 * Keys and values are encoded with {@link Codecs#forValue} of their types, the shuffle's codecs.
 * Not thread-safe.
 */
public final class PairsWriter<K, V> implements Closeable {
  /** The room for a block's header, whose varints are only known at its end. */
  private static final byte[] HEADER_ROOM = new byte[MAX_BLOCK_HEADER];

  private final OutputStream out;
  private final Codec<K> keyCodec;
  private final Codec<V> valueCodec;
  private final byte[] sync;
  private final CRC32C crc = new CRC32C();
  private final byte[] blockHeader = new byte[MAX_BLOCK_HEADER];
  private final byte[] lengths = new byte[2 * Varints.MAX_LENGTH];
  /**
   * The block being filled, records encoded straight into it: its payload starts after {@code
   * MAX_BLOCK_HEADER} bytes of room, where the block's header goes once it is known, so that the
   * block leaves in one write. Twice a block's size, so that the record that overfills a block
   * fits without growing it.
   */
  private ByteSink block = newBlock();
  private int records;
  private boolean closed;

  /**
   * Writes the header of a file of {@code (keyType, valueType)} pairs to {@code out}, which the
   * writer closes in {@link #close()}. Types without an ordered codec go through Kryo (see
   * {@link Codecs#forValue}).
   */
  public PairsWriter(OutputStream out, Class<K> keyType, Class<V> valueType) throws IOException {
    this(out, keyType, valueType, randomSync());
  }

  /** With a given sync marker: for tests that pin the bytes. */
  PairsWriter(OutputStream out, Class<K> keyType, Class<V> valueType, byte[] sync) throws IOException {
    this.out = requireNonNull(out, "out");
    this.keyCodec = Codecs.forValue(requireNonNull(keyType, "keyType"));
    this.valueCodec = Codecs.forValue(requireNonNull(valueType, "valueType"));
    this.sync = sync.clone();
    out.write(PairsFormat.encodeHeader(keyType.getName(), valueType.getName(), sync));
  }

  // Not cryptographic: the marker only has to be unlikely to occur in the file's own bytes.
  private static byte[] randomSync() {
    byte[] sync = new byte[SYNC_LENGTH];
    ThreadLocalRandom.current().nextBytes(sync);
    return sync;
  }

  /**
   * Appends a pair.
   *
   * @throws NullPointerException for a null key or value, unless its type is {@code Void}
   */
  public void write(K key, V value) throws IOException {
    checkState(!closed, "pairs writer already closed");
    if (key == null && keyCodec.type() != (Class<?>) Void.class) {
      throw new NullPointerException("null key: a pairs file of " + keyCodec.type().getName() + " keys");
    }
    if (value == null && valueCodec.type() != (Class<?>) Void.class) {
      throw new NullPointerException("null value for key " + key);
    }
    int start = block.length();
    try {
      // A byte for each length, enough below 128; longer ones move the record (widenLengths).
      block.reserve(2);
      keyCodec.write(key, block, false);
      int keyEnd = block.length();
      valueCodec.write(value, block, false);
      int keyLength = keyEnd - start - 2;
      int valueLength = block.length() - keyEnd;
      if ((keyLength | valueLength) < 0x80) {
        byte[] b = block.array();
        b[start] = (byte) keyLength;
        b[start + 1] = (byte) valueLength;
      } else {
        widenLengths(start, keyLength, valueLength);
      }
    } catch (RuntimeException | Error e) {
      // A value Kryo cannot write, say: the record is left out whole, not in part.
      block.truncate(start);
      throw e;
    }
    appended(start);
  }

  private void widenLengths(int start, int keyLength, int valueLength) {
    int n = Varints.write(keyLength, lengths, 0);
    n = Varints.write(valueLength, lengths, n);
    block.reserve(n - 2);
    byte[] b = block.array();
    System.arraycopy(b, start + 2, b, start + n, keyLength + valueLength);
    System.arraycopy(lengths, 0, b, start, n);
  }

  /**
   * Appends a pair already encoded with the codecs of the file's types (as the shuffle holds
   * them). The bytes are copied: the caller may reuse its arrays.
   */
  public void writeEncoded(byte[] key, int keyOffset, int keyLength, byte[] value, int valueOffset, int valueLength)
      throws IOException {
    checkState(!closed, "pairs writer already closed");
    checkFromIndexSize(keyOffset, keyLength, key.length);
    checkFromIndexSize(valueOffset, valueLength, value.length);
    if ((long) keyLength + valueLength > Integer.MAX_VALUE - 2 * BLOCK_SIZE) {
      throw new IllegalArgumentException("a record of " + ((long) keyLength + valueLength)
          + " bytes; a block holds at most 2 GiB");
    }
    int n = Varints.write(keyLength, lengths, 0);
    n = Varints.write(valueLength, lengths, n);
    int start = block.reserve(n + keyLength + valueLength);
    byte[] b = block.array();
    for (int i = 0; i < n; i++) {
      b[start + i] = lengths[i];
    }
    System.arraycopy(key, keyOffset, b, start + n, keyLength);
    System.arraycopy(value, valueOffset, b, start + n + keyLength, valueLength);
    appended(start);
  }

  /**
   * Counts the record that starts at {@code start}, and ends the block before it if it did not fit
   * (it then starts the next one) and after it if the block is full: so a record larger than a
   * block is a block of its own.
   */
  private void appended(int start) throws IOException {
    records++;
    if (block.length() - MAX_BLOCK_HEADER > BLOCK_SIZE && records > 1) {
      int end = block.length();
      writeBlock(block, start, records - 1);
      byte[] b = block.array();
      block.truncate(MAX_BLOCK_HEADER);
      block.write(b, start, end - start);
      records = 1;
    }
    if (block.length() - MAX_BLOCK_HEADER >= BLOCK_SIZE) {
      endBlock();
    }
  }

  private void endBlock() throws IOException {
    if (records == 0) {
      return;
    }
    ByteSink full = block;
    int end = full.length();
    int count = records;
    records = 0;
    full.truncate(MAX_BLOCK_HEADER);
    if (full.array().length > 2 * BLOCK_SIZE) {
      // It grew for a record larger than a block; the next ones may be small again.
      block = newBlock();
    }
    // Gone from this writer even if the write fails: a retry would write it twice.
    writeBlock(full, end, count);
  }

  /** Writes the records in {@code [MAX_BLOCK_HEADER, end)} of {@code from} as a block. */
  private void writeBlock(ByteSink from, int end, int count) throws IOException {
    byte[] b = from.array();
    int payload = end - MAX_BLOCK_HEADER;
    crc.reset();
    crc.update(b, MAX_BLOCK_HEADER, payload);
    byte[] header = blockHeader;
    System.arraycopy(sync, 0, header, 0, SYNC_LENGTH);
    int at = Varints.write(count, header, SYNC_LENGTH);
    at = Varints.write(payload, header, at);
    int checksum = (int) crc.getValue();
    header[at++] = (byte) (checksum >>> 24);
    header[at++] = (byte) (checksum >>> 16);
    header[at++] = (byte) (checksum >>> 8);
    header[at++] = (byte) checksum;
    int headerStart = MAX_BLOCK_HEADER - at;
    System.arraycopy(header, 0, b, headerStart, at);
    out.write(b, headerStart, at + payload);
  }

  private static ByteSink newBlock() {
    ByteSink block = new ByteSink(2 * BLOCK_SIZE);
    block.write(HEADER_ROOM, 0, MAX_BLOCK_HEADER);
    return block;
  }

  /**
   * Ends the current block and flushes the stream, without closing it: everything written so far
   * is then a valid pairs file.
   */
  public void flush() throws IOException {
    checkState(!closed, "pairs writer already closed");
    endBlock();
    out.flush();
  }

  /** Ends the current block and closes the stream; the stream is closed even if that write fails. */
  @Override
  public void close() throws IOException {
    if (closed) {
      return;
    }
    closed = true;
    try {
      endBlock();
    } finally {
      out.close();
    }
  }
}

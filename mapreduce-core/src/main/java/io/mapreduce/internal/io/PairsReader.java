package io.mapreduce.internal.io;

import static io.mapreduce.thirdparty.com.google.common.base.Preconditions.checkArgument;
import static io.mapreduce.thirdparty.com.google.common.base.Preconditions.checkState;
import static java.util.Objects.requireNonNull;

import io.mapreduce.internal.codec.ByteSource;
import io.mapreduce.internal.codec.Codec;
import io.mapreduce.internal.codec.Codecs;
import io.mapreduce.internal.io.PairsFormat.Header;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;

/**
 * Reads the records of a pairs file ({@link PairsFormat}), or of one split of it: the split
 * {@code [start, start + length)} owns every block whose sync marker starts inside it, so
 * consecutive splits read every record exactly once, as Hadoop's SequenceFile splits do. A split
 * that starts past the header scans forward for the first marker; from there blocks follow one
 * another, and the last one it owns may run past its end.
 *
 * <p>Keys and values are decoded only when asked for, with the codecs the writer used; the
 * encoded bytes of the current record are there without decoding. Every block's CRC is checked
 * before any of its records is returned, and any damage fails with a {@link CorruptPairsException}
 * naming the file and the block: this reader never returns garbage.
 */
public final class PairsReader<K, V> implements Closeable {
  private final BlockInput input;
  private final Header header;
  private final Codec<K> keyCodec;
  private final Codec<V> valueCodec;
  private final ByteSource source = new ByteSource();
  /** Blocks whose marker starts before this offset are this split's. */
  private final long end;
  private boolean seek;
  private boolean done;
  private byte[] block;
  private int pos;
  private int limit;
  private int recordsLeft;
  private int keyOff;
  private int keyLen;
  private int valueOff;
  private int valueLen;
  private boolean current;

  /**
   * A reader of the split {@code [start, start + length)} of a pairs file.
   *
   * @param in the file from offset {@code start} to its end (not cut at the split's end: the last
   *     block a split owns may run past it); the reader closes it
   * @param file the file's name, for error messages
   * @param header the file's header, read with {@link #readHeader} from a stream of its own
   * @throws IllegalArgumentException when the header's types are not {@code keyType} and {@code
   *     valueType} (see {@link #checkTypes}), or {@code start} or {@code length} is negative
   */
  public PairsReader(InputStream in, String file, Header header, long start, long length, Class<K> keyType,
      Class<V> valueType) {
    requireNonNull(in, "in");
    requireNonNull(file, "file");
    this.header = requireNonNull(header, "header");
    checkArgument(start >= 0 && length >= 0, "%s: negative split [%s, +%s)", file, start, length);
    checkTypes(header, keyType, valueType, file);
    this.keyCodec = Codecs.forValue(keyType);
    this.valueCodec = Codecs.forValue(valueType);
    this.input = new BlockInput(in, file, header.sync(), start);
    this.end = length > Long.MAX_VALUE - start ? Long.MAX_VALUE : start + length;
    // Up to the header's end the first block is known; past it, it must be found. (A scan from
    // inside the header would take the header's own marker for a block's.)
    this.seek = start > header.length();
  }

  /**
   * A reader of a whole pairs file, header included.
   *
   * @param in the file from its start; the reader closes it, and so does a failure here
   * @throws IOException naming the file when it is not a pairs file
   * @throws IllegalArgumentException when its types are not {@code keyType} and {@code valueType}
   */
  public static <K, V> PairsReader<K, V> open(InputStream in, String file, Class<K> keyType, Class<V> valueType)
      throws IOException {
    try {
      Header header;
      try {
        header = readHeader(in);
      } catch (IOException e) {
        throw new IOException(file + ": " + e.getMessage(), e);
      }
      return new PairsReader<>(in, file, header, header.length(), Long.MAX_VALUE, keyType, valueType);
    } catch (IOException | RuntimeException e) {
      try {
        in.close();
      } catch (IOException suppressed) {
        e.addSuppressed(suppressed);
      }
      throw e;
    }
  }

  /**
   * Reads a pairs file's header from {@code in}, positioned at the file's start, and leaves it at
   * the first block.
   *
   * @throws IOException saying what is wrong ("empty file, not a pairs file", "not a pairs file (bad
   *     magic)", an unknown version, a truncated header); callers add the file's name
   */
  public static Header readHeader(InputStream in) throws IOException {
    return PairsFormat.readHeader(in);
  }

  /**
   * Checks that a file holds pairs of exactly the given types (by class name).
   *
   * @throws IllegalArgumentException naming the file, its types and the expected ones
   */
  public static void checkTypes(Header header, Class<?> keyType, Class<?> valueType, String file) {
    if (!header.keyType().equals(keyType.getName()) || !header.valueType().equals(valueType.getName())) {
      throw new IllegalArgumentException(file + " holds pairs of (" + header.keyType() + ", " + header.valueType()
          + "), not (" + keyType.getName() + ", " + valueType.getName() + ") as the job expects");
    }
  }

  /** Advances to the next record; false at the end of the split. */
  public boolean next() throws IOException {
    if (done) {
      return false;
    }
    current = false;
    if (pos == limit) {
      if (recordsLeft != 0) {
        throw input.corrupt("record count " + input.records() + " in its header, but it holds "
            + (input.records() - recordsLeft));
      }
      if (!nextBlock()) {
        done = true;
        return false;
      }
    } else if (recordsLeft == 0) {
      throw input.corrupt("record count " + input.records() + " in its header, but more records follow");
    }
    byte[] b = block;
    if (limit - pos >= 2 && (b[pos] | b[pos + 1]) >= 0) {
      // Both lengths under 128, one byte each: most records of small keys and values.
      keyLen = b[pos];
      valueLen = b[pos + 1];
      pos += 2;
    } else {
      keyLen = readLength();
      valueLen = readLength();
    }
    if (keyLen > limit - pos || valueLen > limit - pos - keyLen) {
      throw input.corrupt("a record (key " + keyLen + " bytes, value " + valueLen + " bytes) runs past the block's end");
    }
    keyOff = pos;
    valueOff = pos + keyLen;
    pos = valueOff + valueLen;
    recordsLeft--;
    current = true;
    return true;
  }

  private boolean nextBlock() throws IOException {
    if (seek) {
      seek = false;
      if (!input.seekBlock(end)) {
        return false;
      }
    } else {
      if (input.blockStart() < 0) {
        input.skipTo(header.length());
      }
      if (!input.nextBlock(end)) {
        return false;
      }
    }
    block = input.payload();
    pos = 0;
    limit = input.payloadLength();
    recordsLeft = input.records();
    return true;
  }

  private int readLength() throws CorruptPairsException {
    int result = 0;
    for (int shift = 0; ; shift += 7) {
      if (pos == limit) {
        throw input.corrupt("a record's header runs past the block's end");
      }
      int b = block[pos++];
      if (shift == 28 && (b & 0xff) > 0x07) {
        throw input.corrupt("a record's length is too long a varint (over 31 bits)");
      }
      result |= (b & 0x7f) << shift;
      if (b >= 0) {
        return result;
      }
    }
  }

  // key() and value() each call their codec themselves, not through one shared method: a call
  // site sees one codec class, so the JIT inlines its decoding (a shared one sees two, and in a
  // process that also shuffles, many).

  /**
   * The current record's key, decoded at each call (a map task asks once per record). Not kept in
   * a field: under G1 every store of a new object into this long-lived reader takes the collector's
   * write barrier, which cost more than decoding a small value again would (a quarter of a pairs
   * read of word counts, measured in {@code PairsVsTextFormatsBenchmark}).
   */
  public K key() throws IOException {
    checkState(current, "no current record: call next() first, and only while it returns true");
    K k;
    try {
      k = keyCodec.read(source.reset(block, keyOff, keyLen), false);
    } catch (RuntimeException e) {
      throw undecodable(keyCodec, keyLen, "key", e);
    }
    if (source.remaining() != 0) {
      throw partlyDecoded(keyCodec, keyLen, "key");
    }
    return k;
  }

  /** The current record's value, decoded at each call (see {@link #key()}). */
  public V value() throws IOException {
    checkState(current, "no current record: call next() first, and only while it returns true");
    V v;
    try {
      v = valueCodec.read(source.reset(block, valueOff, valueLen), false);
    } catch (RuntimeException e) {
      throw undecodable(valueCodec, valueLen, "value", e);
    }
    if (source.remaining() != 0) {
      throw partlyDecoded(valueCodec, valueLen, "value");
    }
    return v;
  }

  /** Kryo's exceptions, a truncated number, an enum ordinal out of range. */
  private CorruptPairsException undecodable(Codec<?> codec, int len, String what, RuntimeException e) {
    return input.corrupt("a " + what + " of " + len + " bytes does not decode as " + codec.type().getName() + ": "
        + e.getMessage(), e);
  }

  private CorruptPairsException partlyDecoded(Codec<?> codec, int len, String what) {
    return input.corrupt("a " + what + " of " + len + " bytes decodes as " + codec.type().getName() + " from only "
        + (len - source.remaining()) + " of them");
  }

  /** The array holding the current record's encoded key; valid until the next {@link #next()}. */
  public byte[] keyArray() {
    return block;
  }

  public int keyOffset() {
    return keyOff;
  }

  public int keyLength() {
    return keyLen;
  }

  /** The array holding the current record's encoded value; valid until the next {@link #next()}. */
  public byte[] valueArray() {
    return block;
  }

  public int valueOffset() {
    return valueOff;
  }

  public int valueLength() {
    return valueLen;
  }

  /** The file offset of the current record's block (its sync marker); -1 before the first block. */
  public long position() {
    return input.blockStart();
  }

  public Header header() {
    return header;
  }

  @Override
  public void close() throws IOException {
    done = true;
    current = false;
    input.close();
  }
}

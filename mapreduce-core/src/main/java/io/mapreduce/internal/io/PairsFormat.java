package io.mapreduce.internal.io;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static java.nio.charset.StandardCharsets.UTF_8;

import io.mapreduce.internal.shuffle.Varints;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;

/**
 * The pairs file: typed key-value pairs stored as the shuffle's codecs encode them, so that one
 * job's output is the next job's input with no parsing (the part Hadoop's SequenceFile plays).
 *
 * <pre>
 * header: "MRPAIRS" (7 ASCII bytes), version (1 byte: {@value #VERSION}),
 *         key type and value type (each varint length + UTF-8 of Class.getName()),
 *         sync marker ({@value #SYNC_LENGTH} random bytes, chosen per file)
 * blocks: sync marker, varint record count, varint payload length,
 *         CRC32C of the payload (4 bytes, big-endian),
 *         payload: records, each varint keyLength, varint valueLength, key, value
 * </pre>
 *
 * <p>Varints are unsigned LEB128 ({@link Varints}), as in run files. Blocks hold about
 * {@value #BLOCK_SIZE} bytes of payload; a larger record is a block of its own. The marker before
 * every block is what lets a file split at any byte offset: a reader that starts mid-file scans for
 * it, and a split owns exactly the blocks whose marker starts inside it. A marker is 128 random
 * bits, so that it turns up by chance inside data is as unlikely as guessing it.
 */
public final class PairsFormat {
  public static final int VERSION = 1;
  public static final int SYNC_LENGTH = 16;
  /** The payload size at which a block ends. */
  public static final int BLOCK_SIZE = 64 << 10;

  static final byte[] MAGIC = "MRPAIRS".getBytes(US_ASCII);
  /** The sync marker, two varints and the CRC. */
  static final int MAX_BLOCK_HEADER = SYNC_LENGTH + 2 * Varints.MAX_LENGTH + 4;
  /** Class names are at most 65,535 bytes in a class file; a longer one is a corrupt length. */
  private static final int MAX_TYPE_NAME = 1 << 16;

  private PairsFormat() {}

  /**
   * A file's header.
   *
   * @param keyType the {@link Class#getName()} of the keys' type
   * @param valueType the {@link Class#getName()} of the values' type
   * @param sync the marker before every block (do not modify it)
   * @param length the header's size in bytes, so the file offset of its first block
   */
  public record Header(int version, String keyType, String valueType, byte[] sync, int length) {
    // A record compares arrays by identity; two headers are equal when their bytes are.
    @Override
    public boolean equals(Object o) {
      return o instanceof Header h && version == h.version && keyType.equals(h.keyType)
          && valueType.equals(h.valueType) && Arrays.equals(sync, h.sync) && length == h.length;
    }

    @Override
    public int hashCode() {
      return 31 * (31 * keyType.hashCode() + valueType.hashCode()) + Arrays.hashCode(sync);
    }

    @Override
    public String toString() {
      return "Header[version=" + version + ", keyType=" + keyType + ", valueType=" + valueType + ", sync="
          + java.util.HexFormat.of().formatHex(sync) + ", length=" + length + "]";
    }
  }

  static byte[] encodeHeader(String keyType, String valueType, byte[] sync) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(64);
    out.writeBytes(MAGIC);
    out.write(VERSION);
    for (String name : new String[] {keyType, valueType}) {
      byte[] bytes = name.getBytes(UTF_8);
      byte[] length = new byte[Varints.MAX_LENGTH];
      out.write(length, 0, Varints.write(bytes.length, length, 0));
      out.writeBytes(bytes);
    }
    out.writeBytes(sync);
    return out.toByteArray();
  }

  /** Reads exactly the header's bytes, so that {@code in} is left at the first block. */
  static Header readHeader(InputStream in) throws IOException {
    byte[] magic = in.readNBytes(MAGIC.length);
    if (magic.length == 0) {
      throw new IOException("empty file, not a pairs file");
    }
    if (!Arrays.equals(magic, 0, magic.length, MAGIC, 0, magic.length)) {
      throw new IOException("not a pairs file (bad magic)");
    }
    if (magic.length < MAGIC.length) {
      throw truncated();
    }
    int version = in.read();
    if (version < 0) {
      throw truncated();
    }
    if (version != VERSION) {
      throw new IOException("pairs file of version " + version + "; this library reads version " + VERSION);
    }
    int[] length = {MAGIC.length + 1};
    String keyType = readName(in, "key", length);
    String valueType = readName(in, "value", length);
    byte[] sync = readFully(in, SYNC_LENGTH);
    return new Header(version, keyType, valueType, sync, length[0] + SYNC_LENGTH);
  }

  private static String readName(InputStream in, String what, int[] length) throws IOException {
    int n = 0;
    for (int shift = 0; ; shift += 7) {
      int b = in.read();
      if (b < 0) {
        throw truncated();
      }
      length[0]++;
      n |= (b & 0x7f) << shift;
      if (b < 0x80) {
        break;
      }
      if (shift == 14) {
        // A third byte with the continuation bit: the length is at least 2^21, far past any name.
        throw new IOException("corrupt pairs header: the " + what + " type name's length is too long a varint");
      }
    }
    if (n == 0 || n > MAX_TYPE_NAME) {
      throw new IOException("corrupt pairs header: a " + what + " type name of " + n + " bytes");
    }
    length[0] += n;
    return new String(readFully(in, n), UTF_8);
  }

  private static byte[] readFully(InputStream in, int n) throws IOException {
    byte[] bytes = in.readNBytes(n);
    if (bytes.length < n) {
      throw truncated();
    }
    return bytes;
  }

  private static IOException truncated() {
    return new IOException("truncated pairs header: the file ends inside it");
  }
}

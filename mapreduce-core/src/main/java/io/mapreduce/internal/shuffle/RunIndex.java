package io.mapreduce.internal.shuffle;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.CRC32C;

/**
 * The index of a run file: where each partition starts, how long it is, how many records it
 * holds and the CRC32C of its bytes (as stored). Stored beside the data file ({@code .index}),
 * with a magic number, a version and a checksum of its own. The version says how the data file
 * stores records: 1, back to back; 2, in LZ4 blocks ({@link RunWriter}).
 */
public record RunIndex(long[] offsets, long[] lengths, long[] records, int[] checksums, boolean compressed) {
  private static final int MAGIC = 0x4d52_4958; // "MRIX"
  private static final int PLAIN = 1;
  private static final int LZ4_BLOCKS = 2;
  private static final int HEADER_BYTES = 12; // magic, version, partition count
  private static final int ENTRY_BYTES = 28; // offset, length, records, checksum
  private static final int CHECKSUM_BYTES = 4;
  /**
   * Entries an index may hold, at most: a map output has one per reduce task (at most 99,999), a
   * reducer's bundle of fetched segments one per map (the paper ran 200,000 maps; ten times that).
   */
  private static final int MAX_PARTITIONS = 2_000_000;

  /** An index of a run whose records are stored back to back. */
  public RunIndex(long[] offsets, long[] lengths, long[] records, int[] checksums) {
    this(offsets, lengths, records, checksums, false);
  }

  /**
   * The index of a file that holds one segment from its first byte: a partition fetched from a map
   * output, as a reduce attempt stores it.
   */
  public static RunIndex ofOneSegment(long length, long records, int checksum, boolean compressed) {
    return new RunIndex(new long[] {0}, new long[] {length}, new long[] {records}, new int[] {checksum}, compressed);
  }

  /** The size of the index of a run with this many partitions. */
  public static long sizeOf(int partitions) {
    return HEADER_BYTES + (long) partitions * ENTRY_BYTES + CHECKSUM_BYTES;
  }

  public int partitions() {
    return offsets.length;
  }

  public long totalRecords() {
    long n = 0;
    for (long r : records) {
      n += r;
    }
    return n;
  }

  /**
   * Writes the index in one write: encoded whole first (a stream of {@code writeLong}s on an
   * unbuffered file stream was a system call per field, 150 for an index of 50 partitions).
   */
  public void write(Path file) throws IOException {
    int n = offsets.length;
    java.nio.ByteBuffer buf = java.nio.ByteBuffer.allocate(Math.toIntExact(sizeOf(n)));
    buf.putInt(MAGIC).putInt(compressed ? LZ4_BLOCKS : PLAIN).putInt(n);
    for (int p = 0; p < n; p++) {
      buf.putLong(offsets[p]).putLong(lengths[p]).putLong(records[p]).putInt(checksums[p]);
    }
    CRC32C crc = new CRC32C();
    crc.update(buf.array(), 0, buf.position());
    buf.putInt((int) crc.getValue());
    Files.write(file, buf.array());
  }

  /** Reads an index {@link #write} wrote, in one read, checking its size, version and checksum. */
  public static RunIndex read(Path file) throws IOException {
    long size = Files.size(file);
    // Checked before reading: a corrupt or foreign file must not ask for gigabytes.
    if (size < HEADER_BYTES + CHECKSUM_BYTES || size > sizeOf(MAX_PARTITIONS)) {
      throw new IOException(file + ": not a run index (" + size + " bytes)");
    }
    byte[] bytes = Files.readAllBytes(file);
    java.nio.ByteBuffer in = java.nio.ByteBuffer.wrap(bytes);
    if (bytes.length < HEADER_BYTES + CHECKSUM_BYTES || in.getInt() != MAGIC) {
      throw new IOException(file + " is not a run index");
    }
    int version = in.getInt();
    if (version != PLAIN && version != LZ4_BLOCKS) {
      throw new IOException(file + ": unsupported run index version " + version);
    }
    int n = in.getInt();
    if (n < 0 || bytes.length != sizeOf(n)) {
      throw new IOException(file + ": corrupt run index (" + n + " partitions in " + bytes.length + " bytes)");
    }
    CRC32C crc = new CRC32C();
    crc.update(bytes, 0, bytes.length - CHECKSUM_BYTES);
    long[] offsets = new long[n];
    long[] lengths = new long[n];
    long[] records = new long[n];
    int[] checksums = new int[n];
    for (int p = 0; p < n; p++) {
      offsets[p] = in.getLong();
      lengths[p] = in.getLong();
      records[p] = in.getLong();
      checksums[p] = in.getInt();
    }
    if (in.getInt() != (int) crc.getValue()) {
      throw new IOException(file + ": run index checksum mismatch");
    }
    return new RunIndex(offsets, lengths, records, checksums, version == LZ4_BLOCKS);
  }
}

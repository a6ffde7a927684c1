package io.mapreduce.internal.shuffle;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.CRC32C;
import java.util.zip.CheckedInputStream;
import java.util.zip.CheckedOutputStream;

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

  public void write(Path file) throws IOException {
    CRC32C crc = new CRC32C();
    try (var out = new DataOutputStream(new CheckedOutputStream(Files.newOutputStream(file), crc))) {
      out.writeInt(MAGIC);
      out.writeInt(compressed ? LZ4_BLOCKS : PLAIN);
      out.writeInt(offsets.length);
      for (int p = 0; p < offsets.length; p++) {
        out.writeLong(offsets[p]);
        out.writeLong(lengths[p]);
        out.writeLong(records[p]);
        out.writeInt(checksums[p]);
      }
      out.writeInt((int) crc.getValue());
    }
  }

  public static RunIndex read(Path file) throws IOException {
    CRC32C crc = new CRC32C();
    try (var in = new DataInputStream(new CheckedInputStream(Files.newInputStream(file), crc))) {
      long size = Files.size(file);
      if (size < HEADER_BYTES + CHECKSUM_BYTES) {
        throw new IOException(file + ": truncated run index (" + size + " bytes)");
      }
      if (in.readInt() != MAGIC) {
        throw new IOException(file + " is not a run index");
      }
      int version = in.readInt();
      if (version != PLAIN && version != LZ4_BLOCKS) {
        throw new IOException(file + ": unsupported run index version " + version);
      }
      int n = in.readInt();
      // Checked before the arrays are allocated: a corrupt count must not ask for gigabytes.
      if (n < 0 || size != sizeOf(n)) {
        throw new IOException(file + ": corrupt run index (" + n + " partitions in " + size + " bytes)");
      }
      long[] offsets = new long[n];
      long[] lengths = new long[n];
      long[] records = new long[n];
      int[] checksums = new int[n];
      for (int p = 0; p < n; p++) {
        offsets[p] = in.readLong();
        lengths[p] = in.readLong();
        records[p] = in.readLong();
        checksums[p] = in.readInt();
      }
      int expected = (int) crc.getValue();
      if (in.readInt() != expected) {
        throw new IOException(file + ": run index checksum mismatch");
      }
      return new RunIndex(offsets, lengths, records, checksums, version == LZ4_BLOCKS);
    }
  }
}

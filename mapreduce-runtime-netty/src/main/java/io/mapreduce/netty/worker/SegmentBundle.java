package io.mapreduce.netty.worker;

import io.mapreduce.internal.shuffle.RunIndex;
import io.mapreduce.internal.shuffle.RunWriter;
import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;

/**
 * Small fetched segments of one reduce attempt, appended back to back to one run file whose index
 * lists each as an entry of its own: the merge reads entry k as the k-th sorted run. Two files
 * for thousands of map outputs, where a file and an index per map output made a reduce over
 * 200,000 map outputs create 400,000 files in one directory (and creating them was most of a
 * fetch's time). All segments of a bundle are stored alike, compressed or not.
 */
final class SegmentBundle implements Closeable {
  private final Path file;
  private FileChannel channel;
  private boolean compressed;
  private int entries;
  private long length;
  private long[] offsets = new long[64];
  private long[] lengths = new long[64];
  private long[] records = new long[64];
  private int[] checksums = new int[64];

  SegmentBundle(Path file) {
    this.file = file;
  }

  Path file() {
    return file;
  }

  /** Whether a segment stored so (compressed or not) can join this bundle. */
  boolean accepts(boolean segmentCompressed) {
    return entries == 0 || compressed == segmentCompressed;
  }

  /** Appends a segment; returns its entry in the index. */
  int append(byte[] bytes, long recordCount, int checksum, boolean segmentCompressed) throws IOException {
    if (!accepts(segmentCompressed)) {
      throw new IllegalArgumentException("a " + (segmentCompressed ? "compressed" : "plain") + " segment in a bundle of "
          + (compressed ? "compressed" : "plain") + " ones");
    }
    if (channel == null) {
      channel = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
    }
    ByteBuffer b = ByteBuffer.wrap(bytes);
    while (b.hasRemaining()) {
      channel.write(b);
    }
    if (entries == offsets.length) {
      int n = 2 * entries;
      offsets = Arrays.copyOf(offsets, n);
      lengths = Arrays.copyOf(lengths, n);
      records = Arrays.copyOf(records, n);
      checksums = Arrays.copyOf(checksums, n);
    }
    compressed = segmentCompressed;
    offsets[entries] = length;
    lengths[entries] = bytes.length;
    records[entries] = recordCount;
    checksums[entries] = checksum;
    length += bytes.length;
    return entries++;
  }

  int entries() {
    return entries;
  }

  /** Closes the file and writes its index; nothing when no segment was appended. */
  void finish() throws IOException {
    if (channel == null) {
      return;
    }
    close();
    new RunIndex(Arrays.copyOf(offsets, entries), Arrays.copyOf(lengths, entries), Arrays.copyOf(records, entries),
        Arrays.copyOf(checksums, entries), compressed).write(RunWriter.indexOf(file));
  }

  @Override
  public void close() throws IOException {
    if (channel != null && channel.isOpen()) {
      channel.close();
    }
  }
}

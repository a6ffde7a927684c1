package io.mapreduce.internal.shuffle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Run files: {@link RunWriter} writes a partition-indexed data file and its {@link RunIndex},
 * {@link SegmentReader} reads one partition back, and a damaged data or index file fails with an
 * IOException rather than wrong records (or an OutOfMemoryError).
 */
class RunFilesTest {
  @TempDir Path tmp;

  /** Records per partition, with empty partitions first, in the middle and last. */
  private static List<List<Rec>> sampleRun() {
    Random r = new Random(21);
    List<List<Rec>> parts = new ArrayList<>();
    int[] sizes = {0, 3, 0, 0, 5, 1, 0};
    for (int p = 0; p < sizes.length; p++) {
      List<Rec> recs = new ArrayList<>();
      for (int i = 0; i < sizes[p]; i++) {
        byte[] key = new byte[r.nextInt(5)];
        r.nextBytes(key);
        byte[] value = new byte[r.nextInt(7)];
        r.nextBytes(value);
        recs.add(new Rec(p, key, value));
      }
      parts.add(Rec.stableSorted(recs, Rec.BY_KEY));
    }
    return parts;
  }

  @Test
  void roundTrip_partitionsIncludingEmptyOnes_readBackExactly() throws IOException {
    List<List<Rec>> parts = sampleRun();
    Path data = writeRun("run", parts);

    RunIndex index = RunIndex.read(RunWriter.indexOf(data));
    assertThat(index.partitions()).isEqualTo(parts.size());
    assertThat(index.totalRecords()).isEqualTo(parts.stream().mapToLong(List::size).sum());
    for (int p = 0; p < parts.size(); p++) {
      assertThat(index.records()[p]).isEqualTo(parts.get(p).size());
      for (int bufferSize : new int[] {1, 64, 1 << 16}) {
        assertThat(readPartition(data, index, p, bufferSize)).as("partition %d, buffer %d", p, bufferSize)
            .containsExactlyElementsOf(parts.get(p));
      }
    }
  }

  @Test
  void writer_dataFile_hasTheDocumentedLayout() throws IOException {
    List<List<Rec>> parts = sampleRun();
    Path data = writeRun("run", parts);
    byte[] bytes = Files.readAllBytes(data);
    RunIndex index = RunIndex.read(RunWriter.indexOf(data));

    // Parse with an independent reader of "varint keyLength, varint valueLength, key, value".
    long offset = 0;
    for (int p = 0; p < parts.size(); p++) {
      assertThat(index.offsets()[p]).as("offset of partition %d", p).isEqualTo(offset);
      int pos = (int) offset;
      int end = (int) (offset + index.lengths()[p]);
      List<Rec> parsed = new ArrayList<>();
      while (pos < end) {
        int[] kl = readVarint(bytes, pos);
        int[] vl = readVarint(bytes, kl[1]);
        pos = vl[1];
        parsed.add(new Rec(p, Arrays.copyOfRange(bytes, pos, pos + kl[0]),
            Arrays.copyOfRange(bytes, pos + kl[0], pos + kl[0] + vl[0])));
        pos += kl[0] + vl[0];
      }
      assertThat(pos).isEqualTo(end);
      assertThat(parsed).containsExactlyElementsOf(parts.get(p));
      CRC32C crc = new CRC32C();
      crc.update(bytes, (int) offset, (int) index.lengths()[p]);
      assertThat(index.checksums()[p]).isEqualTo((int) crc.getValue());
      offset = end;
    }
    assertThat(offset).isEqualTo(bytes.length);
  }

  @Test
  void roundTrip_largeRecordsAndMultiByteVarints_readBackExactly() throws IOException {
    Random r = new Random(22);
    List<List<Rec>> parts = new ArrayList<>();
    List<Rec> p0 = new ArrayList<>();
    // Lengths on the edges of 1, 2 and 3 byte varints, and one larger than the reader's buffer.
    for (int len : new int[] {0, 127, 128, 16_383, 16_384, 200_000}) {
      byte[] key = new byte[Math.min(len, 300)];
      r.nextBytes(key);
      byte[] value = new byte[len];
      r.nextBytes(value);
      p0.add(new Rec(0, key, value));
    }
    parts.add(Rec.stableSorted(p0, Rec.BY_KEY));
    parts.add(List.of());
    parts.add(List.of(new Rec(2, new byte[0], new byte[0]), new Rec(2, new byte[0], new byte[0])));
    Path data = writeRun("big", parts);
    RunIndex index = RunIndex.read(RunWriter.indexOf(data));
    for (int p = 0; p < parts.size(); p++) {
      for (int bufferSize : new int[] {64, 4096, 1 << 20}) {
        assertThat(readPartition(data, index, p, bufferSize)).as("partition %d, buffer %d", p, bufferSize)
            .containsExactlyElementsOf(parts.get(p));
      }
    }
  }

  @Test
  void roundTrip_manyRunsOfRandomRecords_readBackExactly() throws IOException {
    for (int run = 0; run < 20; run++) {
      Random r = new Random(100 + run);
      int partitions = 1 + r.nextInt(6);
      List<Rec> records = Rec.stableSorted(Rec.random(r, r.nextInt(300), partitions), Rec.BY_PARTITION_THEN_KEY);
      List<List<Rec>> parts = new ArrayList<>();
      for (int p = 0; p < partitions; p++) {
        int fp = p;
        parts.add(records.stream().filter(x -> x.partition() == fp).toList());
      }
      Path data = writeRun("run-" + run, parts);
      RunIndex index = RunIndex.read(RunWriter.indexOf(data));
      assertThat(index.totalRecords()).isEqualTo(records.size());
      for (int p = 0; p < partitions; p++) {
        assertThat(readPartition(data, index, p, 64)).containsExactlyElementsOf(parts.get(p));
      }
    }
  }

  @Test
  void writer_noRecords_writesEveryPartitionEmpty() throws IOException {
    Path data = tmp.resolve("empty");
    try (RunWriter w = new RunWriter(data, 4)) {
      assertThat(w.written()).isZero();
    }
    RunIndex index = RunIndex.read(RunWriter.indexOf(data));
    assertThat(index.partitions()).isEqualTo(4);
    assertThat(index.totalRecords()).isZero();
    assertThat(Files.size(data)).isZero();
    for (int p = 0; p < 4; p++) {
      assertThat(readPartition(data, index, p, 64)).isEmpty();
    }
  }

  @Test
  void writer_partitionStartedOutOfOrder_isRefused() throws IOException {
    try (RunWriter w = new RunWriter(tmp.resolve("bad"), 3)) {
      w.startPartition(0);
      assertThatThrownBy(() -> w.startPartition(2)).isInstanceOf(IllegalStateException.class).hasMessageContaining("2");
      assertThatThrownBy(() -> w.startPartition(0)).isInstanceOf(IllegalStateException.class);
    }
  }

  @Test
  void index_writeThenRead_roundTrips() throws IOException {
    RunIndex index = new RunIndex(new long[] {0, 10, 10}, new long[] {10, 0, 5}, new long[] {2, 0, 1},
        new int[] {-1, 0, 0x12345678});
    Path file = tmp.resolve("x.index");
    index.write(file);
    RunIndex back = RunIndex.read(file);
    assertThat(back.offsets()).containsExactly(0, 10, 10);
    assertThat(back.lengths()).containsExactly(10, 0, 5);
    assertThat(back.records()).containsExactly(2, 0, 1);
    assertThat(back.checksums()).containsExactly(-1, 0, 0x12345678);
    assertThat(back.totalRecords()).isEqualTo(3);
  }

  @Test
  void segmentReader_anyCorruptedDataByte_failsThatPartitionWithIOException() throws IOException {
    List<List<Rec>> parts = sampleRun();
    Path data = writeRun("run", parts);
    RunIndex index = RunIndex.read(RunWriter.indexOf(data));
    byte[] good = Files.readAllBytes(data);

    for (int pos = 0; pos < good.length; pos++) {
      int partition = partitionOf(index, pos);
      for (int mask : new int[] {0x01, 0x80, 0xff, 0x7f}) {
        byte[] bad = good.clone();
        bad[pos] ^= (byte) mask;
        Files.write(data, bad);
        for (int p = 0; p < parts.size(); p++) {
          int fp = p;
          if (p == partition) {
            assertThatThrownBy(() -> readPartition(data, index, fp, 64))
                .as("byte %d ^ %02x in partition %d", pos, mask, p)
                .isInstanceOf(IOException.class)
                .hasMessageContaining(data.toString());
          } else {
            assertThat(readPartition(data, index, p, 64)).as("untouched partition %d", p)
                .containsExactlyElementsOf(parts.get(p));
          }
        }
      }
    }
  }

  @Test
  void segmentReader_corruptLengthClaimingGigabytes_failsWithIOException() throws IOException {
    Path data = tmp.resolve("huge-claim");
    try (RunWriter w = new RunWriter(data, 1)) {
      w.startPartition(0);
      w.append(new byte[] {1}, 0, 1, new byte[] {2}, 0, 1);
    }
    RunIndex index = RunIndex.read(RunWriter.indexOf(data));
    // Varints that claim a key of 2^28 - 1 bytes, and a negative length (the fifth byte's high bits).
    for (byte[] header : new byte[][] {{(byte) 0xff, (byte) 0xff, (byte) 0xff, 0x7f, 0},
        {(byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, 0x0f, 0}, {0, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, 0x0f},
        {(byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, 0x07, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, 0x07}}) {
      Files.write(data, header);
      RunIndex claimed = new RunIndex(new long[] {0}, new long[] {header.length}, index.records(), index.checksums());
      assertThatThrownBy(() -> readPartition(data, claimed, 0, 64))
          .as("header %s", Arrays.toString(header))
          .isInstanceOf(IOException.class);
    }
  }

  @Test
  void segmentReader_indexClaimingAnotherRecordCount_failsWithIOException() throws IOException {
    List<List<Rec>> parts = sampleRun();
    Path data = writeRun("run", parts);
    RunIndex index = RunIndex.read(RunWriter.indexOf(data));
    for (long delta : new long[] {-1, 1}) {
      long[] records = index.records().clone();
      records[4] += delta;
      RunIndex wrong = new RunIndex(index.offsets(), index.lengths(), records, index.checksums());
      assertThatThrownBy(() -> readPartition(data, wrong, 4, 64))
          .as("records %+d", delta)
          .isInstanceOf(IOException.class)
          .hasMessageContaining("partition 4");
    }
  }

  @Test
  void segmentReader_truncatedDataFile_failsPartitionsPastTheCutWithIOException() throws IOException {
    List<List<Rec>> parts = sampleRun();
    Path data = writeRun("run", parts);
    RunIndex index = RunIndex.read(RunWriter.indexOf(data));
    byte[] good = Files.readAllBytes(data);

    for (int size = 0; size < good.length; size++) {
      Files.write(data, Arrays.copyOf(good, size));
      for (int p = 0; p < parts.size(); p++) {
        int fp = p;
        boolean damaged = index.lengths()[p] > 0 && index.offsets()[p] + index.lengths()[p] > size;
        if (damaged) {
          assertThatThrownBy(() -> readPartition(data, index, fp, 64))
              .as("file cut to %d bytes, partition %d", size, p)
              .isInstanceOf(IOException.class);
        } else {
          assertThat(readPartition(data, index, p, 64)).containsExactlyElementsOf(parts.get(p));
        }
      }
    }
  }

  @Test
  void runIndex_anyCorruptedByte_failsReadWithIOException() throws IOException {
    Path data = writeRun("run", sampleRun());
    Path indexFile = RunWriter.indexOf(data);
    byte[] good = Files.readAllBytes(indexFile);
    for (int pos = 0; pos < good.length; pos++) {
      for (int mask : new int[] {0x01, 0x80, 0xff}) {
        byte[] bad = good.clone();
        bad[pos] ^= (byte) mask;
        Files.write(indexFile, bad);
        assertThatThrownBy(() -> RunIndex.read(indexFile))
            .as("byte %d ^ %02x", pos, mask)
            .isInstanceOf(IOException.class)
            .hasMessageContaining(indexFile.toString());
      }
    }
  }

  @Test
  void runIndex_partitionCountClaimingBillions_failsWithIOExceptionNotOutOfMemory() throws IOException {
    Path file = tmp.resolve("liar.index");
    new RunIndex(new long[] {0}, new long[] {0}, new long[] {0}, new int[] {0}).write(file);
    byte[] bytes = Files.readAllBytes(file);
    for (int n : new int[] {Integer.MAX_VALUE, -1, Integer.MIN_VALUE, 100_000_000}) {
      bytes[8] = (byte) (n >>> 24);
      bytes[9] = (byte) (n >>> 16);
      bytes[10] = (byte) (n >>> 8);
      bytes[11] = (byte) n;
      Files.write(file, bytes);
      assertThatThrownBy(() -> RunIndex.read(file)).as("count %d", n).isInstanceOf(IOException.class);
    }
  }

  @Test
  void runIndex_truncatedOrExtended_failsReadWithIOException() throws IOException {
    Path data = writeRun("run", sampleRun());
    Path indexFile = RunWriter.indexOf(data);
    byte[] good = Files.readAllBytes(indexFile);
    for (int size = 0; size < good.length; size++) {
      Files.write(indexFile, Arrays.copyOf(good, size));
      assertThatThrownBy(() -> RunIndex.read(indexFile)).as("cut to %d bytes", size).isInstanceOf(IOException.class);
    }
    Files.write(indexFile, Arrays.copyOf(good, good.length + 3));
    assertThatThrownBy(() -> RunIndex.read(indexFile)).as("trailing bytes").isInstanceOf(IOException.class);
  }

  @Test
  void runIndex_notAnIndex_failsReadNamingTheFile() throws IOException {
    Path file = Files.write(tmp.resolve("not.index"), "hello, this is not an index".getBytes());
    assertThatThrownBy(() -> RunIndex.read(file)).isInstanceOf(IOException.class).hasMessageContaining(file.toString());
  }

  // ---- the same, with runs stored in LZ4 blocks ----------------------------------------------

  /** Whether {@link #writeRun} writes LZ4 blocks; the compressed tests below set it. */
  private boolean compress;

  @Test
  void compressed_roundTrips_readBackExactly() throws IOException {
    compress = true;
    roundTrip_partitionsIncludingEmptyOnes_readBackExactly();
    roundTrip_largeRecordsAndMultiByteVarints_readBackExactly();
    roundTrip_manyRunsOfRandomRecords_readBackExactly();
    assertThat(RunIndex.read(RunWriter.indexOf(tmp.resolve("big"))).compressed()).isTrue();
  }

  @Test
  void compressed_repetitiveRecords_takeLessSpaceThanPlain() throws IOException {
    List<Rec> recs = new ArrayList<>();
    for (int i = 0; i < 5000; i++) {
      recs.add(new Rec(0, ("word" + (i % 50)).getBytes(java.nio.charset.StandardCharsets.UTF_8), new byte[8]));
    }
    List<List<Rec>> parts = List.of(Rec.stableSorted(recs, Rec.BY_KEY));
    Path plain = writeRun("plain", parts);
    compress = true;
    Path packed = writeRun("packed", parts);
    assertThat(Files.size(packed)).isLessThan(Files.size(plain) / 3);
    assertThat(readPartition(packed, RunIndex.read(RunWriter.indexOf(packed)), 0, 64))
        .containsExactlyElementsOf(parts.get(0));
  }

  @Test
  void compressed_anyCorruptedDataByte_failsThatPartitionWithIOException() throws IOException {
    compress = true;
    segmentReader_anyCorruptedDataByte_failsThatPartitionWithIOException();
  }

  // ---------------------------------------------------------------------------------------------

  private Path writeRun(String name, List<List<Rec>> parts) throws IOException {
    Path data = tmp.resolve(name);
    long total = 0;
    try (RunWriter w = new RunWriter(data, parts.size(), compress)) {
      // Stop short of the last empty partitions: close() must write them.
      int last = parts.size() - 1;
      while (last > 0 && parts.get(last).isEmpty()) {
        last--;
      }
      for (int p = 0; p <= last; p++) {
        w.startPartition(p);
        for (Rec rec : parts.get(p)) {
          w.append(rec.key(), 0, rec.key().length, rec.value(), 0, rec.value().length);
          total++;
        }
      }
      assertThat(w.written()).isEqualTo(total);
      assertThat(w.data()).isEqualTo(data);
    }
    assertThat(RunWriter.indexOf(data)).exists();
    return data;
  }

  private static List<Rec> readPartition(Path data, RunIndex index, int partition, int bufferSize) throws IOException {
    try (SegmentReader reader = new SegmentReader(data, index, partition, bufferSize)) {
      List<Rec> out = Rec.drain(reader, partition);
      assertThat(reader.next()).isFalse();
      return out;
    }
  }

  private static int partitionOf(RunIndex index, long pos) {
    for (int p = 0; p < index.partitions(); p++) {
      if (pos >= index.offsets()[p] && pos < index.offsets()[p] + index.lengths()[p]) {
        return p;
      }
    }
    throw new AssertionError("byte " + pos + " is in no partition");
  }

  /** Reads an unsigned LEB128 varint: returns {value, position after it}. */
  private static int[] readVarint(byte[] b, int pos) {
    int value = 0;
    for (int shift = 0; ; shift += 7) {
      int x = b[pos++] & 0xff;
      value |= (x & 0x7f) << shift;
      if (x < 0x80) {
        return new int[] {value, pos};
      }
    }
  }
}

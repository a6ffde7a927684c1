package io.mapreduce.internal.io;

import static io.mapreduce.internal.io.PairsFiles.readAll;
import static io.mapreduce.internal.io.PairsFiles.readSplits;
import static io.mapreduce.internal.io.PairsFiles.concat;
import static io.mapreduce.internal.io.PairsFiles.crc32c;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.mapreduce.internal.io.PairsFiles.Block;
import io.mapreduce.internal.io.PairsFiles.Layout;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;

/**
 * Damaged pairs files fail with an exception that names the file, the block's offset and the
 * fault; no damaged byte ever reads back as records.
 */
class PairsCorruptionTest {
  /** Three small blocks (flushed apart), so every kind of byte is a short walk away. */
  private static byte[] smallFile() throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (PairsWriter<String, Long> w = new PairsWriter<>(out, String.class, Long.class)) {
      w.write("alpha", 1L);
      w.write("beta", 200L);
      w.flush();
      w.write("gamma", 3L);
      w.flush();
      w.write("x".repeat(130), -4L);
    }
    return out.toByteArray();
  }

  @Test
  void flippedPayloadByte_failsNamingTheFileAndTheBlockOffset() throws IOException {
    byte[] file = smallFile();
    Block second = PairsFiles.parse(file).blocks().get(1);
    file[second.payloadOffset() + 3] ^= 0x20;

    CRC32C computed = new CRC32C();
    computed.update(file, second.payloadOffset(), second.payloadLength());

    Throwable t = catchThrowable(() -> readAll(file, String.class, Long.class));
    assertThat(t).isInstanceOf(CorruptPairsException.class).hasMessage(
        "test.pairs: corrupt pairs block at offset %d: CRC32C mismatch: stored %08x, computed %08x over %d payload bytes",
        second.offset(), second.crc(), (int) computed.getValue(), second.payloadLength());
    assertThat(((CorruptPairsException) t).file()).isEqualTo("test.pairs");
    assertThat(((CorruptPairsException) t).blockOffset()).isEqualTo(second.offset());
    // A split that starts past the first block finds the damaged one by its marker, and says so too.
    assertThatThrownBy(() -> readSplits(file, new long[] {second.offset() - 2, file.length}, String.class, Long.class))
        .isInstanceOf(CorruptPairsException.class).hasMessageContaining("at offset " + second.offset());
  }

  @Test
  void everySingleByteFlip_inTheBlocks_failsAsCorrupt_andInTheHeader_failsAtAll() throws IOException {
    byte[] good = smallFile();
    Layout layout = PairsFiles.parse(good);
    for (int at = 0; at < good.length; at++) {
      for (int mask : new int[] {0x01, 0x80, 0xff}) {
        byte[] file = good.clone();
        file[at] ^= (byte) mask;
        Throwable t = catchThrowable(() -> readAll(file, String.class, Long.class));
        if (at >= layout.headerLength()) {
          assertThat(t).as("flip %02x at %d", mask, at).isInstanceOf(CorruptPairsException.class)
              .hasMessageStartingWith("test.pairs: corrupt pairs block at offset ");
        } else {
          assertThat(t).as("flip %02x at %d", mask, at).isInstanceOfAny(IOException.class,
              IllegalArgumentException.class).hasMessageContaining("test.pairs");
        }
      }
    }
  }

  @Test
  void truncatedFile_failsInsideABlock_andReadsTheWholeBlocksAtABoundary() throws IOException {
    byte[] good = smallFile();
    Layout layout = PairsFiles.parse(good);
    Set<Integer> boundaries = layout.blocks().stream().map(Block::offset).collect(Collectors.toSet());
    List<PairsFiles.Pair> all = readAll(good, String.class, Long.class);
    for (int length = 1; length < good.length; length++) {
      byte[] file = Arrays.copyOf(good, length);
      if (length < layout.headerLength()) {
        assertThatThrownBy(() -> readAll(file, String.class, Long.class)).as("cut at %d", length)
            .isInstanceOf(IOException.class).hasMessage("test.pairs: truncated pairs header: the file ends inside it");
      } else if (boundaries.contains(length)) {
        int cut = length;
        int blocks = (int) layout.blocks().stream().filter(b -> b.offset() < cut).count();
        int records = layout.blocks().subList(0, blocks).stream().mapToInt(Block::count).sum();
        assertThat(readAll(file, String.class, Long.class)).as("cut at %d", length)
            .containsExactlyElementsOf(all.subList(0, records));
      } else {
        assertThatThrownBy(() -> readAll(file, String.class, Long.class)).as("cut at %d", length)
            .isInstanceOf(CorruptPairsException.class).hasMessageContaining("truncated block: the file ends");
      }
    }
  }

  @Test
  void notAPairsFile_failsSayingWhy() {
    assertThatThrownBy(() -> readAll(new byte[0], String.class, Long.class))
        .isInstanceOf(IOException.class).hasMessage("test.pairs: empty file, not a pairs file");
    assertThatThrownBy(() -> readAll("word\t1\n".getBytes(), String.class, Long.class))
        .isInstanceOf(IOException.class).hasMessage("test.pairs: not a pairs file (bad magic)");
    assertThatThrownBy(() -> PairsReader.readHeader(new ByteArrayInputStream("MRPAIRS\7rest".getBytes())))
        .isInstanceOf(IOException.class).hasMessage("pairs file of version 7; this library reads version 1");
  }

  @Test
  void checkTypes_otherTypes_failsNamingTheFileAndBothPairsOfTypes() throws IOException {
    byte[] file = smallFile();
    PairsFormat.Header header = PairsReader.readHeader(new ByteArrayInputStream(file));
    PairsReader.checkTypes(header, String.class, Long.class, "s3://b/x/mr-out-00000");
    assertThatThrownBy(() -> PairsReader.checkTypes(header, String.class, Integer.class, "s3://b/x/mr-out-00000"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("s3://b/x/mr-out-00000 holds pairs of (java.lang.String, java.lang.Long), not"
            + " (java.lang.String, java.lang.Integer) as the job expects");
    assertThatThrownBy(() -> readAll(file, Long.class, Long.class)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("test.pairs holds pairs of (java.lang.String, java.lang.Long), not");
  }

  // Blocks built by hand, with correct CRCs, whose structure is wrong.

  @Test
  void recordRunningPastItsBlock_failsAsCorrupt() {
    assertCorrupt(block(1, new byte[] {5, 0, 'a'}), "a record (key 5 bytes, value 0 bytes) runs past the block's end");
    assertCorrupt(block(1, new byte[] {1, (byte) 0x80}), "a record's header runs past the block's end");
  }

  @Test
  void lengthsTooLongAVarint_failAsCorrupt() {
    byte[] fiveBytes = {(byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, 0x7f};
    assertCorrupt(block(1, concat(fiveBytes, new byte[] {0, 0, 0, 0, 0})), "a record's length is too long a varint");
    assertCorrupt(concat(HEADER, SYNC, fiveBytes, new byte[] {2, 0, 0, 0, 0, 0, 0}),
        "its record count is too long a varint");
  }

  @Test
  void recordCountDisagreeingWithThePayload_failsAsCorrupt() {
    byte[] oneRecord = {1, 1, 'a', 10}; // "a" -> 5L, a zigzag varint
    assertCorrupt(block(2, oneRecord), "record count 2 in its header, but it holds 1");
    assertCorrupt(block(1, concat(oneRecord, oneRecord)), "record count 1 in its header, but more records follow");
    assertCorrupt(block(6, oneRecord), "its header claims 6 records in 4 bytes");
    assertCorrupt(block(0, new byte[0]), "its header claims 0 records in 0 bytes");
  }

  @Test
  void valueBytesOfAnotherType_failOnlyWhenDecoded_namingTheType() throws IOException {
    // A varint that never ends in its 4 bytes, then 12 bytes of which a Long's varint takes 1.
    byte[] file = block(2, new byte[] {1, 4, 'k', (byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80, 1, 12, 'k', 0, 0,
        0, 0, 0, 0, 0, 0, 0, 0, 0, 1});
    try (PairsReader<String, Long> r = PairsReader.open(new ByteArrayInputStream(file), "f.pairs", String.class,
        Long.class)) {
      assertThat(r.next()).isTrue();
      assertThat(r.key()).isEqualTo("k");
      assertThat(r.valueLength()).isEqualTo(4);
      assertThatThrownBy(r::value).isInstanceOf(CorruptPairsException.class)
          .hasMessageContaining("f.pairs: corrupt pairs block at offset")
          .hasMessageContaining("a value of 4 bytes does not decode as java.lang.Long");
      assertThat(r.next()).isTrue();
      assertThatThrownBy(r::value).isInstanceOf(CorruptPairsException.class)
          .hasMessageContaining("a value of 12 bytes decodes as java.lang.Long from only 1 of them");
    }
  }

  /** The header of an empty (String, Long) file, and its sync marker, for blocks built by hand. */
  private static final byte[] HEADER;
  private static final byte[] SYNC;

  static {
    try {
      HEADER = PairsFiles.write(String.class, Long.class, List.of(), List.of());
    } catch (IOException e) {
      throw new AssertionError(e);
    }
    SYNC = Arrays.copyOfRange(HEADER, HEADER.length - 16, HEADER.length);
  }

  /** A (String, Long) file of one hand-built block with a correct CRC (a payload under 128 bytes). */
  private static byte[] block(int count, byte[] payload) {
    return concat(HEADER, SYNC, new byte[] {(byte) count, (byte) payload.length}, crc32c(payload), payload);
  }

  private static void assertCorrupt(byte[] file, String problem) {
    assertThatThrownBy(() -> readAll(file, String.class, Long.class)).isInstanceOf(CorruptPairsException.class)
        .hasMessageStartingWith("test.pairs: corrupt pairs block at offset " + HEADER.length + ": " + problem);
  }
}

package io.mapreduce.internal.io;

import io.mapreduce.spi.InputSplit;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import io.mapreduce.spi.InputFile;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The line rule at split boundaries: however a file is cut into splits, the lines of the splits,
 * read in order, are the lines of the whole file, each once, with its byte offset and length.
 * Checked against {@link #oracleLines}, a plain scan of the whole file.
 */
class LineReaderTest {
  /** LineReader's buffer size; lines longer than this make it grow its buffer. */
  private static final int BUFFER = 64 << 10;

  @TempDir Path tmp;

  /** A line as the oracle or the reader sees it: where it starts, its bytes (terminator included), its text. */
  record Line(long offset, long bytes, String text) {}

  /**
   * The lines of a whole file: {@code \n}, {@code \r\n} and {@code \r} end a line; a final
   * unterminated line counts when it is not empty.
   */
  static List<Line> oracleLines(byte[] file) {
    List<Line> lines = new ArrayList<>();
    int start = 0;
    int i = 0;
    while (i < file.length) {
      byte b = file[i];
      if (b != '\n' && b != '\r') {
        i++;
        continue;
      }
      int textEnd = i;
      i++;
      if (b == '\r' && i < file.length && file[i] == '\n') {
        i++;
      }
      lines.add(new Line(start, i - start, new String(file, start, textEnd - start, UTF_8)));
      start = i;
    }
    if (start < file.length) {
      lines.add(new Line(start, file.length - start, new String(file, start, file.length - start, UTF_8)));
    }
    return lines;
  }

  static Stream<Arguments> trickyFiles() {
    return Stream.of(
        Arguments.of("empty", ""),
        Arguments.of("lf", "\n"),
        Arguments.of("cr", "\r"),
        Arguments.of("crlf", "\r\n"),
        Arguments.of("lfcr is two lines", "\n\r"),
        Arguments.of("only terminators", "\r\r\n\n\r\n\r\r\n\n\n\r"),
        Arguments.of("crlf pairs", "\r\n\r\n\r\n"),
        Arguments.of("no final newline", "abc"),
        Arguments.of("two lines no final newline", "abc\ndef"),
        Arguments.of("one char lines", "a\nb\rc\r\nd"),
        Arguments.of("mixed", "a\r\nbb\rccc\ndddd\r\n\r\neeeee\r\rf\n\ng"),
        Arguments.of("final cr", "first\r\nsecond\r"),
        Arguments.of("multi-byte", "h\u00e9llo\r\nw\u00f6rld\n\u00e9\r\u00e9\u00e9\n"),
        Arguments.of("non-BMP", "\ud835\udcb3\ud835\udcb3\r\n\r\n\ud835\udcb3\n\ud835\udcb3x\r\ud835\udcb3"),
        Arguments.of("CJK and emoji", "\u4e2d\u6587\r\u65e5\u672c\u8a9e\n\ud83d\ude00\r\n\u20ac\u00a3"),
        Arguments.of("blank lines around text", "\n\n  spaced  \n\t\ttabs\t\n\n"),
        Arguments.of("nul and high ascii", "a\0b\n\u007f\r\n\0"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("trickyFiles")
  void next_everySplitSize_linesOfAllSplitsEqualLinesOfFile(String name, String content) throws IOException {
    byte[] bytes = content.getBytes(UTF_8);
    Path file = write("in.txt", bytes);
    List<Line> expected = oracleLines(bytes);

    for (long splitSize = 1; splitSize <= bytes.length + 3; splitSize++) {
      assertThat(readSplits(file, splitSize))
          .as("%s, split size %d", name, splitSize)
          .containsExactlyElementsOf(expected);
    }
  }

  @Test
  void next_linesOfAllSplits_bytesSumToFileLength() throws IOException {
    byte[] bytes = "x\r\n\r\ry\n\u00e9\ud835\udcb3\r\n\nlast".getBytes(UTF_8);
    Path file = write("in.txt", bytes);
    for (long splitSize = 1; splitSize <= bytes.length + 1; splitSize++) {
      List<Line> lines = readSplits(file, splitSize);
      assertThat(lines.stream().mapToLong(Line::bytes).sum()).as("split size %d", splitSize).isEqualTo(bytes.length);
      // Lines are contiguous: each starts where the previous one ended.
      long expectedOffset = 0;
      for (Line l : lines) {
        assertThat(l.offset()).isEqualTo(expectedOffset);
        expectedOffset += l.bytes();
      }
    }
  }

  @Test
  void next_exampleFile_knownLinesAndOffsets() throws IOException {
    // A hand-written expectation, so the oracle itself is checked too.
    Path file = write("in.txt", "ab\r\nc\rd\n\ne".getBytes(UTF_8));
    assertThat(readSplits(file, 3)).containsExactly(
        new Line(0, 4, "ab"), new Line(4, 2, "c"), new Line(6, 2, "d"), new Line(8, 1, ""), new Line(9, 1, "e"));
    assertThat(oracleLines("ab\r\nc\rd\n\ne".getBytes(UTF_8))).isEqualTo(readSplits(file, 100));
  }

  @Test
  void next_crlfStraddlingSplitBoundary_lineReadOnce() throws IOException {
    // The \r is the last byte of split 0 and the \n the first of split 1.
    Path file = write("in.txt", "abc\r\ndef\n".getBytes(UTF_8));
    InputFile f = new InputFile(file.toString(), 9);
    List<Line> first = readSplit(new InputSplit(0, f, 0, 4));
    List<Line> second = readSplit(new InputSplit(1, f, 4, 5));
    assertThat(first).containsExactly(new Line(0, 5, "abc"));
    assertThat(second).containsExactly(new Line(5, 4, "def"));
  }

  @Test
  void next_splitOfOnlyTheLfOfACrlf_hasNoLines() throws IOException {
    Path file = write("in.txt", "a\r\nb".getBytes(UTF_8));
    InputFile f = new InputFile(file.toString(), 4);
    assertThat(readSplit(new InputSplit(1, f, 2, 1))).isEmpty();
    assertThat(readSplit(new InputSplit(2, f, 3, 1))).containsExactly(new Line(3, 1, "b"));
  }

  @Test
  void next_randomContent_everySplitSizeMatchesOracle() throws IOException {
    byte[][] alphabet = {{'a'}, {'b'}, {'\n'}, {'\r'}, "\u00e9".getBytes(UTF_8)};
    for (long seed = 1; seed <= 60; seed++) {
      Random random = new Random(seed);
      ByteArrayOutputStream content = new ByteArrayOutputStream();
      int tokens = random.nextInt(90);
      for (int i = 0; i < tokens; i++) {
        content.writeBytes(alphabet[random.nextInt(alphabet.length)]);
      }
      byte[] bytes = content.toByteArray();
      Path file = write("random-" + seed + ".txt", bytes);
      List<Line> expected = oracleLines(bytes);
      for (long splitSize = 1; splitSize <= bytes.length + 1; splitSize++) {
        assertThat(readSplits(file, splitSize))
            .as("seed %d, split size %d", seed, splitSize)
            .containsExactlyElementsOf(expected);
      }
    }
  }

  /**
   * Terminators at every position within an eight-byte word, among bytes that differ from
   * {@code \n} or {@code \r} by one bit or only in the high bit: what a scan for terminators that
   * reads words or vectors instead of bytes (tried, and not faster here) must not mistake.
   */
  @Test
  void next_terminatorsAtEveryPositionAmongNearMisses_matchOracle() throws IOException {
    byte[] nearMisses = {'a', 0, 0x09, 0x0b, 0x0c, 0x0e, 0x1a, 0x1d, (byte) 0x8a, (byte) 0x8d, (byte) 0xff, (byte) 0x80};
    for (long seed = 1; seed <= 40; seed++) {
      Random random = new Random(seed);
      ByteArrayOutputStream content = new ByteArrayOutputStream();
      for (int line = 0; line < 60; line++) {
        int length = random.nextInt(40);
        for (int i = 0; i < length; i++) {
          content.write(nearMisses[random.nextInt(nearMisses.length)]);
        }
        content.writeBytes(random.nextInt(4) == 0 ? new byte[] {'\r', '\n'} : new byte[] {random.nextBoolean() ? (byte) '\n' : (byte) '\r'});
      }
      byte[] bytes = content.toByteArray();
      Path file = write("near-" + seed + ".txt", bytes);
      List<Line> expected = oracleLines(bytes);
      for (long splitSize : new long[] {7, 64, 333, bytes.length + 1}) {
        assertThat(readSplits(file, splitSize)).as("seed %d, split size %d", seed, splitSize)
            .containsExactlyElementsOf(expected);
      }
    }
  }

  /**
   * Lines longer than the reader's buffer, and terminators placed on the buffer's edges. Cutting
   * at every byte of these files would open hundreds of thousands of readers, so the cuts are
   * chosen: a sweep of split sizes around the buffer size, and two-way cuts next to every
   * terminator and at the positions that put a terminator at the edge of a buffer.
   */
  static Stream<Arguments> longLineFiles() {
    byte[] growsTwice = concat(
        "short\n".getBytes(UTF_8), repeat('x', 70_000), "\r\n".getBytes(UTF_8),
        "tail\n".getBytes(UTF_8), repeat('y', 140_000));
    // With a split starting at 0 the buffer holds bytes [0, 65536): its last byte is the \r.
    byte[] crlfOnBufferEdge = concat(repeat('a', BUFFER - 1), "\r\n".getBytes(UTF_8), "b\nc".getBytes(UTF_8));
    byte[] crOnBufferEdge = concat(repeat('a', BUFFER - 1), "\rb\r".getBytes(UTF_8), repeat('c', BUFFER), "\n".getBytes(UTF_8));
    byte[] multiByte = concat(
        "\ud835\udcb3".repeat(20_000).getBytes(UTF_8), "\n".getBytes(UTF_8),
        "\u00e9".repeat(40_000).getBytes(UTF_8), "\r".getBytes(UTF_8), "\u4e2d".repeat(30_000).getBytes(UTF_8));
    return Stream.of(
        Arguments.of("line of 140000 bytes after one of 70000", growsTwice),
        Arguments.of("crlf on the buffer edge", crlfOnBufferEdge),
        Arguments.of("cr on the buffer edge", crOnBufferEdge),
        Arguments.of("long multi-byte lines", multiByte));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("longLineFiles")
  void next_linesLongerThanBuffer_chosenSplitSizesMatchOracle(String name, byte[] bytes) throws IOException {
    Path file = write("long.txt", bytes);
    List<Line> expected = oracleLines(bytes);
    assertThat(expected.stream().mapToLong(Line::bytes).max().orElseThrow()).isGreaterThan(BUFFER);

    TreeSet<Long> sizes = new TreeSet<>(List.of(97L, 1000L, 4096L, 32_768L, 70_001L, 100_000L,
        2L * BUFFER - 1, 2L * BUFFER, 2L * BUFFER + 1, bytes.length - 1L, (long) bytes.length, bytes.length + 1L));
    for (long s = BUFFER - 4; s <= BUFFER + 4; s++) {
      sizes.add(s);
    }
    for (long splitSize : sizes) {
      assertThat(readSplits(file, splitSize)).as("split size %d", splitSize).containsExactlyElementsOf(expected);
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("longLineFiles")
  void next_linesLongerThanBuffer_twoWayCutsNearTerminatorsMatchOracle(String name, byte[] bytes) throws IOException {
    Path file = write("long.txt", bytes);
    List<Line> expected = oracleLines(bytes);
    InputFile f = new InputFile(file.toString(), bytes.length);

    TreeSet<Long> cuts = new TreeSet<>(List.of(1L, 2L, (long) BUFFER, BUFFER + 1L, bytes.length - 1L));
    for (int i = 0; i < bytes.length; i++) {
      if (bytes[i] == '\n' || bytes[i] == '\r') {
        for (long d = -1; d <= 2; d++) {
          cuts.add(i + d);
          // A split starting at c buffers [c - 1, c - 1 + BUFFER): put the terminator on its edge.
          cuts.add(i + d - BUFFER + 1);
        }
      }
    }
    for (long cut : cuts) {
      if (cut <= 0 || cut >= bytes.length) {
        continue;
      }
      List<Line> lines = new ArrayList<>(readSplit(new InputSplit(0, f, 0, cut)));
      lines.addAll(readSplit(new InputSplit(1, f, cut, bytes.length - cut)));
      assertThat(lines).as("cut at %d", cut).containsExactlyElementsOf(expected);
    }
    // And all those cuts at once.
    List<Line> lines = new ArrayList<>();
    long start = 0;
    for (long cut : cuts) {
      if (cut > start && cut < bytes.length) {
        lines.addAll(readSplit(new InputSplit(0, f, start, cut - start)));
        start = cut;
      }
    }
    lines.addAll(readSplit(new InputSplit(0, f, start, bytes.length - start)));
    assertThat(lines).containsExactlyElementsOf(expected);
  }

  @Test
  void of_manyFiles_splitsCoverEachFileContiguouslyWithConsecutiveIndexes() throws IOException {
    Path dir = Files.createDirectory(tmp.resolve("many"));
    List<byte[]> contents = new ArrayList<>();
    for (Arguments a : trickyFiles().toList()) {
      contents.add(((String) a.get()[1]).getBytes(UTF_8));
    }
    for (int i = 0; i < contents.size(); i++) {
      Files.write(dir.resolve(String.format("part-%03d", i)), contents.get(i));
    }
    List<InputFile> files = LocalStorage.INSTANCE.listInputs(dir.toString());
    assertThat(files).hasSize(contents.size());

    for (long splitSize = 1; splitSize <= 12; splitSize++) {
      List<InputSplit> splits = InputSplit.of(files, splitSize);
      int next = 0;
      for (int fi = 0; fi < files.size(); fi++) {
        InputFile f = files.get(fi);
        assertThat(f.length()).isEqualTo(contents.get(fi).length);
        long expectedStart = 0;
        List<Line> lines = new ArrayList<>();
        do {
          InputSplit s = splits.get(next);
          assertThat(s.index()).isEqualTo(next);
          assertThat(s.file()).isEqualTo(f);
          assertThat(s.start()).isEqualTo(expectedStart);
          assertThat(s.length()).isBetween(f.length() == 0 ? 0L : 1L, splitSize);
          assertThat(s.end()).isEqualTo(s.start() + s.length());
          lines.addAll(readSplit(s));
          expectedStart = s.end();
          next++;
        } while (expectedStart < f.length());
        assertThat(expectedStart).isEqualTo(f.length());
        assertThat(lines).as("%s, split size %d", f.path(), splitSize)
            .containsExactlyElementsOf(oracleLines(contents.get(fi)));
      }
      assertThat(splits).hasSize(next);
    }
  }

  @Test
  void of_emptyFile_isOneEmptySplit() throws IOException {
    Path file = write("empty.txt", new byte[0]);
    List<InputSplit> splits = InputSplit.of(LocalStorage.INSTANCE.listInputs(file.toString()), 10);
    assertThat(splits).hasSize(1);
    assertThat(splits.get(0).start()).isZero();
    assertThat(splits.get(0).length()).isZero();
    assertThat(readSplit(splits.get(0))).isEmpty();
  }

  @Test
  void of_nonPositiveSplitSize_refused() {
    List<InputFile> files = List.of(new InputFile("x.txt", 5));
    assertThatThrownBy(() -> InputSplit.of(files, 0)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("splitSize");
  }

  @Test
  void of_fileOfExactlyTwoSplitSizes_isTwoSplits() throws IOException {
    Path file = write("in.txt", new byte[20]);
    List<InputSplit> splits = InputSplit.of(LocalStorage.INSTANCE.listInputs(file.toString()), 10);
    assertThat(splits).extracting(InputSplit::start, InputSplit::length)
        .containsExactly(tuple(0L, 10L), tuple(10L, 10L));
  }

  // ---------------------------------------------------------------------------------------------

  private Path write(String name, byte[] bytes) throws IOException {
    return Files.write(tmp.resolve(name), bytes);
  }

  /** Lines of all splits of a file, in split order, checking that each starts in its own split. */
  private static List<Line> readSplits(Path file, long splitSize) throws IOException {
    List<InputFile> files = LocalStorage.INSTANCE.listInputs(file.toString());
    assertThat(files).hasSize(1);
    List<Line> lines = new ArrayList<>();
    for (InputSplit split : InputSplit.of(files, splitSize)) {
      lines.addAll(readSplit(split));
    }
    return lines;
  }

  private static List<Line> readSplit(InputSplit split) throws IOException {
    List<Line> lines = new ArrayList<>();
    try (LineReader r = LineReader.open(LocalStorage.INSTANCE, split)) {
      while (r.next()) {
        assertThat(r.offset()).as("line start in split %s", split).isBetween(split.start(), split.end() - 1);
        lines.add(new Line(r.offset(), r.bytes(), r.line()));
      }
      assertThat(r.next()).as("next() after the end of %s", split).isFalse();
    }
    return lines;
  }

  private static byte[] repeat(char c, int n) {
    return String.valueOf(c).repeat(n).getBytes(UTF_8);
  }

  private static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] p : parts) {
      out.writeBytes(p);
    }
    return out.toByteArray();
  }
}

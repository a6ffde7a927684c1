package io.mapreduce.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;

import io.mapreduce.examples.Words;
import java.io.ByteArrayOutputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.io.Reader;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PlainWordCountBytesTest {
  /** Pieces of text: letters of 1 to 4 bytes, non-letters of each width, and bytes that are no UTF-8. */
  private static final byte[][] PIECES = {
      utf8("Hello"), utf8("w\u00f6rld"), utf8("\ud801\udc28\ud801\udc29"), utf8("x\ud835\udc33y"), utf8("na\u00efve"),
      utf8("\u0391\u0392\u0393"), utf8("\u65e5\u672c"), utf8(" "), utf8(", "), utf8("42"), utf8("\r\n"), utf8("\n"),
      utf8("\u00a0"), utf8("\u00ab\u00bb"), utf8("\u2014"), utf8("\ud83d\ude00"), utf8("_"), utf8("'"),
      {(byte) 0xFF}, {(byte) 0x80}, {(byte) 0xC0, (byte) 0x80}, {(byte) 0xC1, (byte) 0xBF},
      {(byte) 0xE0, (byte) 0x80, (byte) 0x80}, {(byte) 0xED, (byte) 0xA0, (byte) 0x80},
      {(byte) 0xF0, (byte) 0x80, (byte) 0x80, (byte) 0x80}, {(byte) 0xF4, (byte) 0x90, (byte) 0x80, (byte) 0x80},
      {(byte) 0xF5, (byte) 0x80}, {(byte) 0xE2, (byte) 0x82}, {(byte) 0xC3}, {(byte) 0xF0, (byte) 0x9D, (byte) 0x90},
      {(byte) 0xE6, (byte) 0x97},
      // Overlong forms of letters ('A' in 2, 3 and 4 bytes, U+00E9 in 3): letters only to a lax decoder.
      {(byte) 0xC1, (byte) 0x81}, {(byte) 0xE0, (byte) 0x81, (byte) 0x81},
      {(byte) 0xF0, (byte) 0x80, (byte) 0x81, (byte) 0x81}, {(byte) 0xE0, (byte) 0x83, (byte) 0xA9}};

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  /** The engine's way: each line decoded by new String(bytes, UTF_8), then the examples' tokenizer. */
  private static Map<String, Long> engineCounts(List<byte[]> files) {
    Map<String, Long> m = new HashMap<>();
    for (byte[] file : files) {
      int start = 0;
      for (int i = 0; i <= file.length; i++) {
        if (i == file.length || file[i] == '\n') {
          Words.forEach(new String(file, start, i - start, StandardCharsets.UTF_8), w -> m.merge(w, 1L, Long::sum));
          start = i + 1;
        }
      }
    }
    return m;
  }

  /** PlainWordCount's: a UTF-8 Reader over each whole file. */
  private static Map<String, Long> plainCounts(List<Path> files) throws Exception {
    PlainWordCount wc = new PlainWordCount();
    for (Path f : files) {
      try (Reader r = new InputStreamReader(Files.newInputStream(f), StandardCharsets.UTF_8)) {
        wc.count(r, PlainWordCount.BUFFER_CHARS);
      }
    }
    return wc.counts();
  }

  private static byte[] randomText(long seed, int pieces) {
    Random random = new Random(seed);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (int i = 0; i < pieces; i++) {
      out.writeBytes(PIECES[random.nextInt(PIECES.length)]);
    }
    return out.toByteArray();
  }

  private static List<Path> write(Path dir, List<byte[]> contents) throws Exception {
    Files.createDirectories(dir);
    List<Path> files = new ArrayList<>();
    for (int i = 0; i < contents.size(); i++) {
      files.add(Files.write(dir.resolve("f" + i), contents.get(i)));
    }
    return files;
  }

  @Test
  void count_mixedAndInvalidUtf8_findsTheEnginesAndPlainWordCountsWords(@TempDir Path dir) throws Exception {
    for (long seed = 1; seed <= 20; seed++) {
      List<byte[]> contents = List.of(randomText(seed, 3000), randomText(seed + 100, 50), new byte[0],
          randomText(seed + 200, 1));
      List<Path> files = write(dir.resolve("s" + seed), contents);
      Map<String, Long> expected = engineCounts(contents);
      assertThat(plainCounts(files)).as("the oracles agree, seed %d", seed).isEqualTo(expected);
      // Small pieces and buffers: cuts, refills and grown buffers fall everywhere.
      for (int threads : new int[] {1, 2, 3}) {
        for (int chunk : new int[] {1, 7, 100, 1 << 20}) {
          for (int buffer : new int[] {4, 5, 13, 1 << 16}) {
            assertThat(PlainWordCountBytes.count(files, threads, chunk, buffer).counts())
                .as("seed %d, %d threads, pieces of %d, buffer of %d", seed, threads, chunk, buffer)
                .isEqualTo(expected);
          }
        }
      }
    }
  }

  @Test
  void run_generatedText_writesWhatPlainWordCountWrites(@TempDir Path dir) throws Exception {
    Path input = Files.createDirectories(dir.resolve("input"));
    for (int f = 0; f < 3; f++) {
      ByteArrayOutputStream text = new ByteArrayOutputStream();
      new GenerateText(f + 1, 500, 1.0).write(0, 300_000, text);
      Files.write(input.resolve("text-" + f + ".txt"), text.toByteArray());
    }
    Path bytesOut = dir.resolve("bytes.txt");
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int rc = PlainWordCountBytes.run(new String[] {"--threads", "2", "--output", bytesOut.toString(),
        input.toString()}, System.out, new PrintStream(err, true, StandardCharsets.UTF_8));
    assertThat(rc).as(err.toString(StandardCharsets.UTF_8)).isZero();

    PlainWordCount plain = new PlainWordCount();
    for (Path f : PlainWordCount.listInputs(List.of(input))) {
      try (Reader r = new InputStreamReader(Files.newInputStream(f), StandardCharsets.UTF_8)) {
        plain.count(r, PlainWordCount.BUFFER_CHARS);
      }
    }
    StringWriter expected = new StringWriter();
    plain.writeSorted(expected);
    assertThat(expected.toString()).contains("\u00e9"); // the generated text has multi-byte letters
    assertThat(Files.readString(bytesOut)).isEqualTo(expected.toString());
  }

  @Test
  void run_badThreads_saysWhichArgument() {
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int rc = PlainWordCountBytes.run(new String[] {"--threads", "0", "x"}, System.out,
        new PrintStream(err, true, StandardCharsets.UTF_8));
    assertThat(rc).isEqualTo(2);
    assertThat(err.toString(StandardCharsets.UTF_8)).contains("--threads");
  }
}

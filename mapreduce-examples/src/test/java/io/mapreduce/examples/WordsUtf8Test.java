package io.mapreduce.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The tokenizer over bytes finds the words the tokenizer over the decoded String finds. */
class WordsUtf8Test {
  private static List<String> overBytes(byte[] b, int start, int end) {
    List<String> words = new ArrayList<>();
    Words.forEachUtf8(b, start, end, (bytes, s, l) -> words.add(new String(bytes, s, l, StandardCharsets.UTF_8)));
    return words;
  }

  private static List<String> overString(byte[] b, int start, int end) {
    List<String> words = new ArrayList<>();
    Words.forEach(new String(b, start, end - start, StandardCharsets.UTF_8), words::add);
    return words;
  }

  @Test
  void forEachUtf8_equalsForEachOfTheDecodedText_onRandomBytes() {
    Random random = new Random(17);
    // Letters and non-letters of every length, surrogates' encodings, overlongs, stray bytes.
    String[] pieces = {"a", "Z", "é", "ß", "ΩÆ", "中文", "𐌺𐌱", "𝔘", "١", "ǅ", " ", ".", "-", "1", "\t", "€", "　", "\u00ad",
        "\u0301", "\ufeff"};
    int[][] raw = {{0xc3}, {0xe4, 0xb8}, {0xf0, 0x90, 0x8c}, {0xc0, 0xaf}, {0xe0, 0x80, 0xaf}, {0xed, 0xa0, 0x80},
        {0xf4, 0x90, 0x80, 0x80}, {0xf5}, {0xff}, {0x80}, {0xbf, 0xbf},
        // Overlong forms of letters: "A" in three and four bytes, which must not read as letters.
        {0xe0, 0x81, 0x81}, {0xf0, 0x80, 0x81, 0x81}, {0xe0, 0x83, 0xa9}};
    int words = 0;
    for (int n = 0; n < 20_000; n++) {
      java.io.ByteArrayOutputStream text = new java.io.ByteArrayOutputStream();
      int parts = random.nextInt(12);
      for (int p = 0; p < parts; p++) {
        if (random.nextInt(4) == 0) {
          for (int x : raw[random.nextInt(raw.length)]) {
            text.write(x);
          }
        } else {
          text.writeBytes(pieces[random.nextInt(pieces.length)].getBytes(StandardCharsets.UTF_8));
        }
      }
      byte[] b = text.toByteArray();
      int start = b.length == 0 ? 0 : random.nextInt(Math.min(2, b.length) + 1);
      int end = Math.max(start, b.length - random.nextInt(2));
      List<String> expected = overString(b, start, end);
      assertThat(overBytes(b, start, end)).as(java.util.HexFormat.of().formatHex(b, start, end)).isEqualTo(expected);
      words += expected.size();
    }
    assertThat(words).isGreaterThan(20_000);
  }
}

package io.mapreduce.internal.codec;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.Test;

class Utf8Test {
  /** The oracle: Java's own decoder, told to report malformed input instead of replacing it. */
  private static boolean javaDecodes(byte[] b, int offset, int length) {
    try {
      StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(b, offset, length));
      return true;
    } catch (CharacterCodingException e) {
      return false;
    }
  }

  @Test
  void isWellFormed_agreesWithJavasDecoder_onRandomAndEdgeBytes() {
    Random random = new Random(11);
    // Lead bytes at every boundary of table 3-7, continuation bytes at theirs.
    int[] interesting = {0x00, 0x41, 0x7f, 0x80, 0xbf, 0xc0, 0xc1, 0xc2, 0xdf, 0xe0, 0xe1, 0xec, 0xed, 0xee, 0xef,
        0xf0, 0xf1, 0xf3, 0xf4, 0xf5, 0xff, 0x8f, 0x90, 0x9f, 0xa0};
    int valid = 0;
    for (int i = 0; i < 300_000; i++) {
      byte[] b = new byte[2 + random.nextInt(6)];
      for (int j = 0; j < b.length; j++) {
        b[j] = (byte) (random.nextBoolean() ? interesting[random.nextInt(interesting.length)] : random.nextInt(256));
      }
      int offset = random.nextInt(2);
      int length = random.nextInt(b.length - offset + 1);
      boolean expected = javaDecodes(b, offset, length);
      assertThat(Utf8.isWellFormed(b, offset, length)).as("%s", java.util.HexFormat.of().formatHex(b, offset,
          offset + length)).isEqualTo(expected);
      valid += expected ? 1 : 0;
    }
    assertThat(valid).isGreaterThan(10_000);
    assertThat(Utf8.isWellFormed("Über 𐌺 ok".getBytes(StandardCharsets.UTF_8), 0, 12)).isTrue();
  }
}

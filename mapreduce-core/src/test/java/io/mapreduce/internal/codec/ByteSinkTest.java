package io.mapreduce.internal.codec;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * {@link ByteSink#writeUtf8} writes exactly what {@link String#getBytes} with UTF-8 gives (the
 * oracle), for short strings (its own encoder) and long ones (the JDK's), with every UTF-8 length
 * class, surrogate pairs, unpaired surrogates and pairs cut by the string's end.
 */
class ByteSinkTest {
  @Test
  void writeUtf8_anyString_writesTheBytesOfGetBytes() {
    Random random = new Random(5);
    char[] alphabet = {'a', 'Z', '\0', '\u007f', '\u0080', '\u00e9', '\u07ff', '\u0800', '\u20ac', '\ud7ff',
        '\ue000', '\uffff', '\ud801', '\udc37', '\udbff', '\udfff'};
    ByteSink sink = new ByteSink(1);
    for (int round = 0; round < 20_000; round++) {
      int length = random.nextInt(round % 10 == 0 ? 100 : 40);
      char[] chars = new char[length];
      for (int i = 0; i < length; i++) {
        chars[i] = alphabet[random.nextInt(alphabet.length)];
      }
      String s = new String(chars);
      sink.clear();
      sink.writeByte(7); // the string is appended after what is there
      sink.writeUtf8(s);
      byte[] expected = s.getBytes(StandardCharsets.UTF_8);
      assertThat(Arrays.copyOfRange(sink.array(), 1, sink.length())).as("%s", s.chars().boxed().toList())
          .isEqualTo(expected);
      assertThat(sink.array()[0]).isEqualTo((byte) 7);
    }
  }

  @Test
  void writeLong_isBigEndian() {
    ByteSink sink = new ByteSink(1);
    sink.writeLong(0x0102030405060708L);
    sink.writeLong(-1L);
    assertThat(Arrays.copyOf(sink.array(), sink.length()))
        .containsExactly(1, 2, 3, 4, 5, 6, 7, 8, -1, -1, -1, -1, -1, -1, -1, -1);
  }
}

package io.mapreduce.internal.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Long values as zigzag varints: every long round-trips, small ones are short, keys never use it. */
class VarLongCodecTest {
  @Test
  void values_roundTripWithTheSizeTheyClaim_andSmallOnesTakeOneByte() {
    Codec<Long> codec = Codecs.forValue(Long.class);
    List<Long> values = new ArrayList<>(List.of(0L, 1L, -1L, 63L, -64L, 64L, -65L, Long.MAX_VALUE, Long.MIN_VALUE,
        Integer.MAX_VALUE + 1L, Integer.MIN_VALUE - 1L));
    Random r = new Random(3);
    for (int i = 0; i < 10_000; i++) {
      values.add(r.nextLong() >> r.nextInt(64));
    }
    ByteSource source = new ByteSource();
    for (long v : values) {
      ByteSink sink = new ByteSink(4);
      codec.write(v, sink, false);
      assertThat(sink.length()).as("size of %s", v).isEqualTo(codec.encodedSize(v)).isBetween(1, 10);
      assertThat(codec.decode(source, sink.array(), 0, sink.length())).isEqualTo(v);
    }
    ByteSink one = new ByteSink(4);
    codec.write(1L, one, false);
    assertThat(one.length()).isEqualTo(1);
    assertThat(codec.isOrdered()).isFalse();
    assertThat(codec.isValueLike()).isTrue();
    assertThat(Codecs.forKey(Long.class).isOrdered()).isTrue();
  }

  @Test
  void aVarintThatNeverEnds_isRefused() {
    byte[] endless = new byte[11];
    java.util.Arrays.fill(endless, (byte) 0x80);
    assertThatThrownBy(() -> Codecs.forValue(Long.class).decode(new ByteSource(), endless, 0, endless.length))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("more than 10 bytes");
  }
}

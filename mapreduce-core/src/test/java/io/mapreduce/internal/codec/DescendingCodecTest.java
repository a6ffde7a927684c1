package io.mapreduce.internal.codec;

import static org.assertj.core.api.Assertions.assertThat;

import io.mapreduce.Descending;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Decreasing encodings: byte order is the reverse of the natural order, and values round-trip. */
class DescendingCodecTest {
  /** Encodings sort as {@code expected} orders the values, and decode to them. */
  private static <T> void assertOrder(Codec<T> codec, List<T> values, Comparator<T> expected) {
    List<byte[]> encoded = new ArrayList<>();
    ByteSource source = new ByteSource();
    for (T v : values) {
      ByteSink sink = new ByteSink(16);
      codec.write(v, sink, false);
      byte[] bytes = Arrays.copyOf(sink.array(), sink.length());
      encoded.add(bytes);
      assertThat(codec.decode(source, bytes, 0, bytes.length)).isEqualTo(v);
    }
    List<Integer> byBytes = new ArrayList<>();
    List<Integer> byOracle = new ArrayList<>();
    for (int i = 0; i < values.size(); i++) {
      byBytes.add(i);
      byOracle.add(i);
    }
    byBytes.sort((a, b) -> Arrays.compareUnsigned(encoded.get(a), encoded.get(b)));
    byOracle.sort((a, b) -> expected.compare(values.get(a), values.get(b)));
    assertThat(byBytes.stream().map(values::get).toList()).isEqualTo(byOracle.stream().map(values::get).toList());
  }

  @Test
  void strings_withPrefixesAndZeroBytes_sortInDecreasingUtf8Order() {
    Random r = new Random(1);
    String alphabet = "ab\u0000\u00ff\u00e9\uD835\uDCB3";
    List<String> values = new ArrayList<>(List.of("", "a", "ab", "abc", "b", "\u0000", "a\u0000"));
    while (values.size() < 500) {
      StringBuilder b = new StringBuilder();
      int n = r.nextInt(5);
      for (int i = 0; i < n; i++) {
        int at = r.nextInt(alphabet.length() - 1);
        b.append(Character.isHighSurrogate(alphabet.charAt(at)) ? alphabet.substring(at, at + 2) : alphabet.charAt(at));
      }
      if (!values.contains(b.toString())) {
        values.add(b.toString());
      }
    }
    Comparator<String> utf8 = (a, b) -> Arrays.compareUnsigned(a.getBytes(StandardCharsets.UTF_8),
        b.getBytes(StandardCharsets.UTF_8));
    assertOrder(Codecs.descending(Codecs.forKey(String.class)), values, utf8.reversed());
  }

  @Test
  void numbers_decreasing() {
    Random r = new Random(2);
    List<Long> longs = new ArrayList<>(List.of(Long.MIN_VALUE, Long.MAX_VALUE, 0L, -1L, 1L));
    List<Double> doubles = new ArrayList<>(List.of(-0.0, 0.0, Double.NEGATIVE_INFINITY, Double.MAX_VALUE, -1e300));
    for (int i = 0; i < 300; i++) {
      longs.add(r.nextLong());
      doubles.add(r.nextGaussian() * 1e6);
    }
    assertOrder(Codecs.descending(Codecs.forKey(Long.class)), longs.stream().distinct().toList(),
        Comparator.<Long>naturalOrder().reversed());
    assertOrder(Codecs.descending(Codecs.forKey(Double.class)), doubles.stream().distinct().toList(),
        Comparator.<Double>naturalOrder().reversed());
  }

  public record Event(String user, @Descending long time, int seq) {}

  @Test
  void recordWithADescendingComponent_userAscendingThenTimeDescendingThenSeqAscending() {
    Random r = new Random(3);
    List<Event> events = new ArrayList<>();
    String[] users = {"", "a", "ab", "b", "\u0000"};
    for (int i = 0; i < 400; i++) {
      Event e = new Event(users[r.nextInt(users.length)], r.nextInt(20) - 10, r.nextInt(3));
      if (!events.contains(e)) {
        events.add(e);
      }
    }
    Codec<Event> codec = Codecs.forKey(Event.class);
    Comparator<Event> natural = Comparator.<Event, byte[]>comparing(e -> e.user().getBytes(StandardCharsets.UTF_8),
        Arrays::compareUnsigned).thenComparing(Event::time, Comparator.reverseOrder()).thenComparing(Event::seq);
    // The record's own order: user ascending, time descending, seq ascending; sortDescending reverses it all.
    assertOrder(codec, events, natural);
    assertOrder(Codecs.descending(codec), events, natural.reversed());
    // Reversed component by component, the bytes are the whole encoding's flipped.
    for (Event e : events) {
      byte[] up = encode(codec, e);
      byte[] down = encode(Codecs.descending(codec), e);
      for (int i = 0; i < up.length; i++) {
        up[i] = (byte) ~up[i];
      }
      assertThat(down).isEqualTo(up);
    }
    int prefix = Codecs.prefixLength(codec, 1, new ByteSource(), encode(codec, events.get(0)), 0,
        encode(codec, events.get(0)).length);
    ByteSink userOnly = new ByteSink(8);
    Codecs.forKey(String.class).write(events.get(0).user(), userOnly, true);
    assertThat(prefix).isEqualTo(userOnly.length());
  }

  private static byte[] encode(Codec<Event> codec, Event e) {
    ByteSink s = new ByteSink(16);
    codec.write(e, s, false);
    return Arrays.copyOf(s.array(), s.length());
  }
}

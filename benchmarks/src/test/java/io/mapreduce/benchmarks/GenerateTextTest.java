package io.mapreduce.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class GenerateTextTest {

  private static byte[] generate(long seed, int index, long limit) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    new GenerateText(seed, 1000, 1.0).write(index, limit, out);
    return out.toByteArray();
  }

  @Test
  void write_sameSeed_sameBytes_otherSeedOrFile_otherBytes() throws Exception {
    byte[] a = generate(1, 0, 100_000);
    assertThat(generate(1, 0, 100_000)).isEqualTo(a);
    assertThat(generate(2, 0, 100_000)).isNotEqualTo(a);
    assertThat(generate(1, 1, 100_000)).isNotEqualTo(a);
  }

  @Test
  void write_endsAtALineEnd_withinTheLimit() throws Exception {
    byte[] a = generate(1, 0, 100_000);
    assertThat(a.length).isLessThanOrEqualTo(100_000).isGreaterThan(95_000);
    assertThat(a[a.length - 1]).isEqualTo((byte) '\n');
  }

  @Test
  void write_validUtf8_withSupplementaryAndAccentedLetters() throws Exception {
    byte[] a = generate(1, 0, 500_000);
    String text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
        .decode(ByteBuffer.wrap(a)).toString();
    assertThat(text.codePoints().anyMatch(cp -> cp > 0xFFFF && Character.isLetter(cp))).isTrue();
    assertThat(text).contains("\r\n").containsPattern("[éèêëàâäîïôöùûüçñøåæœß]");
  }

  @Test
  void vocabulary_distinctLetterOnlyWords_shortestFirst() {
    List<String> words = Vocabulary.synthesize(5000, 1, Vocabulary.Alphabet.MIXED);
    assertThat(words).hasSize(5000).doesNotHaveDuplicates();
    assertThat(words).allMatch(w -> w.codePoints().allMatch(Character::isLetter));
    assertThat(words.get(0).codePointCount(0, words.get(0).length()))
        .isLessThanOrEqualTo(words.get(4999).codePointCount(0, words.get(4999).length()));
    assertThat(Vocabulary.synthesize(5000, 1, Vocabulary.Alphabet.ASCII))
        .allMatch(w -> w.chars().allMatch(c -> c < 128));
  }

  @Test
  void parseSize_binaryUnits() {
    assertThat(GenerateText.parseSize("256m")).isEqualTo(256L << 20);
    assertThat(GenerateText.parseSize("2MiB")).isEqualTo(2L << 20);
    assertThat(GenerateText.parseSize("1000")).isEqualTo(1000);
    assertThatThrownBy(() -> GenerateText.parseSize("lots")).isInstanceOf(IllegalArgumentException.class);
  }
}

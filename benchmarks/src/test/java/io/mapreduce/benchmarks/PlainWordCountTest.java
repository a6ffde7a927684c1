package io.mapreduce.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;

import io.mapreduce.examples.Words;
import java.io.StringReader;
import java.io.StringWriter;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PlainWordCountTest {
  /** Words across buffer ends, surrogate pairs split by a read, lone surrogates, a final word. */
  private static final String TRICKY = "Hello, wörld! 𐐨𐐩𐐪 x𝐳y 42 naïve\r\nend_of-line \uD800 lone \uDC00 \u00a0"
      + "l'été «ça» ΑΒΓ δε 𐌰𐍁𐌱 longwordlongwordlongword\n\nlast";

  private static Map<String, Long> oracle(String text) {
    Map<String, Long> m = new HashMap<>();
    Words.forEach(text, w -> m.merge(w, 1L, Long::sum));
    return m;
  }

  @Test
  void count_anyBufferSize_agreesWithTheExamplesTokenizer() throws Exception {
    Map<String, Long> expected = oracle(TRICKY);
    for (int size = 2; size <= TRICKY.length() + 1; size++) {
      PlainWordCount wc = new PlainWordCount();
      wc.count(new StringReader(TRICKY), size);
      assertThat(wc.counts()).as("buffer of %d chars", size).isEqualTo(expected);
    }
  }

  @Test
  void count_generatedText_agreesWithTheExamplesTokenizer() throws Exception {
    var out = new java.io.ByteArrayOutputStream();
    new GenerateText(3, 500, 1.0).write(0, 200_000, out);
    String text = out.toString(java.nio.charset.StandardCharsets.UTF_8);
    PlainWordCount wc = new PlainWordCount();
    wc.count(new StringReader(text), 1000);
    assertThat(wc.counts()).isEqualTo(oracle(text));
  }

  @Test
  void writeSorted_ordersByCodePoint_likeUtf8Bytes() throws Exception {
    PlainWordCount wc = new PlainWordCount();
    // U+FF41 (fullwidth a) is one UTF-16 unit above the surrogates, but its code point is below U+10428.
    wc.count(new StringReader("b \uFF41 𐐨 a b"), 64);
    StringWriter w = new StringWriter();
    wc.writeSorted(w);
    assertThat(w.toString()).isEqualTo("a\t1\nb\t2\n\uFF41\t1\n𐐨\t1\n");
  }
}

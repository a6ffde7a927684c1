package io.mapreduce.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class KeyedLinesTest {

  private static List<String> generate(long seed, int index, long limit) throws Exception {
    GenerateText text = new GenerateText(seed, 1000, 1.0);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    long written = new KeyedLines(text.words, text.zipf, seed).write(index, limit, out);
    assertThat(written).isEqualTo(out.size()).isLessThanOrEqualTo(limit).isGreaterThan(limit - 200);
    return out.toString(StandardCharsets.UTF_8).lines().toList();
  }

  @Test
  void write_threeFields_secondANumberAsSortReadsIt_inAllItsForms() throws Exception {
    List<String> lines = generate(1, 0, 1_000_000);
    assertThat(lines).allMatch(l -> l.matches("[^\t\n]+\t-?[0-9]*(\\.[0-9]+)?\t[^\t]{10,120}"));
    List<String> numbers = lines.stream().map(l -> l.split("\t")[1]).toList();
    assertThat(numbers).contains("0", "-0", "0.0")
        .anyMatch(n -> n.matches("-[1-9][0-9]{17,}"))
        .anyMatch(n -> n.matches("0[0-9]+"))
        .anyMatch(n -> n.matches("\\.[0-9]+"))
        .anyMatch(n -> n.matches("[0-9]+\\.[0-9]*0"));
  }

  @Test
  void write_linesWithTheSameKey_areTheSameLine_andKeysRepeat() throws Exception {
    Map<String, String> lineOfKey = new HashMap<>();
    int repeats = 0;
    for (String line : generate(1, 0, 2_000_000)) {
      String key = line.substring(0, line.lastIndexOf('\t'));
      String before = lineOfKey.put(key, line);
      if (before != null) {
        assertThat(line).isEqualTo(before);
        repeats++;
      }
    }
    assertThat(repeats).isGreaterThan(100);
  }

  @Test
  void write_sameSeed_sameBytes_otherFile_otherBytes() throws Exception {
    assertThat(generate(1, 0, 50_000)).isEqualTo(generate(1, 0, 50_000)).isNotEqualTo(generate(1, 1, 50_000));
  }
}

package io.mapreduce.lib.streaming;

import static org.assertj.core.api.Assertions.assertThat;

import io.mapreduce.MapReduce;
import io.mapreduce.MapReduceSpecification;
import io.mapreduce.format.InputFormat;
import io.mapreduce.lib.streaming.StreamingMapper.InputRecords;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * What a streaming mapper reads for each of Hadoop's input records, through {@code cat} in a
 * map-only job, against records computed here from the file's bytes as Hadoop's record readers
 * cut them (line ends dropped, \n, \r\n or \r).
 */
class StreamingInputRecordsTest {
  /** Tabs, none, two, an empty line, CRLF and CR ends, a last line without an end. */
  static final String TEXT = "alpha\tone\nbeta\r\n\ngamma\ttwo\tthree\r\ndelta=4\repsilon\t\nlast\tline";

  @TempDir Path dir;

  /** Hadoop's records of TEXT: offset of each line and its content. */
  private static List<long[]> lineSpans(byte[] b) {
    List<long[]> spans = new ArrayList<>();
    int start = 0;
    int i = 0;
    while (i < b.length) {
      if (b[i] == '\n' || b[i] == '\r') {
        spans.add(new long[] {start, i});
        i += b[i] == '\r' && i + 1 < b.length && b[i + 1] == '\n' ? 2 : 1;
        start = i;
      } else {
        i++;
      }
    }
    if (start < b.length) {
      spans.add(new long[] {start, b.length});
    }
    return spans;
  }

  private static List<String> expected(InputRecords records, String kvSeparator, String fieldSeparator) {
    byte[] b = TEXT.getBytes(StandardCharsets.US_ASCII);
    List<String> out = new ArrayList<>();
    for (long[] span : lineSpans(b)) {
      String line = new String(b, (int) span[0], (int) (span[1] - span[0]), StandardCharsets.US_ASCII);
      int at = line.indexOf(kvSeparator);
      String key = at < 0 ? line : line.substring(0, at);
      String value = at < 0 ? "" : line.substring(at + kvSeparator.length());
      out.add(switch (records) {
        case LINES -> line;
        case OFFSETS_AND_LINES -> span[0] + fieldSeparator + line;
        case KEYS_AND_VALUES -> key + fieldSeparator + value;
        case VALUES -> value;
      });
    }
    return out;
  }

  private List<String> run(StreamingMapper mapper, InputFormat<Long, String> format, String name) throws Exception {
    Path input = dir.resolve("in.txt");
    Files.writeString(input, TEXT);
    Path out = dir.resolve(name);
    var spec = MapReduceSpecification.builder().mapper(mapper).inputFormat(format).input(input.toString())
        .output(out.toString()).workDirectory(dir.resolve("work")).reduceTasks(0).maxTaskAttempts(1).build();
    var result = MapReduce.exec(spec).get(60, TimeUnit.SECONDS);
    List<String> lines = new ArrayList<>();
    for (var f : result.outputFiles()) {
      // The files in split order: the records in input order.
      lines.addAll(List.of(Files.readString(Path.of(f)).split("\n", -1)));
      lines.remove(lines.size() - 1);
    }
    return lines;
  }

  @ParameterizedTest
  @EnumSource(InputRecords.class)
  void inputRecords_throughCat_areHadoopsRecords(InputRecords records) throws Exception {
    // Bytes-exact (LINES keeps the file's line ends): compared as lines with the ends dropped.
    StreamingMapper mapper = StreamingMapper.builder(StreamingProgram.of("cat")).inputRecords(records).build();
    List<String> got = run(mapper, InputFormat.text(), "text-" + records);
    if (records == InputRecords.LINES) {
      got = got.stream().map(l -> l.endsWith("\r") ? l.substring(0, l.length() - 1) : l).toList();
      // cat passes the lone \r through: that line holds two of Hadoop's.
      assertThat(String.join("\n", got).replace('\r', '\n')).isEqualTo(String.join("\n", expected(records, "\t", "\t")));
    } else {
      assertThat(got).isEqualTo(expected(records, "\t", "\t"));
    }
  }

  @Test
  void offsetsAndLines_withNLines_eachTaskGetsItsLinesWithTheirOffsetsInTheFile() throws Exception {
    StreamingMapper mapper = StreamingMapper.builder(StreamingProgram.of("cat"))
        .inputRecords(InputRecords.OFFSETS_AND_LINES).build();
    List<String> got = run(mapper, InputFormat.nLines(2), "nlines");
    assertThat(got).isEqualTo(expected(InputRecords.OFFSETS_AND_LINES, "\t", "\t"));
  }

  @Test
  void keysAndValues_otherSeparators_splitAtTheFirstAndJoinWithTheFieldSeparator() throws Exception {
    StreamingMapper mapper = StreamingMapper.builder(StreamingProgram.of("cat"))
        .inputRecords(InputRecords.KEYS_AND_VALUES).inputSeparators("=", "|").build();
    List<String> got = run(mapper, InputFormat.text(), "kv");
    assertThat(got).isEqualTo(expected(InputRecords.KEYS_AND_VALUES, "=", "|"));
    assertThat(got).contains("delta|4", "beta|");
  }
}

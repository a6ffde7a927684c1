package io.mapreduce.lib.streaming;

import static io.mapreduce.lib.streaming.StreamingScripts.sortedLines;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mapreduce.JobResult;
import io.mapreduce.MapReduce;
import io.mapreduce.MapReduceSpecification;
import io.mapreduce.Reducer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Streaming jobs on the embedded engine, with real python3 and shell programs. */
class StreamingJobTest {
  static final String MAPPER = """
      #!/usr/bin/env python3
      import sys
      for line in sys.stdin.buffer:
          for w in line.split():
              sys.stdout.buffer.write(w.lower() + b"\\t1\\n")
      """;
  static final String REDUCER = StreamingScripts.SUM_REDUCER;

  @TempDir
  Path dir;
  Path input;
  Path scripts;

  @BeforeEach
  void setUp() throws IOException {
    input = Files.createDirectories(dir.resolve("in"));
    scripts = Files.createDirectories(dir.resolve("scripts"));
    StringBuilder a = new StringBuilder();
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < 3000; i++) {
      a.append("the quick brown fox ").append(i % 97).append(" jumps\n");
      b.append("Über straße ").append(i % 13).append(i % 5 == 0 ? "\r\n" : "\n");
    }
    Files.writeString(input.resolve("a.txt"), a);
    Files.writeString(input.resolve("b.txt"), b + "no newline at the end");
    script("mapper.py", MAPPER);
    script("reducer.py", REDUCER);
  }

  Path script(String name, String text) throws IOException {
    Path p = scripts.resolve(name);
    Files.writeString(p, text);
    Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
    return p;
  }

  StreamingProgram program(String name) {
    return StreamingProgram.builder("./" + name).file(scripts.resolve(name)).build();
  }

  MapReduceSpecification.Builder<byte[], byte[]> job(int reduceTasks) {
    return job(reduceTasks, new StreamingMapper(program("mapper.py")));
  }

  MapReduceSpecification.Builder<byte[], byte[]> job(int reduceTasks, StreamingMapper mapper) {
    return MapReduceSpecification.builder().mapper(mapper)
        .input(input.toString()).output(dir.resolve("out").toString()).workDirectory(dir.resolve("work"))
        .reduceTasks(reduceTasks).maxTaskAttempts(1);
  }

  /** The output lines of a shell pipeline run in the scripts directory, sorted as bytes. */
  List<String> pipeline(String command) throws Exception {
    return StreamingScripts.pipeline(scripts, command);
  }

  static byte[] outputBytes(Path out) throws IOException {
    ByteArrayOutputStream all = new ByteArrayOutputStream();
    try (Stream<Path> files = Files.list(out)) {
      for (Path f : files.filter(f -> f.getFileName().toString().startsWith("mr-out-")).sorted().toList()) {
        all.write(Files.readAllBytes(f));
      }
    }
    return all.toByteArray();
  }

  String inputs() {
    return input.resolve("a.txt") + " " + input.resolve("b.txt");
  }

  @ParameterizedTest
  @ValueSource(ints = {0, 1, 3})
  void exec_pythonWordCount_equalsShellPipeline(int reduceTasks) throws Exception {
    var builder = job(reduceTasks).splitSize(32 << 10);
    if (reduceTasks > 0) {
      builder.reducer(StreamingReducer.of(program("reducer.py")));
    }
    JobResult result = MapReduce.exec(builder.build()).get(120, TimeUnit.SECONDS);
    String expected = reduceTasks == 0 ? "cat " + inputs() + " | ./mapper.py"
        : "cat " + inputs() + " | ./mapper.py | LC_ALL=C sort | ./reducer.py";
    assertThat(sortedLines(outputBytes(dir.resolve("out")))).isEqualTo(pipeline(expected));
    assertThat(result.outputFiles()).hasSize(reduceTasks == 0 ? result.outputFiles().size() : reduceTasks);
    assertThat(Files.exists(dir.resolve("out/_SUCCESS"))).isTrue();
  }

  /** README: a packed split's program sees the split's first file as map_input_file, and every line. */
  @Test
  void exec_combinedTextInput_oneProgramPerPackedSplit_mapInputFileNamesItsFirstFile() throws Exception {
    StreamingMapper mapper = new StreamingMapper(StreamingProgram.builder(
        "wc -l | tr -d ' ' | sed \"s|^|$map_input_file\\t|\"").build());
    MapReduce.exec(job(0, mapper).inputFormat(io.mapreduce.format.InputFormat.combinedText()).build())
        .get(60, TimeUnit.SECONDS);
    long lines = Files.readAllLines(input.resolve("a.txt")).size() + Files.readAllLines(input.resolve("b.txt")).size();
    assertThat(new String(outputBytes(dir.resolve("out")), StandardCharsets.UTF_8))
        .isEqualTo(input.resolve("a.txt") + "\t" + lines + "\n");
  }

  @Test
  void exec_catMapperAndReducer_outputIsTheInputLinesExactly() throws Exception {
    // CRLF line ends, lines without a tab and a last line without a newline stay as they are.
    var spec = job(2, StreamingMapper.of("cat")).reducer(StreamingReducer.of("cat")).build();
    MapReduce.exec(spec).get(120, TimeUnit.SECONDS);
    assertThat(sortedLines(outputBytes(dir.resolve("out")))).isEqualTo(pipeline("cat " + inputs() + "; echo"));
  }

  @Test
  void exec_streamingCombiner_sameResultAndCombines() throws Exception {
    var spec = job(3).reducer(StreamingReducer.of(program("reducer.py")))
        .combiner(StreamingReducer.combiner(program("reducer.py"))).build();
    JobResult result = MapReduce.exec(spec).get(120, TimeUnit.SECONDS);
    assertThat(sortedLines(outputBytes(dir.resolve("out"))))
        .isEqualTo(pipeline("cat " + inputs() + " | ./mapper.py | LC_ALL=C sort | ./reducer.py"));
    assertThat(result.counters().get("combine.output.records"))
        .isLessThan(result.counters().get("combine.input.records"));
  }

  @Test
  void exec_combinerThatReordersKeys_failsSayingItMustStaySorted() throws Exception {
    script("reverse.sh", "#!/bin/sh\nLC_ALL=C sort -r\n");
    var spec = job(1).reducer(StreamingReducer.of(program("reducer.py")))
        .combiner(StreamingReducer.combiner(program("reverse.sh"))).build();
    assertThatThrownBy(() -> MapReduce.exec(spec).get(120, TimeUnit.SECONDS))
        .isInstanceOf(ExecutionException.class)
        .hasStackTraceContaining("must stay sorted");
    assertThat(Files.exists(dir.resolve("out"))).isFalse();
  }

  @Test
  @Timeout(120)
  void exec_mapperWritesALotBeforeReading_doesNotDeadlock() throws Exception {
    script("eager.py", """
        #!/usr/bin/env python3
        import sys
        out = sys.stdout.buffer
        for i in range(400000):
            out.write(b"early\\t%d\\n" % i)
        n = sum(1 for _ in sys.stdin.buffer)
        out.write(b"lines\\t%d\\n" % n)
        """);
    var spec = job(1, new StreamingMapper(program("eager.py")))
        .reducer(StreamingReducer.of("awk -F '\\t' '$1 == \"lines\" { n += $2 } END { print n }'")).build();
    MapReduce.exec(spec).get(110, TimeUnit.SECONDS);
    long lines = pipeline("cat " + inputs() + " | wc -l").stream().mapToLong(l -> Long.parseLong(l.trim())).sum() + 1;
    assertThat(Files.readString(dir.resolve("out/mr-out-00000")).trim()).isEqualTo(Long.toString(lines));
  }

  @Test
  void exec_mapperExits3_failsWithStatusAndStderrAndNoOutput() throws Exception {
    script("fail.py", """
        #!/usr/bin/env python3
        import sys
        sys.stdin.read()
        print("something went wrong in the mapper", file=sys.stderr)
        sys.exit(3)
        """);
    var spec = job(1, new StreamingMapper(program("fail.py"))).reducer(StreamingReducer.of("cat")).build();
    assertThatThrownBy(() -> MapReduce.exec(spec).get(120, TimeUnit.SECONDS))
        .isInstanceOf(ExecutionException.class)
        .hasStackTraceContaining("exited with status 3")
        .hasStackTraceContaining("something went wrong in the mapper")
        .hasStackTraceContaining("StreamingException");
    assertThat(Files.exists(dir.resolve("out"))).isFalse();
  }

  @Test
  void exec_missingProgram_failsWithStatus127AndTheShellsMessage() {
    var spec = job(0, StreamingMapper.of("./no-such-program")).build();
    assertThatThrownBy(() -> MapReduce.exec(spec).get(120, TimeUnit.SECONDS))
        .isInstanceOf(ExecutionException.class)
        .hasStackTraceContaining("exited with status 127")
        .hasStackTraceContaining("no-such-program");
  }

  @Test
  void exec_killedProgram_failsSayingWhichSignal() {
    var spec = job(0, StreamingMapper.of("kill -9 $$")).build();
    assertThatThrownBy(() -> MapReduce.exec(spec).get(120, TimeUnit.SECONDS))
        .isInstanceOf(ExecutionException.class)
        .hasStackTraceContaining("killed by signal 9");
  }

  @Test
  void exec_envAndFiles_areSeenByTheProgram() throws Exception {
    Path data = dir.resolve("lookup.txt");
    Files.writeString(data, "from-the-file\n");
    var program = StreamingProgram.builder("cat > /dev/null; echo \"$GREETING\"; cat lookup.txt")
        .env("GREETING", "hello world").file(data).build();
    var spec = job(0, new StreamingMapper(program)).build();
    MapReduce.exec(spec).get(120, TimeUnit.SECONDS);
    List<String> lines = sortedLines(outputBytes(dir.resolve("out")));
    assertThat(lines).containsOnly("hello world", "from-the-file").hasSize(4);
  }

  @Test
  void exec_nonUtf8BytesInOutput_passThroughUnchanged() throws Exception {
    script("bytes.py", """
        #!/usr/bin/env python3
        import sys
        sys.stdin.buffer.read()
        sys.stdout.buffer.write(b"\\xff\\xfe key\\t\\x80 value\\n\\xc3\\x28 alone\\n")
        """);
    var spec = job(1, new StreamingMapper(program("bytes.py")))
        .reducer(StreamingReducer.of("cat")).build();
    MapReduce.exec(spec).get(120, TimeUnit.SECONDS);
    byte[] expected = pipeline("(./bytes.py < " + input.resolve("a.txt") + "; ./bytes.py < " + input.resolve("b.txt")
        + ") | LC_ALL=C sort").stream()
        .map(l -> l + "\n").reduce("", String::concat).getBytes(StandardCharsets.ISO_8859_1);
    // Keys sort as bytes: \xc3 before \xff, as LC_ALL=C sort puts them.
    assertThat(Files.readAllBytes(dir.resolve("out/mr-out-00000"))).isEqualTo(expected);
  }

  @Test
  void exec_reporterLines_updateCounters() throws Exception {
    var program = StreamingProgram.of(
        "n=0; while IFS= read -r l; do n=$((n+1)); done; echo \"reporter:counter:Lines,Read,$n\" >&2;"
            + " echo 'reporter:status:done' >&2; echo x");
    var spec = job(0, new StreamingMapper(program)).build();
    JobResult result = MapReduce.exec(spec).get(120, TimeUnit.SECONDS);
    assertThat(result.counters().get("Lines.Read")).isEqualTo(result.counters().get("map.input.records"));
  }

  @Test
  void exec_javaReducerAfterStreamingMapper_seesByteKeysAndValues() throws Exception {
    var spec = job(1).reducer(new CountReducer()).build();
    MapReduce.exec(spec).get(120, TimeUnit.SECONDS);
    assertThat(sortedLines(outputBytes(dir.resolve("out"))))
        .isEqualTo(pipeline("cat " + inputs() + " | ./mapper.py | LC_ALL=C sort | ./reducer.py"));
  }

  public static final class CountReducer extends Reducer<byte[], byte[]> {
    @Override
    public void reduce(byte[] key, Iterable<byte[]> values, io.mapreduce.Emitter<byte[], byte[]> emitter) {
      long n = 0;
      for (byte[] v : values) {
        n += Long.parseLong(new String(v, StandardCharsets.US_ASCII));
      }
      emitter.emit(key, Long.toString(n).getBytes(StandardCharsets.US_ASCII));
    }
  }

  @Test
  void program_builder_refusesBadArguments() {
    assertThatThrownBy(() -> StreamingProgram.builder(" ")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> StreamingProgram.builder("x").env("A=B", "c")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> StreamingProgram.builder("x").env("A", "1").env("A", "2"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("already set");
    assertThatThrownBy(() -> StreamingProgram.builder("x").file(dir)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("not a regular file");
    assertThatThrownBy(() -> StreamingProgram.builder("x").file("a/b", new byte[0], false))
        .isInstanceOf(IllegalArgumentException.class);
  }
}

package io.mapreduce.examples.cli;

import io.mapreduce.netty.LocalCluster;
import static io.mapreduce.lib.streaming.StreamingScripts.sortedLines;
import static org.assertj.core.api.Assertions.assertThat;

import io.mapreduce.lib.streaming.StreamingScripts;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code mapreduce streaming} with python3 scripts, embedded and on worker JVMs: the output equals
 * the shell pipeline {@code cat input | mapper | LC_ALL=C sort | reducer} on the same input. One
 * local cluster of two workers serves the cluster cases (plus one run with {@code --local-workers 2}),
 * so the whole class takes well under a minute.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class StreamingIT {
  private static final String MAPPER = """
      #!/usr/bin/env python3
      import sys
      for line in sys.stdin.buffer:
          for w in line.split():
              sys.stdout.buffer.write(w.lower() + b"\\t1\\n")
      """;
  private static final String REDUCER = StreamingScripts.SUM_REDUCER;
  private static final String FAIL = """
      #!/usr/bin/env python3
      import sys
      sys.stdin.buffer.read()
      print("bad record in the mapper", file=sys.stderr)
      sys.exit(3)
      """;

  @TempDir static Path tmp;
  private Path sample;
  private Path scripts;
  private LocalCluster cluster;
  private List<String> wordCount;
  private List<String> mapOnly;
  private int outputs;

  @BeforeAll
  void setUp() throws Exception {
    sample = Path.of("sample").toAbsolutePath();
    assertThat(sample).isDirectory();
    scripts = Files.createDirectories(tmp.resolve("scripts"));
    script("mapper.py", MAPPER);
    script("reducer.py", REDUCER);
    script("fail.py", FAIL);
    script("tag.sh", "#!/bin/sh\nwhile IFS= read -r line; do printf '%s\\t1\\n' \"$TAG\"; done\ncat data.txt\n");
    Files.writeString(scripts.resolve("data.txt"), "from-data-file\t7\n");
    wordCount = pipeline("cat " + sample + "/* | ./mapper.py | LC_ALL=C sort | ./reducer.py");
    mapOnly = pipeline("cat " + sample + "/* | ./mapper.py");
    cluster = LocalCluster.start(2);
  }

  @AfterAll
  void stopCluster() throws Exception {
    if (cluster != null) {
      cluster.close();
    }
  }

  private void script(String name, String text) throws IOException {
    Path p = scripts.resolve(name);
    Files.writeString(p, text);
    Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
  }

  private List<String> pipeline(String command) throws Exception {
    return StreamingScripts.pipeline(scripts, command);
  }

  static List<String> outputLines(Path out) throws IOException {
    assertThat(out.resolve("_SUCCESS")).exists();
    ByteArrayOutputStream all = new ByteArrayOutputStream();
    try (Stream<Path> files = Files.list(out)) {
      // Our spelling names files mr-out-N, Hadoop's part-N (or its mapreduce.output.basename).
      for (Path f : files.filter(f -> f.getFileName().toString().matches("(mr-out|part|result)-\\d{5}.*")).toList()) {
        all.write(Files.readAllBytes(f));
      }
    }
    return sortedLines(all.toByteArray());
  }

  private record Run(int code, String err) {}

  private Run run(Path out, String... args) {
    List<String> all = new ArrayList<>(List.of("streaming"));
    all.addAll(List.of(args));
    // A step in Hadoop's spelling names its output as Hadoop does: -output.
    boolean hadoop = HadoopStreamingArgs.usesHadoopSpellings(all.toArray(String[]::new));
    all.addAll(List.of(hadoop ? "-output" : "--output", out.toString(), "--work-dir", tmp.resolve("work").toString()));
    StringWriter err = new StringWriter();
    int code = Main.run(new PrintWriter(new StringWriter(), true), new PrintWriter(err, true), all.toArray(String[]::new));
    return new Run(code, err.toString());
  }

  private String file(String name) {
    return scripts.resolve(name).toString();
  }

  private List<String> wordCountArgs(int reduceTasks, String... where) {
    List<String> args = new ArrayList<>(List.of("--input", sample.toString(), "--mapper", "./mapper.py",
        "--file", file("mapper.py"), "--file", file("reducer.py"), "--split-size", "512k",
        "--reduce-tasks", Integer.toString(reduceTasks)));
    if (reduceTasks > 0) {
      args.addAll(List.of("--reducer", "./reducer.py"));
    }
    args.addAll(List.of(where));
    return args;
  }

  @ParameterizedTest(name = "R = {0}")
  @ValueSource(ints = {0, 1, 3})
  void streaming_embedded_equalsShellPipeline(int reduceTasks) throws Exception {
    Path out = tmp.resolve("embedded-" + reduceTasks);
    Run r = run(out, wordCountArgs(reduceTasks).toArray(String[]::new));
    assertThat(r.code()).as("stderr: %s", r.err()).isZero();
    assertThat(outputLines(out)).isEqualTo(reduceTasks == 0 ? mapOnly : wordCount);
  }

  @ParameterizedTest(name = "R = {0}")
  @ValueSource(ints = {0, 1, 3})
  void streaming_onTwoWorkerJvms_equalsShellPipeline(int reduceTasks) throws Exception {
    Path out = tmp.resolve("cluster-" + reduceTasks);
    Run r = run(out, wordCountArgs(reduceTasks, "--cluster", cluster.master()).toArray(String[]::new));
    assertThat(r.code()).as("stderr: %s", r.err()).isZero();
    assertThat(outputLines(out)).isEqualTo(reduceTasks == 0 ? mapOnly : wordCount);
  }

  @Test
  void streaming_localWorkersWithCombiner_equalsShellPipeline() throws Exception {
    Path out = tmp.resolve("local-workers-combiner");
    Run r = run(out, wordCountArgs(3, "--combiner", "./reducer.py", "--local-workers", "2").toArray(String[]::new));
    assertThat(r.code()).as("stderr: %s", r.err()).isZero();
    assertThat(outputLines(out)).isEqualTo(wordCount);
  }

  @Test
  void streaming_hadoopSpellings_cmdenvAndFileSeenByTheProgram() throws Exception {
    Path out = tmp.resolve("hadoop-flags");
    Run r = run(out, "-input", sample.toString(), "-mapper", "./tag.sh", "-reducer", "./reducer.py",
        "-combiner", "./reducer.py", "-numReduceTasks", "2", "-cmdenv", "TAG=hello", "-file", file("tag.sh"),
        "-file", file("reducer.py"), "-file", file("data.txt"));
    assertThat(r.code()).as("stderr: %s", r.err()).isZero();
    List<String> lines = outputLines(out);
    long inputLines = pipeline("cat " + sample + "/* | wc -l").stream().mapToLong(l -> Long.parseLong(l.trim())).sum();
    long maps = Files.list(sample).count();
    assertThat(lines).containsExactly("from-data-file\t" + 7 * maps, "hello\t" + inputLines);
  }

  /**
   * A step as Hadoop and EMR users write it: generic options first (-D, -files with a rename),
   * comma-separated inputs, programs run by name from the working directory, on the cluster.
   */
  @Test
  void streaming_hadoopStepCommandLine_equalsShellPipeline_andNamesTheIgnoredKeys() throws Exception {
    Path out = tmp.resolve("hadoop-step");
    List<Path> inputs;
    try (Stream<Path> files = Files.list(sample)) {
      inputs = files.sorted().toList();
    }
    String firstHalf = String.join(",", inputs.subList(0, inputs.size() / 2).stream().map(Path::toString).toList());
    String secondHalf = String.join(",", inputs.subList(inputs.size() / 2, inputs.size()).stream().map(Path::toString)
        .toList());
    Run r = run(out, "-D", "mapreduce.job.reduces=3", "-D", "mapreduce.job.name=word count step",
        "-D", "mapreduce.task.timeout=1200000", "-D", "mapreduce.map.maxattempts=2",
        "-D", "mapreduce.output.basename=result",
        "-D", "mapreduce.map.memory.mb=2048", "-Dmapreduce.reduce.memory.mb=4096",
        "-files", file("mapper.py") + "," + file("reducer.py") + "#sum.py",
        "-input", firstHalf, "-input", secondHalf, "-mapper", "mapper.py", "-reducer", "python3 sum.py",
        "-inputformat", "org.apache.hadoop.mapred.TextInputFormat",
        "-outputformat", "org.apache.hadoop.mapred.TextOutputFormat", "--cluster", cluster.master());
    assertThat(r.code()).as("stderr: %s", r.err()).isZero();
    assertThat(outputLines(out)).isEqualTo(wordCount);
    try (Stream<Path> files = Files.list(out)) {
      // Hadoop's names, so that scripts reading OUT/part-* work.
      assertThat(files.map(f -> f.getFileName().toString()).sorted()).containsExactly("_SUCCESS", "part-00000",
          "part-00001", "part-00002");
    }
    assertThat(r.err().lines().filter(l -> l.startsWith("mapreduce streaming: ignoring")).toList()).containsExactly(
        "mapreduce streaming: ignoring -D keys this engine has no use for: mapreduce.output.basename,"
            + " mapreduce.map.memory.mb, mapreduce.reduce.memory.mb");
  }

  /**
   * Secondary sort as Hadoop users write it: two key fields, partitioned by the first, ordered by
   * the first and then the second numerically decreasing; each output file must be exactly what
   * {@code LC_ALL=C sort -t TAB -k1,1 -k2,2nr} makes of its lines, and each name in one file only.
   */
  @Test
  void streaming_hadoopSecondarySort_keyFieldPartitionerAndComparator_likeSortK() throws Exception {
    Path input = Files.createDirectories(tmp.resolve("scores"));
    java.util.Random random = new java.util.Random(7);
    StringBuilder text = new StringBuilder();
    for (int i = 0; i < 3000; i++) {
      // Scores unique, so that sort's last-resort comparison of whole lines never decides (values
      // of one key reach the reducer in any order, as in Hadoop).
      text.append("name").append(random.nextInt(40)).append('\t').append((i * 7919) % 3000 - 500)
          .append('\t').append("row").append(i).append('\n');
    }
    Files.writeString(input.resolve("scores.tsv"), text);
    Path out = tmp.resolve("hadoop-secondary-sort");
    Run r = run(out, "-D", "stream.num.map.output.key.fields=2",
        "-D", "mapreduce.job.output.key.comparator.class="
            + "org.apache.hadoop.mapreduce.lib.partition.KeyFieldBasedComparator",
        "-D", "mapreduce.partition.keycomparator.options=-k1,1 -k2,2nr",
        "-D", "mapreduce.partition.keypartitioner.options=-k1,1",
        "-partitioner", "org.apache.hadoop.mapred.lib.KeyFieldBasedPartitioner",
        "-numReduceTasks", "3", "-input", input.toString(), "-mapper", "cat", "-reducer", "cat",
        "--cluster", cluster.master());
    assertThat(r.code()).as("stderr: %s", r.err()).isZero();
    java.util.Map<String, Integer> fileOfName = new java.util.HashMap<>();
    List<String> all = new ArrayList<>();
    List<Path> files;
    try (Stream<Path> list = Files.list(out)) {
      files = list.filter(f -> f.getFileName().toString().startsWith("part-")).sorted().toList();
    }
    assertThat(files).hasSize(3);
    for (int i = 0; i < files.size(); i++) {
      List<String> lines = Files.readAllLines(files.get(i));
      Path sorted = tmp.resolve("sorted-" + i);
      Process sort = new ProcessBuilder("/bin/sh", "-c", "LC_ALL=C sort -t \"$(printf '\\t')\" -k1,1 -k2,2nr")
          .redirectInput(files.get(i).toFile()).redirectOutput(sorted.toFile()).start();
      assertThat(sort.waitFor()).isZero();
      assertThat(lines).as("file %d in sort -k1,1 -k2,2nr order", i).isEqualTo(Files.readAllLines(sorted));
      for (String line : lines) {
        String name = line.substring(0, line.indexOf('\t'));
        assertThat(fileOfName.putIfAbsent(name, i)).as("the file of %s", name).isIn(null, i);
        all.add(line);
      }
    }
    all.sort(null);
    assertThat(all).isEqualTo(sortedLines(text.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8)));
  }

  @Test
  void streaming_hadoopIdentityClassesAndCompressedOutput_catTheRecordsIntoGzip() throws Exception {
    Path out = tmp.resolve("hadoop-identity-gzip");
    Run r = run(out, "-D", "mapred.reduce.tasks=1", "-D", "mapreduce.output.fileoutputformat.compress=true",
        "-D", "mapreduce.output.fileoutputformat.compress.codec=org.apache.hadoop.io.compress.GzipCodec",
        "-input", sample.toString(), "--output-basename", "result", "-mapper", "org.apache.hadoop.mapred.lib.IdentityMapper",
        "-reducer", "org.apache.hadoop.mapred.lib.IdentityReducer");
    assertThat(r.code()).as("stderr: %s", r.err()).isZero();
    Path gz = out.resolve("result-00000.gz");
    assertThat(gz).exists();
    byte[] text;
    try (var in = new java.util.zip.GZIPInputStream(Files.newInputStream(gz))) {
      text = in.readAllBytes();
    }
    assertThat(sortedLines(text)).isEqualTo(pipeline("cat " + sample + "/* | LC_ALL=C sort"));
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"-libjars|x.jar|-libjars is not supported", "-cacheArchive|a.tgz#a|-cacheArchive is not supported",
      "-reducer|org.example.MyReducer|-reducer org.example.MyReducer: a Java class is not supported",
      "-partitioner|org.example.MyPartitioner|-partitioner org.example.MyPartitioner is not supported",
      "-inputformat|SequenceFileInputFormat|-inputformat SequenceFileInputFormat is not supported",
      "-io|typedbytes|-io is not supported", "-frobnicate|1|unsupported Hadoop Streaming option -frobnicate",
      "-D|novalue|-D wants KEY=VALUE but got 'novalue'",
      "-D|mapreduce.task.timeout=soon|mapreduce.task.timeout=soon: milliseconds expected",
      "-D|mapreduce.map.maxattempts=0|mapreduce.map.maxattempts=0: a number of attempts",
      "--output-basename|Part-Files|an output base name is lower-case"})
  void streaming_unsupportedHadoopOption_refusedInOneLineBeforeAnythingRuns(String spec) {
    String[] parts = spec.split("\\|");
    Path out = tmp.resolve("refused-" + parts[0].substring(1));
    Run r = run(out, "-input", sample.toString(), "-mapper", "cat", parts[0], parts[1]);
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err().lines().toList()).hasSize(2);
    assertThat(r.err().lines().findFirst().orElseThrow()).startsWith("mapreduce streaming: ").contains(parts[2]);
    assertThat(out).doesNotExist();
  }

  /**
   * Hadoop writes the input format's key before each line (the line's offset for NLineInputFormat,
   * the part before the first tab for KeyValueTextInputFormat), and only the value when
   * stream.map.input.ignoreKey is true: checked against awk computing the same from the file.
   */
  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {
      "org.apache.hadoop.mapred.lib.NLineInputFormat||awk 'BEGIN { off = 0 } { print off \"\\t\" $0; off += length($0) + 1 }'",
      "NLineInputFormat|stream.map.input.ignoreKey=true|cat",
      "org.apache.hadoop.mapred.KeyValueTextInputFormat||awk '{ print $0 (index($0, \"\\t\") ? \"\" : \"\\t\") }'",
      "KeyValueTextInputFormat|stream.map.input.ignoreKey=true|awk '{ i = index($0, \"\\t\"); print (i ? substr($0, i + 1) : \"\") }'",
      "TextInputFormat|stream.map.input.ignoreKey=false|awk 'BEGIN { off = 0 } { print off \"\\t\" $0; off += length($0) + 1 }'",
      "NLineInputFormat|stream.map.input.field.separator=:|awk 'BEGIN { off = 0 } { print off \":\" $0; off += length($0) + 1 }'",
      "KeyValueTextInputFormat|mapreduce.input.keyvaluelinerecordreader.key.value.separator= |sed 's/ /\\t/'"})
  void streaming_hadoopInputFormats_mapperReadsHadoopsKeyAndValue(String spec) throws Exception {
    String[] parts = spec.split("\\|", -1);
    Path input = tmp.resolve("records.tsv");
    if (!Files.exists(input)) {
      StringBuilder text = new StringBuilder();
      for (int i = 0; i < 500; i++) {
        text.append(i % 3 == 0 ? "no tab here " + i : "key" + i + "\tvalue " + i + (i % 5 == 0 ? "\tmore" : ""))
            .append('\n');
      }
      Files.writeString(input, text);
    }
    Path out = tmp.resolve("input-format-" + Math.abs(spec.hashCode()));
    List<String> args = new ArrayList<>(List.of("-D", "mapreduce.input.lineinputformat.linespermap=40",
        "-input", input.toString(), "-inputformat", parts[0], "-mapper", "cat", "-reducer", "NONE"));
    if (!parts[1].isEmpty()) {
      args.addAll(0, List.of("-D", parts[1]));
    }
    Run r = run(out, args.toArray(String[]::new));
    assertThat(r.code()).as("stderr: %s", r.err()).isZero();
    assertThat(outputLines(out)).isEqualTo(pipeline("cat " + input + " | " + parts[2]));
    if (parts[0].contains("NLine")) {
      try (Stream<Path> files = Files.list(out)) {
        assertThat(files.filter(f -> f.getFileName().toString().startsWith("part-"))).hasSize(500 / 40 + 1);
      }
    }
  }

  /**
   * Gzipped logs, as real steps read them, with -lazyOutput: a mapper that keeps one word ("us") makes one
   * key, so of four reduce tasks only one writes a file (Hadoop's LazyOutputFormat), on workers.
   */
  @Test
  void streaming_hadoopStepOnGzippedInputWithLazyOutput_equalsZcatPipeline_andWritesOnlyNonEmptyFiles()
      throws Exception {
    Path gz = Files.createDirectories(tmp.resolve("gzipped"));
    try (Stream<Path> files = Files.list(sample)) {
      for (Path f : files.sorted().toList()) {
        try (var out = new java.util.zip.GZIPOutputStream(Files.newOutputStream(gz.resolve(f.getFileName() + ".gz")))) {
          Files.copy(f, out);
        }
      }
    }
    script("us.sh", "#!/bin/sh\ntr -cs 'A-Za-z' '\\n' | grep -x us | sed 's/$/\\t1/'\n");
    Path out = tmp.resolve("hadoop-gzip-lazy");
    Run r = run(out, "-files", file("us.sh") + "," + file("reducer.py"), "-input", gz + "/*.gz",
        "-mapper", "us.sh", "-reducer", "reducer.py", "-numReduceTasks", "4", "-lazyOutput",
        "--cluster", cluster.master());
    assertThat(r.code()).as("stderr: %s", r.err()).isZero();
    assertThat(outputLines(out)).isEqualTo(pipeline("zcat " + gz + "/*.gz | ./us.sh | LC_ALL=C sort | ./reducer.py"))
        .hasSize(1);
    try (Stream<Path> files = Files.list(out)) {
      assertThat(files.map(f -> f.getFileName().toString()).filter(n -> n.startsWith("part-"))).hasSize(1);
    }
  }

  @Test
  void streaming_mapperExits3_failsWithStatusAndStderrAndLeavesNoOutput() {
    Path out = tmp.resolve("fails");
    Run r = run(out, "--input", sample.toString(), "--mapper", "./fail.py", "--file", file("fail.py"),
        "--cluster", cluster.master());
    assertThat(r.code()).isEqualTo(1);
    assertThat(r.err()).contains("job failed").contains("exited with status 3").contains("bad record in the mapper");
    // One line (besides the progress line a slow machine shows while the job runs).
    assertThat(r.err().strip().lines().filter(l -> !l.startsWith("mapreduce: map ")).count())
        .as("one line: %s", r.err()).isEqualTo(1);
    assertThat(out).doesNotExist();
  }

  /**
   * Issue 16's task timeout on worker JVMs: the first map attempt to start hangs without reading
   * its input; with {@code --task-timeout 2} its worker kills it (and its program) and the master
   * runs the task again, so the job finishes with every line, where it used to hang for ever.
   */
  @Test
  void streaming_hungAttemptOnAWorker_killedByTheTaskTimeoutAndRetried() throws Exception {
    Path out = tmp.resolve("hung");
    Path attempts = tmp.resolve("hung-attempts.log");
    script("hung.sh", StreamingScripts.hungFirstAttempt(tmp.resolve("hung-marker"), attempts));
    Run r = run(out, "--input", sample.toString(), "--mapper", "./hung.sh", "--file", file("hung.sh"),
        "--reduce-tasks", "0", "--task-timeout", "2", "--cluster", cluster.master());
    assertThat(r.code()).as("stderr: %s", r.err()).isZero();
    assertThat(outputLines(out)).isEqualTo(pipeline("cat " + sample + "/*"));
    List<String> started = Files.readAllLines(attempts);
    long maps = started.stream().map(a -> a.substring(0, a.lastIndexOf('_'))).distinct().count();
    // Every map task once, and the hung one a second time: one failed attempt.
    assertThat(started).hasSize((int) maps + 1);
    List<String> retried = started.stream().filter(a -> a.endsWith("_2")).toList();
    assertThat(retried).hasSize(1);
    assertThat(started).contains(retried.get(0).replace("_2", "_1"));
    StreamingScripts.assertHungProgramEnded(tmp.resolve("hung-marker"));
  }

  @Test
  void streaming_negativeTaskTimeout_isABadArgument() {
    Run r = run(tmp.resolve("bad-timeout"), "--input", sample.toString(), "--mapper", "cat", "--task-timeout", "-1");
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).contains("--task-timeout");
  }

  @Test
  void streaming_missingProgram_failsSayingSo() {
    Path out = tmp.resolve("missing");
    Run r = run(out, "--input", sample.toString(), "--mapper", "./no-such-mapper.py");
    assertThat(r.code()).isEqualTo(1);
    assertThat(r.err()).contains("exited with status 127").contains("no-such-mapper.py").contains("not found");
    assertThat(out).doesNotExist();
  }

  @Test
  void streaming_reducerNoneWithReduceTasks_isABadArgument() {
    Run r = run(tmp.resolve("bad"), "--input", sample.toString(), "--mapper", "cat", "--reducer", "NONE",
        "--reduce-tasks", "2");
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).contains("--reducer NONE");
  }
}

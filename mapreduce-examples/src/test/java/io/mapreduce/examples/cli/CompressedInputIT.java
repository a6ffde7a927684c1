package io.mapreduce.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.github.luben.zstd.ZstdOutputStream;
import io.mapreduce.examples.OracleAccess;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import net.jpountz.lz4.LZ4FrameOutputStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Compressed input as users have it: a directory of {@code .gz} files made by the {@code gzip}
 * program (one of several members, as log shippers append them), {@code .bz2} made by python3's
 * {@code bz2}, {@code .zst} and {@code .lz4}, beside a plain file; word count embedded and on two
 * worker JVMs equals the oracle's count of the uncompressed text, and a streaming job sees the
 * decompressed lines. A truncated or corrupt file fails the job with one line naming it and leaves
 * no output.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class CompressedInputIT {
  @TempDir static Path tmp;
  private Path corpus;
  private List<String> plainLines;
  private List<String> expectedCounts;

  @BeforeAll
  void compressTheSample() throws Exception {
    Path sample = OracleAccess.sample();
    corpus = Files.createDirectories(tmp.resolve("corpus"));
    List<Path> texts;
    try (Stream<Path> s = Files.list(sample)) {
      texts = s.sorted().toList();
    }
    assertThat(texts).hasSizeGreaterThanOrEqualTo(4);
    // gzip(1) as a user runs it, then a second member appended to the same file.
    Path gz = corpus.resolve("a.txt.gz");
    exec(tmp, "sh", "-c", "gzip -c '" + texts.get(0) + "' > '" + gz + "' && printf 'appended member \\303\\251t\\303\\251\\n"
        + "last line without newline' | gzip -c >> '" + gz + "'");
    byte[] appended = "appended member \u00e9t\u00e9\nlast line without newline".getBytes(StandardCharsets.UTF_8);
    exec(tmp, "python3", "-c", "import bz2,sys; open(sys.argv[2],'wb').write(bz2.compress(open(sys.argv[1],'rb').read()))",
        texts.get(1).toString(), corpus.resolve("b.txt.bz2").toString());
    try (OutputStream out = new ZstdOutputStream(Files.newOutputStream(corpus.resolve("c.txt.zst")))) {
      Files.copy(texts.get(2), out);
    }
    try (OutputStream out = new LZ4FrameOutputStream(Files.newOutputStream(corpus.resolve("d.txt.lz4")))) {
      Files.copy(texts.get(3), out);
    }
    Files.copy(texts.get(0), corpus.resolve("e.txt"));
    // A compressed file of nothing, as a log rotation can leave.
    exec(tmp, "sh", "-c", "gzip -c < /dev/null > '" + corpus.resolve("f.log.gz") + "'");

    List<byte[]> contents = new ArrayList<>();
    contents.add(concat(Files.readAllBytes(texts.get(0)), appended));
    for (int i = 1; i < 4; i++) {
      contents.add(Files.readAllBytes(texts.get(i)));
    }
    contents.add(Files.readAllBytes(texts.get(0)));
    plainLines = new ArrayList<>();
    for (byte[] c : contents) {
      plainLines.addAll(OracleAccess.lines(c));
    }
    expectedCounts = OracleAccess.wordCount(plainLines);
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] all = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, all, a.length, b.length);
    return all;
  }

  private static void exec(Path dir, String... command) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor()).as("%s: %s", String.join(" ", command), out).isZero();
  }

  private record Run(int exitCode, String err) {}

  private static Run run(String... args) {
    StringWriter err = new StringWriter();
    int code = Main.run(new PrintWriter(new StringWriter(), true), new PrintWriter(err, true), args);
    return new Run(code, err.toString());
  }

  private static List<String> outputLines(Path out) throws IOException {
    assertThat(out.resolve("_SUCCESS")).exists();
    List<String> lines = new ArrayList<>();
    try (Stream<Path> s = Files.list(out)) {
      // Ours names the files mr-out-N, a step in Hadoop's spelling part-N.
      for (Path f : s.filter(p -> p.getFileName().toString().matches("(mr-out|part)-\\d{5}.*")).sorted().toList()) {
        lines.addAll(Files.readAllLines(f, StandardCharsets.UTF_8));
      }
    }
    return lines;
  }

  @ParameterizedTest
  @ValueSource(ints = {0, 2})
  void wordcount_mixedCodecs_equalsTheOracleOfTheUncompressedText(int localWorkers) throws Exception {
    Path out = tmp.resolve("counts-" + localWorkers);
    List<String> args = new ArrayList<>(List.of("wordcount", "--input", corpus.toString(), "--output",
        out.toString(), "--reduce-tasks", "1", "--split-size", "64k", "--work-dir", tmp.resolve("work").toString()));
    if (localWorkers > 0) {
      args.addAll(List.of("--local-workers", String.valueOf(localWorkers)));
    }
    Run r = run(args.toArray(String[]::new));

    assertThat(r.exitCode()).as("exit code; stderr: %s", r.err()).isZero();
    assertThat(outputLines(out)).containsExactlyElementsOf(expectedCounts);
  }

  @Test
  void streaming_gzippedInput_mapperSeesTheDecompressedLines() throws Exception {
    Path out = tmp.resolve("streamed");
    Run r = run("streaming", "-input", corpus.toString(), "-output", out.toString(), "-mapper", "cat",
        "-reducer", "NONE", "--split-size", "64k", "--work-dir", tmp.resolve("work").toString());

    assertThat(r.exitCode()).as("exit code; stderr: %s", r.err()).isZero();
    List<String> got = new ArrayList<>(outputLines(out));
    List<String> want = new ArrayList<>(plainLines);
    got.sort(OracleAccess.UTF8);
    want.sort(OracleAccess.UTF8);
    assertThat(got).isEqualTo(want);
  }

  @ParameterizedTest
  @ValueSource(strings = {"truncated.txt.gz", "corrupt.txt.gz", "truncated.txt.zst", "truncated.txt.bz2"})
  void wordcount_damagedFile_failsWithOneLineNamingItAndLeavesNoOutput(String name) throws Exception {
    Path in = Files.createDirectories(tmp.resolve("damaged-" + name));
    Path good = in.resolve("good.txt");
    Files.writeString(good, "fine words here\n");
    String codec = name.substring(name.lastIndexOf('.') + 1);
    Path whole = in.resolve("whole");
    Files.write(whole, ("many words of a real log line\n").repeat(20_000).getBytes(StandardCharsets.UTF_8));
    Path compressed = tmp.resolve("whole-" + name);
    switch (codec) {
      case "gz" -> exec(tmp, "sh", "-c", "gzip -c '" + whole + "' > '" + compressed + "'");
      case "bz2" -> exec(tmp, "python3", "-c",
          "import bz2,sys; open(sys.argv[2],'wb').write(bz2.compress(open(sys.argv[1],'rb').read()))", whole.toString(),
          compressed.toString());
      default -> {
        try (OutputStream out = new ZstdOutputStream(Files.newOutputStream(compressed))) {
          Files.copy(whole, out);
        }
      }
    }
    Files.delete(whole);
    byte[] bytes = Files.readAllBytes(compressed);
    if (name.startsWith("truncated")) {
      bytes = Arrays.copyOf(bytes, bytes.length / 2);
    } else {
      for (int i = bytes.length / 2; i < bytes.length / 2 + 16; i++) {
        bytes[i] ^= 0x5a;
      }
    }
    Path damaged = in.resolve(name);
    Files.write(damaged, bytes);
    Path out = tmp.resolve("out-" + name);

    Run r = run("wordcount", "--input", in.toString(), "--output", out.toString(), "--work-dir",
        tmp.resolve("work").toString());

    assertThat(r.exitCode()).as("exit code; stderr: %s", r.err()).isEqualTo(1);
    List<String> lines = r.err().lines().toList();
    assertThat(lines).as("stderr: %s", r.err()).hasSize(1);
    String codecName = switch (codec) {
      case "gz" -> "gzip";
      case "bz2" -> "bzip2";
      default -> "zstd";
    };
    assertThat(lines.get(0)).contains("corrupt or truncated " + codecName + " input " + damaged)
        .contains("at compressed byte");
    assertThat(out).doesNotExist();
  }
}

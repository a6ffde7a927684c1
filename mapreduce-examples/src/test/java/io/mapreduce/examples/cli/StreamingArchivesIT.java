package io.mapreduce.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.mapreduce.lib.streaming.StreamingScripts;
import io.mapreduce.s3.S3ProxyServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import io.mapreduce.thirdparty.org.apache.commons.compress.archivers.zip.ZipArchiveEntry;
import io.mapreduce.thirdparty.org.apache.commons.compress.archivers.zip.ZipArchiveOutputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.sync.RequestBody;

/**
 * Hadoop Streaming's {@code -archives} and {@code -files}, local and in S3, as a user runs
 * {@code bin/mapreduce streaming} with Hadoop's command line: the mapper is a script inside an
 * archive made with tar(1) (or a zip in s3proxy on 127.0.0.1), reading a side file; embedded and
 * on {@code --local-workers 2}, the output equals {@code cat input | mapper | LC_ALL=C sort |
 * reducer} run by the shell where the archive was unpacked by tar itself. Bad side files fail in
 * one line before anything runs.
 */
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class StreamingArchivesIT {
  /** Tags each word by the side file's table ($1), with the suffix the archive holds beside the script. */
  private static final String MAP = """
      #!/bin/sh
      here=$(dirname "$0")
      tr -cs 'A-Za-z' '\\n' | tr 'A-Z' 'a-z' | awk -v sfx="$(cat "$here/../share/suffix")" \\
        'NR == FNR { tag[$1] = $2; next } $1 != "" { print (($1 in tag) ? tag[$1] : "other") sfx "\\t1" }' "$1" -
      """;
  private static final String REDUCER = "awk -F '\\t' '{ s[$1] += $2 } END { for (k in s) print k \"\\t\" s[k] }'";
  private static final String LOOKUP = "the article\na article\nand conjunction\nof preposition\nto preposition\n";

  @TempDir static Path tmp;
  private static Path root;
  private static Path sample;
  private static Path tools;
  private static S3ProxyServer s3proxy;
  private static List<String> expected;

  @BeforeAll
  static void setUp() throws Exception {
    Path dir = Path.of(StreamingArchivesIT.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    while (dir != null && !Files.isRegularFile(dir.resolve("bin/mapreduce"))) {
      dir = dir.getParent();
    }
    assertThat(dir).isNotNull();
    root = dir;
    sample = root.resolve("mapreduce-examples/sample");
    Path src = Files.createDirectories(tmp.resolve("tools-src/bin"));
    Files.writeString(src.resolve("map.sh"), MAP);
    Files.setPosixFilePermissions(src.resolve("map.sh"), PosixFilePermissions.fromString("rwxr-xr-x"));
    Files.createDirectories(tmp.resolve("tools-src/share"));
    Files.writeString(tmp.resolve("tools-src/share/suffix"), "-tag");
    tools = tmp.resolve("tools.tgz");
    sh(tmp, "tar -czf tools.tgz -C tools-src .");
    Files.writeString(tmp.resolve("lookup.txt"), LOOKUP);

    // The pipeline where tar itself unpacked the archive, as the mapper sees it.
    Path shell = Files.createDirectories(tmp.resolve("shell/tools"));
    sh(shell, "tar -xzf " + tools);
    Files.writeString(tmp.resolve("shell/lookup.txt"), LOOKUP);
    expected = StreamingScripts.pipeline(tmp.resolve("shell"),
        "cat " + sample + "/* | tools/bin/map.sh lookup.txt | LC_ALL=C sort | " + REDUCER);
    assertThat(expected).hasSizeGreaterThan(2).anyMatch(l -> l.startsWith("article-tag\t"));

    s3proxy = S3ProxyServer.start(Files.createDirectories(tmp.resolve("s3")));
    s3proxy.createBucket("side");
    var s3 = s3proxy.client();
    s3.putObject(b -> b.bucket("side").key("side.txt"), RequestBody.fromString(LOOKUP));
    s3.putObject(b -> b.bucket("side").key("tools.zip"), RequestBody.fromBytes(zip(tmp.resolve("tools-src"))));
  }

  @AfterAll
  static void stop() {
    if (s3proxy != null) {
      s3proxy.close();
    }
  }

  /** The tree as a zip, made in Java (zip(1) may be missing), with the Unix modes Info-ZIP would keep. */
  private static byte[] zip(Path dir) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (var out = new ZipArchiveOutputStream(bytes); Stream<Path> files = Files.walk(dir)) {
      for (Path f : files.filter(Files::isRegularFile).sorted().toList()) {
        ZipArchiveEntry e = new ZipArchiveEntry(dir.relativize(f).toString());
        e.setUnixMode(Files.isExecutable(f) ? 0100755 : 0100644);
        out.putArchiveEntry(e);
        out.write(Files.readAllBytes(f));
        out.closeArchiveEntry();
      }
    }
    return bytes.toByteArray();
  }

  private static void sh(Path dir, String command) throws Exception {
    Process p = new ProcessBuilder("/bin/sh", "-c", command).directory(dir.toFile()).inheritIO().start();
    assertThat(p.waitFor(1, TimeUnit.MINUTES)).isTrue();
    assertThat(p.exitValue()).as(command).isZero();
  }

  private record Run(int code, String printed) {}

  /** Runs bin/mapreduce streaming with these arguments, pointed at s3proxy through the environment. */
  private static Run run(String... args) throws Exception {
    List<String> cmd = new ArrayList<>(List.of(root.resolve("bin/mapreduce").toString(), "streaming"));
    cmd.addAll(List.of(args));
    Path log = tmp.resolve("run-" + System.nanoTime() + ".log");
    ProcessBuilder pb = new ProcessBuilder(cmd).directory(tmp.toFile()).redirectErrorStream(true)
        .redirectOutput(log.toFile());
    pb.environment().putAll(s3proxy.environment());
    Process p = pb.start();
    assertThat(p.waitFor(3, TimeUnit.MINUTES)).isTrue();
    return new Run(p.exitValue(), Files.readString(log));
  }

  private static List<String> output(Path out) throws IOException {
    // A step in Hadoop's spelling: Hadoop's part-N names.
    try (Stream<Path> files = Files.list(out)) {
      assertThat(files.map(f -> f.getFileName().toString())).contains("part-00000").noneMatch(n -> n.startsWith("mr-out"));
    }
    return StreamingIT.outputLines(out);
  }

  @Test
  void localArchiveAndFile_embeddedAndOnLocalWorkers_equalTheShellPipeline() throws Exception {
    for (List<String> mode : List.of(List.<String>of(), List.of("--local-workers", "2"))) {
      Path out = tmp.resolve("local-out-" + mode.size());
      List<String> args = new ArrayList<>(List.of("-archives", tools + "#tools", "-files",
          tmp.resolve("lookup.txt").toString(), "-D", "mapreduce.job.reduces=2", "-input", sample.toString(),
          "-output", out.toString(), "-mapper", "tools/bin/map.sh lookup.txt", "-reducer", REDUCER));
      args.addAll(mode);
      Run r = run(args.toArray(String[]::new));
      assertThat(r.code()).as("%s printed:\n%s", mode, r.printed()).isZero();
      assertThat(output(out)).as("%s", mode).isEqualTo(expected);
    }
  }

  @Test
  void s3FileAndZipArchive_embeddedAndOnLocalWorkers_equalTheShellPipeline() throws Exception {
    // s3:// as Hadoop documents it, s3a:// and s3n:// as EMR steps write it.
    List<List<String>> modes = List.of(
        List.of("-files", "s3://side/side.txt", "-archives", "s3://side/tools.zip#tools"),
        List.of("-files", "s3a://side/side.txt", "-archives", "s3n://side/tools.zip#tools", "--local-workers", "2"));
    for (List<String> mode : modes) {
      Path out = tmp.resolve("s3-out-" + mode.size());
      List<String> args = new ArrayList<>(mode);
      args.addAll(List.of("--s3-path-style", "-input", sample.toString(), "-output", out.toString(),
          "-mapper", "tools/bin/map.sh side.txt", "-reducer", REDUCER, "-numReduceTasks", "3"));
      Run r = run(args.toArray(String[]::new));
      assertThat(r.code()).as("%s printed:\n%s", mode, r.printed()).isZero();
      assertThat(output(out)).as("%s", mode).isEqualTo(expected);
    }
  }

  @Test
  void missingOrBadOrTooLargeSideFiles_failInOneLineNamingThem_beforeAnythingRuns() throws Exception {
    Path big = tmp.resolve("big.bin");
    byte[] noise = new byte[30 << 20];
    new Random(1).nextBytes(noise);
    Files.write(big, noise);
    String[][] cases = {
        {"-files", tmp.resolve("nope.txt").toString(), "no such file " + tmp.resolve("nope.txt")},
        {"-archives", "s3://side/missing.tgz#tools", "no such object s3://side/missing.tgz"},
        {"-archives", tmp.resolve("lookup.txt").toString(), "lookup.txt is not a zip, jar, tar or tar.gz archive"},
        // 30 MiB with the mapper and again with the reducer: above the 48 MiB a job carries.
        {"-files", big.toString(), "60.0 MiB (once for each of its 2 programs), above the 48.0 MiB a job can carry"},
        {"-files", "hdfs://nn/x.txt", "only local files and s3:// objects are supported"}};
    for (String[] c : cases) {
      Path out = tmp.resolve("bad-out");
      Run r = run(c[0], c[1], "--s3-path-style", "-input", sample.toString(), "-output", out.toString(),
          "-mapper", "cat", "-reducer", "cat");
      assertThat(r.code()).as(r.printed()).isEqualTo(2);
      String first = r.printed().lines().findFirst().orElseThrow();
      assertThat(first).startsWith("mapreduce streaming: ").contains(c[2]);
      assertThat(r.printed()).doesNotContain("Exception").doesNotContain("\tat ");
      assertThat(out).doesNotExist();
    }
  }
}

package io.mapreduce.lib.streaming;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mapreduce.JobResult;
import io.mapreduce.MapReduce;
import io.mapreduce.MapReduceSpecification;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarOutputStream;
import java.util.zip.GZIPOutputStream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import io.mapreduce.thirdparty.org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import io.mapreduce.thirdparty.org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import io.mapreduce.thirdparty.org.apache.commons.compress.archivers.zip.ZipArchiveEntry;
import io.mapreduce.thirdparty.org.apache.commons.compress.archivers.zip.ZipArchiveOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Unpacking streaming archives: formats, kept executable bits, refused entries, bounds, and sharing. */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class StreamingArchivesTest {
  private static final String SCRIPT = "#!/bin/sh\necho \"tool says $1\"\n";

  @TempDir Path dir;

  /** A tar entry: a file (mode), a directory (name ends with /), or a symbolic link (link not null). */
  private record Entry(String name, String text, int mode, String link) {
    static Entry file(String name, String text, int mode) {
      return new Entry(name, text, mode, null);
    }
  }

  private static byte[] tar(boolean gzip, Entry... entries) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (var out = new TarArchiveOutputStream(gzip ? new GZIPOutputStream(bytes) : bytes)) {
      out.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
      for (Entry e : entries) {
        TarArchiveEntry t;
        if (e.link() != null) {
          t = new TarArchiveEntry(e.name(), TarArchiveEntry.LF_SYMLINK);
          t.setLinkName(e.link());
        } else {
          t = new TarArchiveEntry(e.name(), true); // an absolute name kept, as a hostile tar has it
          t.setMode(e.mode() | (e.name().endsWith("/") ? 040000 : 0100000));
        }
        byte[] data = e.text() == null ? new byte[0] : e.text().getBytes(StandardCharsets.UTF_8);
        t.setSize(e.link() != null || e.name().endsWith("/") ? 0 : data.length);
        out.putArchiveEntry(t);
        if (t.getSize() > 0) {
          out.write(data);
        }
        out.closeArchiveEntry();
      }
    }
    return bytes.toByteArray();
  }

  private static byte[] tools(boolean gzip) throws IOException {
    return tar(gzip, Entry.file("bin/", null, 0755), Entry.file("bin/tool.sh", SCRIPT, 0755),
        Entry.file("share/data/words.txt", "alpha\nbeta\n", 0644));
  }

  /** A zip as java.util.zip writes it (no Unix modes), or as Info-ZIP does (with them). */
  private static byte[] zip(boolean jar, String... namesAndTexts) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ZipOutputStream out = jar ? new JarOutputStream(bytes, manifest()) : new ZipOutputStream(bytes)) {
      for (int i = 0; i < namesAndTexts.length; i += 2) {
        out.putNextEntry(new ZipEntry(namesAndTexts[i]));
        out.write(namesAndTexts[i + 1].getBytes(StandardCharsets.UTF_8));
        out.closeEntry();
      }
    }
    return bytes.toByteArray();
  }

  private static java.util.jar.Manifest manifest() {
    java.util.jar.Manifest m = new java.util.jar.Manifest();
    m.getMainAttributes().put(java.util.jar.Attributes.Name.MANIFEST_VERSION, "1.0");
    return m;
  }

  private static void place(String name, byte[] archive, Path work) throws IOException {
    StreamingArchives.place(name, archive, StreamingArchives.digest(archive), work);
  }

  private static String run(Path workDir, String command) throws Exception {
    Process p = new ProcessBuilder("/bin/sh", "-c", command).directory(workDir.toFile()).redirectErrorStream(true)
        .start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(out).isZero();
    return out;
  }

  @Test
  void tarGzAndTgzAndTar_unpackedWithExecutableScriptAndSubdirectory() throws Exception {
    for (boolean gzip : new boolean[] {true, false}) {
      Path work = Files.createDirectories(dir.resolve("work-" + gzip));
      byte[] archive = tools(gzip);
      assertThat(StreamingArchives.format(archive))
          .isEqualTo(gzip ? StreamingArchives.Format.TAR_GZ : StreamingArchives.Format.TAR);
      place("tools", archive, work);
      assertThat(Files.isSymbolicLink(work.resolve("tools"))).isTrue();
      assertThat(run(work, "tools/bin/tool.sh x")).isEqualTo("tool says x\n");
      assertThat(Files.readString(work.resolve("tools/share/data/words.txt"))).isEqualTo("alpha\nbeta\n");
      assertThat(Files.getPosixFilePermissions(work.resolve("tools/bin/tool.sh")))
          .containsAll(java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
    }
  }

  @Test
  void zipAndJar_unpacked_unixModesKept_filesExecutableAsHadoopMakesThem() throws Exception {
    Path work = Files.createDirectories(dir.resolve("work"));
    // java.util.zip keeps no Unix modes: its files are made executable, as Hadoop's localizer makes them.
    place("z", zip(false, "lib/a.txt", "A\n", "b.txt", "B\n", "run.sh", SCRIPT), work);
    assertThat(run(work, "z/run.sh w")).isEqualTo("tool says w\n");
    place("j.jar", zip(true, "pkg/x.properties", "k=v\n"), work);
    assertThat(run(work, "cat z/lib/a.txt z/b.txt j.jar/pkg/x.properties")).isEqualTo("A\nB\nk=v\n");
    assertThat(work.resolve("j.jar/META-INF/MANIFEST.MF")).exists();

    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (var out = new ZipArchiveOutputStream(bytes)) {
      ZipArchiveEntry e = new ZipArchiveEntry("bin/run.sh");
      e.setUnixMode(0100775); // group write kept
      out.putArchiveEntry(e);
      out.write(SCRIPT.getBytes(StandardCharsets.UTF_8));
      out.closeArchiveEntry();
    }
    place("exe", bytes.toByteArray(), work);
    assertThat(run(work, "exe/bin/run.sh y")).isEqualTo("tool says y\n");
    assertThat(Files.getPosixFilePermissions(work.resolve("exe/bin/run.sh")))
        .isEqualTo(java.nio.file.attribute.PosixFilePermissions.fromString("rwxrwxr-x"));
  }

  @Test
  void entriesLeavingTheDirectory_refusedNamingTheArchive() throws Exception {
    List<byte[]> bad = List.of(
        zip(false, "../evil.txt", "x"),
        zip(false, "a/../../evil.txt", "x"),
        tar(false, Entry.file("/tmp/evil.txt", "x", 0644)),
        // Links may point anywhere (as tar makes them), but nothing is written through one that
        // leads outside: relative, absolute, or one that leads outside only through another.
        tar(true, new Entry("up", null, 0, "../.."), Entry.file("up/evil.txt", "x", 0644)),
        tar(true, new Entry("abs", null, 0, dir.toString()), Entry.file("abs/evil.txt", "x", 0644)),
        tar(false, new Entry("d/l", null, 0, ".."), new Entry("d/l/m", null, 0, ".."),
            Entry.file("d/l/m/evil.txt", "x", 0644)));
    for (int i = 0; i < bad.size(); i++) {
      Path target = Files.createDirectories(dir.resolve("bad-" + i));
      int n = i;
      Throwable thrown = org.assertj.core.api.Assertions.catchThrowable(
          () -> StreamingArchives.unpack("bad.tgz", bad.get(n), target, 1 << 20, 100));
      assertThat(thrown).as("archive %d", i).isInstanceOf(IOException.class).hasMessageStartingWith("archive bad.tgz")
          .hasMessageContaining("its directory");
    }
    assertThat(dir.resolve("evil.txt")).doesNotExist();
    assertThat(dir.getParent().resolve("evil.txt")).doesNotExist();
  }

  /**
   * A packed virtualenv (venv-pack) links its interpreter to the system's by an absolute path: kept,
   * as tar keeps it, so {@code venv/bin/python} runs.
   */
  @Test
  void linksPointingOutside_keptAsTarMakesThem_andTheyWork() throws Exception {
    Path python = Path.of("/usr/bin/python3");
    org.junit.jupiter.api.Assumptions.assumeTrue(Files.isExecutable(python), "needs /usr/bin/python3");
    Path target = Files.createDirectories(dir.resolve("venv"));
    StreamingArchives.unpack("venv.tgz", tar(true, new Entry("bin/python", null, 0, python.toString()),
        new Entry("lib", null, 0, "../venv-lib"), Entry.file("bin/run.py", "print('ran')\n", 0644)), target,
        1 << 20, 100);
    assertThat(Files.readSymbolicLink(target.resolve("bin/python"))).isEqualTo(python);
    assertThat(Files.readSymbolicLink(target.resolve("lib")).toString()).isEqualTo("../venv-lib");
    Process p = new ProcessBuilder(target.resolve("bin/python").toString(), target.resolve("bin/run.py").toString())
        .redirectErrorStream(true).start();
    assertThat(new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8)).isEqualTo("ran\n");
    assertThat(p.waitFor()).isZero();
    // Removing the copy removes the links, not what they point at.
    assertThat(StreamingArchives.deleteTree(target)).isTrue();
    assertThat(python).exists();
  }

  @Test
  void zipBomb_refusedInOneLineNamingTheArchive() throws Exception {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ZipOutputStream out = new ZipOutputStream(bytes)) {
      out.putNextEntry(new ZipEntry("zeros"));
      byte[] zeros = new byte[1 << 20];
      for (int i = 0; i < 16; i++) {
        out.write(zeros);
      }
      out.closeEntry();
    }
    assertThat(bytes.size()).isLessThan(100_000);
    Path target = Files.createDirectories(dir.resolve("bomb"));
    assertThatThrownBy(() -> StreamingArchives.unpack("bomb.zip", bytes.toByteArray(), target, 8 << 20, 100))
        .isInstanceOf(IOException.class).hasMessage("archive bomb.zip unpacks to more than 8388608 bytes");
    byte[] many = zip(false, "a", "1", "b", "2", "c", "3");
    assertThatThrownBy(() -> StreamingArchives.unpack("many.zip", many, Files.createDirectories(dir.resolve("many")),
        1 << 20, 2)).hasMessage("archive many.zip holds more than 2 entries");
  }

  @Test
  void notAnArchive_refusedByTheBuilderNamingIt() {
    assertThatThrownBy(() -> StreamingProgram.builder("cat").archive("notes", "plain text".getBytes()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("archive notes is not a zip, jar, tar or tar.gz archive");
    assertThatThrownBy(() -> StreamingProgram.builder("cat").file("x", new byte[0], false).archive("x", new byte[0]))
        .hasMessageContaining("named x was already added");
    assertThatThrownBy(() -> StreamingProgram.builder("cat").archive("a/b", new byte[0]))
        .hasMessageContaining("not a plain file name");
  }

  @Test
  void twoAttemptsAtOnce_shareOneUnpackedCopy_removedWhenIdle() throws Exception {
    // Its own bytes, so that no other test has unpacked it in this JVM yet.
    byte[] archive = tar(true, Entry.file("bin/tool.sh", SCRIPT, 0755),
        Entry.file("id.txt", Long.toString(System.nanoTime()), 0644));
    int attempts = 4;
    CyclicBarrier start = new CyclicBarrier(attempts);
    ExecutorService pool = Executors.newFixedThreadPool(attempts);
    try {
      List<Future<Path>> placed = new ArrayList<>();
      for (int i = 0; i < attempts; i++) {
        Path work = Files.createDirectories(dir.resolve("attempt-" + i));
        Callable<Path> attempt = () -> {
          start.await();
          place("tools", archive, work);
          assertThat(run(work, "tools/bin/tool.sh z")).isEqualTo("tool says z\n");
          return work.resolve("tools").toRealPath();
        };
        placed.add(pool.submit(attempt));
      }
      Path first = placed.get(0).get(1, TimeUnit.MINUTES);
      for (Future<Path> f : placed) {
        assertThat(f.get(1, TimeUnit.MINUTES)).isEqualTo(first);
      }
      assertThat(first.getFileName().toString()).isEqualTo(StreamingArchives.digest(archive));
      // The attempt's directory is removed as StreamingProcess removes it: the link, not the copy.
      StreamingArchives.deleteTree(dir.resolve("attempt-0"));
      StreamingArchives.release(StreamingArchives.digest(archive));
      assertThat(first.resolve("bin/tool.sh")).exists();
      // Kept while an attempt uses it; removed once none does (after 10 idle minutes, here at once).
      StreamingArchives.removeIdle(0);
      assertThat(first).exists();
      for (int i = 1; i < attempts; i++) {
        StreamingArchives.release(StreamingArchives.digest(archive));
      }
      StreamingArchives.removeIdle(0);
      assertThat(first).doesNotExist();
      // and unpacked again for the next attempt
      Path again = Files.createDirectories(dir.resolve("attempt-again"));
      place("tools", archive, again);
      assertThat(run(again, "tools/bin/tool.sh v")).isEqualTo("tool says v\n");
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void streamingJob_mapperRunsAScriptOfItsArchive() throws Exception {
    Path input = Files.createDirectories(dir.resolve("in"));
    Files.writeString(input.resolve("a.txt"), "one\ntwo\n");
    String lookup = "#!/bin/sh\nwhile IFS= read -r w; do printf '%s\\t%s\\n' \"$w\" \"$(cat \"$(dirname \"$0\")/../"
        + "share/suffix\")\"; done\n";
    byte[] archive = tar(true, Entry.file("bin/map.sh", lookup, 0755), Entry.file("share/suffix", "!", 0644));
    var spec = MapReduceSpecification.builder()
        .mapper(StreamingMapper.builder(StreamingProgram.builder("venv/bin/map.sh").archive("venv", archive).build())
            .build())
        .input(input.toString()).output(dir.resolve("out").toString()).workDirectory(dir.resolve("work"))
        .reduceTasks(0).build();
    JobResult result = MapReduce.exec(spec).get(60, TimeUnit.SECONDS);
    assertThat(result).isNotNull();
    assertThat(Files.readString(dir.resolve("out/mr-out-00000"))).isEqualTo("one\t!\ntwo\t!\n");
  }
}

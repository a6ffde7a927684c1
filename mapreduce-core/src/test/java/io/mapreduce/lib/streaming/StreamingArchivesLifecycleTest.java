package io.mapreduce.lib.streaming;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mapreduce.internal.codec.JobKryo;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.reflect.Field;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import io.mapreduce.thirdparty.org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import io.mapreduce.thirdparty.org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hard links within the bound, links judged after unpacking, removal of a shared copy an attempt
 * changed, and what writeFiles releases or refuses.
 */
@Timeout(value = 1, unit = TimeUnit.MINUTES)
class StreamingArchivesLifecycleTest {
  @TempDir Path dir;

  /** Entries: {"file", name, text}, {"dir", name}, {"sym", name, target}, {"hard", name, target}. */
  private static byte[] tar(String[]... entries) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (var out = new TarArchiveOutputStream(bytes)) {
      for (String[] e : entries) {
        TarArchiveEntry t = switch (e[0]) {
          case "sym" -> new TarArchiveEntry(e[1], TarArchiveEntry.LF_SYMLINK);
          case "hard" -> new TarArchiveEntry(e[1], TarArchiveEntry.LF_LINK);
          case "dir" -> new TarArchiveEntry(e[1] + "/");
          default -> new TarArchiveEntry(e[1]);
        };
        byte[] data = e[0].equals("file") ? e[2].getBytes(StandardCharsets.UTF_8) : new byte[0];
        if (e[0].equals("sym") || e[0].equals("hard")) {
          t.setLinkName(e[2]);
        } else {
          t.setSize(data.length);
          t.setMode(e[0].equals("dir") ? 040755 : 0100755);
        }
        out.putArchiveEntry(t);
        out.write(data);
        out.closeArchiveEntry();
      }
    }
    return bytes.toByteArray();
  }

  private static String[] file(String name, String text) {
    return new String[] {"file", name, text};
  }

  private static String[] sym(String name, String target) {
    return new String[] {"sym", name, target};
  }

  @Test
  void hardLinks_copiedThroughLinksInside_andCountedTowardsTheBound() throws Exception {
    String text = "x".repeat(600);
    byte[] archive = tar(new String[] {"dir", "sub"}, file("sub/f", text), sym("d", "sub"),
        new String[] {"hard", "copy", "d/f"});

    Path ok = Files.createDirectories(dir.resolve("ok"));
    StreamingArchives.unpack("links.tar", archive, ok, 1200, 100);
    assertThat(Files.readString(ok.resolve("copy"))).isEqualTo(text);
    assertThat(Files.isSymbolicLink(ok.resolve("copy"))).isFalse();

    Path tooMuch = Files.createDirectories(dir.resolve("too-much"));
    assertThatThrownBy(() -> StreamingArchives.unpack("links.tar", archive, tooMuch, 1199, 100))
        .isInstanceOf(IOException.class).hasMessage("archive links.tar unpacks to more than 1199 bytes");
    assertThat(tooMuch.resolve("copy")).as("refused before it is copied").doesNotExist();
  }

  @Test
  void linksMadeAsTarMakesThem_butNothingWrittenThroughOneThatLeadsOutside() throws Exception {
    // A link before its target, as tar lists them in any order: kept.
    Path forward = Files.createDirectories(dir.resolve("forward"));
    StreamingArchives.unpack("fwd.tar", tar(sym("lib64", "lib"), file("lib/x.txt", "x")), forward, 1 << 20, 100);
    assertThat(Files.readString(forward.resolve("lib64/x.txt"))).isEqualTo("x");

    // "up -> y/.." is the directory while y does not exist; "y -> ." then makes it the parent:
    // a file written through it afterwards would land outside, so it is refused.
    Path late = Files.createDirectories(dir.resolve("late"));
    assertThatThrownBy(() -> StreamingArchives.unpack("late.tar", tar(sym("up", "y/.."), sym("y", "."),
        file("up/evil.txt", "x")), late, 1 << 20, 100)).isInstanceOf(IOException.class)
        .hasMessageStartingWith("archive late.tar: entry 'up/evil.txt'");
    assertThat(dir.resolve("evil.txt")).doesNotExist();

    // A link that dangles is kept, as tar keeps it.
    Path broken = Files.createDirectories(dir.resolve("broken"));
    StreamingArchives.unpack("broken.tar", tar(sym("a", "missing/../x")), broken, 1 << 20, 100);
    assertThat(Files.isSymbolicLink(broken.resolve("a"))).isTrue();
  }

  @Test
  void entryUnderAFile_refusedNamingBoth() throws Exception {
    Path target = Files.createDirectories(dir.resolve("under-file"));
    assertThatThrownBy(() -> StreamingArchives.unpack("f.tar", tar(file("f", "x"), file("f/g", "y")), target,
        1 << 20, 100)).hasMessage("archive f.tar: entry 'f/g' is under 'f', which is not a directory");
  }

  /**
   * An attempt made a directory of the shared copy undeletable: as a user, {@code chmod 555}; as
   * root, which permissions do not stop, {@code chattr +i}. Removing the idle copy must not leave
   * the next attempt failing.
   */
  @Test
  void undeletableDirectoryInTheSharedCopy_doesNotBreakTheNextAttempt() throws Exception {
    byte[] archive = tar(file("tool.sh", "#!/bin/sh\necho tool " + System.nanoTime() + "\n"));
    String digest = StreamingArchives.digest(archive);
    Path first = Files.createDirectories(dir.resolve("attempt-1"));
    StreamingArchives.place("tools", archive, digest, first);
    Path copy = first.resolve("tools").toRealPath();
    Path archivesRoot = copy.getParent();
    boolean root = "0".equals(run("id -u").strip());
    try {
      run("mkdir tools/ro && echo x > tools/ro/f", first);
      if (root) {
        Assumptions.assumeTrue(run("chattr +i tools/ro && echo ok || true", first).contains("ok"),
            "chattr +i is not supported on " + copy + " (the test runs as root, so chmod would not stop removal)");
      } else {
        run("chmod 555 tools/ro", first);
      }
      StreamingArchives.deleteTree(first);
      StreamingArchives.release(digest);
      StreamingArchives.removeIdle(0);
      if (!root) {
        assertThat(copy).as("removed although an attempt made a directory read-only").doesNotExist();
      }

      Path second = Files.createDirectories(dir.resolve("attempt-2"));
      StreamingArchives.place("tools", archive, digest, second);
      assertThat(run("sh tools/tool.sh", second)).startsWith("tool ");
      assertThat(second.resolve("tools/ro")).as("a fresh copy").doesNotExist();
      StreamingArchives.deleteTree(second);
      StreamingArchives.release(digest);
      StreamingArchives.removeIdle(0);
    } finally {
      if (root) {
        run("chattr -R -i " + archivesRoot + " 2>/dev/null; true");
      }
      StreamingArchives.removeIdle(0);
      try (var aside = Files.newDirectoryStream(archivesRoot, "removing-*")) {
        aside.forEach(StreamingArchives::deleteTree); // what removal moved aside, now removable
      }
    }
  }

  @Test
  void writeFilesFailingOnAFile_releasesTheArchivesItPlaced() throws Exception {
    byte[] archive = tar(file("id.txt", Long.toString(System.nanoTime())));
    StreamingProgram program = StreamingProgram.builder("true").archive("tools", archive)
        .file("script.sh", "#!/bin/sh\n".getBytes(StandardCharsets.UTF_8), true).build();
    Path work = Files.createDirectories(dir.resolve("work"));
    Files.createDirectory(work.resolve("script.sh")); // the file cannot be written there

    assertThatThrownBy(() -> program.writeFiles(work)).isInstanceOf(IOException.class);

    Path copy = work.resolve("tools").toRealPath();
    StreamingArchives.removeIdle(0);
    assertThat(copy).as("the unpacked copy, no longer used by any attempt").doesNotExist();
  }

  @Test
  void decodedProgramWithAPathAsAFileName_refused() throws Exception {
    StreamingProgram built = StreamingProgram.builder("true").file("f", new byte[] {1}, false).build();
    Field names = StreamingProgram.class.getDeclaredField("fileNames");
    names.setAccessible(true);
    ((String[]) names.get(built))[0] = "../f";
    StreamingProgram shipped = JobKryo.fromBytes(JobKryo.toBytes(built));
    Path work = Files.createDirectories(dir.resolve("work"));

    assertThatThrownBy(() -> shipped.writeFiles(work)).isInstanceOf(IOException.class)
        .hasMessage("streaming program 'true': bad file or archive name '../f'");
    assertThat(dir.resolve("f")).doesNotExist();
  }

  private static String run(String command) throws Exception {
    return run(command, Path.of("."));
  }

  private static String run(String command, Path workDir) throws Exception {
    Process p = new ProcessBuilder("/bin/sh", "-c", command).directory(workDir.toFile()).redirectErrorStream(true)
        .start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(command + ": " + out).isZero();
    return out;
  }
}

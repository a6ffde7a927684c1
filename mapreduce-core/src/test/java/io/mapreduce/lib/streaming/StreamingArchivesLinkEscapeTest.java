package io.mapreduce.lib.streaming;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import io.mapreduce.thirdparty.org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import io.mapreduce.thirdparty.org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Review finding: link targets were checked lexically (normalize()), but the kernel resolves ".."
 * after following a link. "z -> ." then "up -> z/.." is the parent of the unpack directory for
 * real; a hard link through it must not copy a file from outside. (Links themselves may point
 * anywhere, as tar makes them; nothing is written or copied through one that leads outside.)
 */
@Timeout(value = 1, unit = TimeUnit.MINUTES)
class StreamingArchivesLinkEscapeTest {
  @TempDir Path dir;

  private static byte[] tar(String[]... entries) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (var out = new TarArchiveOutputStream(bytes)) {
      for (String[] e : entries) {
        TarArchiveEntry t = new TarArchiveEntry(e[1], e[0].equals("sym") ? TarArchiveEntry.LF_SYMLINK
            : TarArchiveEntry.LF_LINK);
        t.setLinkName(e[2]);
        out.putArchiveEntry(t);
        out.closeArchiveEntry();
      }
    }
    return bytes.toByteArray();
  }

  @Test
  void hardLinkThroughALinkThatLeadsOutside_refused() throws Exception {
    Files.writeString(dir.resolve("secret.txt"), "outside the archive\n");
    Path target = Files.createDirectories(dir.resolve("unpacked"));
    byte[] archive = tar(new String[] {"sym", "z", "."}, new String[] {"sym", "up", "z/.."},
        new String[] {"hard", "stolen", "up/secret.txt"});

    Throwable thrown = catchThrowable(() -> StreamingArchives.unpack("evil.tar", archive, target, 1 << 20, 100));

    assertThat(target.resolve("stolen")).as("a file copied from outside the archive").doesNotExist();
    assertThat(thrown).isInstanceOf(IOException.class).hasMessage("archive evil.tar: entry 'stolen' escapes its"
        + " directory through a link");
  }

  /**
   * Review finding: hard links are copied (Files.copy) without adding to the byte count, so an
   * archive of one big file and many hard links to it unpacks far beyond MAX_UNPACKED_BYTES.
   */
  @Test
  void hardLinkCopies_countTowardsTheUnpackedBytesBound() throws Exception {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (var out = new TarArchiveOutputStream(bytes)) {
      TarArchiveEntry f = new TarArchiveEntry("big");
      f.setSize(600);
      out.putArchiveEntry(f);
      out.write(new byte[600]);
      out.closeArchiveEntry();
      for (int i = 0; i < 5; i++) {
        TarArchiveEntry h = new TarArchiveEntry("copy" + i, TarArchiveEntry.LF_LINK);
        h.setLinkName("big");
        out.putArchiveEntry(h);
        out.closeArchiveEntry();
      }
    }
    Path target = Files.createDirectories(dir.resolve("bomb"));

    Throwable thrown = catchThrowable(() -> StreamingArchives.unpack("bomb.tar", bytes.toByteArray(), target, 1000, 100));

    long onDisk = 0;
    try (var files = Files.list(target)) {
      for (Path p : (Iterable<Path>) files::iterator) {
        onDisk += Files.size(p);
      }
    }
    assertThat(thrown).as("unpacked %d bytes with a bound of 1000", onDisk).isInstanceOf(IOException.class)
        .hasMessageContaining("more than 1000 bytes");
  }
}

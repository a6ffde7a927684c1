package io.mapreduce.lib.streaming;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.mapreduce.internal.codec.JobKryo;
import java.io.ByteArrayOutputStream;
import java.lang.reflect.Field;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import io.mapreduce.thirdparty.org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import io.mapreduce.thirdparty.org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Review finding: a StreamingProgram's archive digests travel in the job's Kryo bytes and are
 * trusted by the worker: used as a file name (resolveSibling(digest), deleteTree) and as the key of
 * the JVM's unpacked copy. A digest of "../NAME" deletes and replaces a directory outside the
 * archives' root.
 */
@Timeout(value = 1, unit = TimeUnit.MINUTES)
class StreamingArchivesDigestTrustTest {
  @TempDir Path dir;

  @Test
  void aShippedDigestIsRecomputedOrChecked_notUsedAsAPath() throws Exception {
    Path victim = Files.createDirectories(dir.resolve("victim"));
    Files.writeString(victim.resolve("keep.txt"), "must survive\n");
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (var out = new TarArchiveOutputStream(bytes)) {
      TarArchiveEntry f = new TarArchiveEntry("x.txt");
      f.setSize(1);
      out.putArchiveEntry(f);
      out.write('x');
      out.closeArchiveEntry();
    }
    StreamingProgram built = StreamingProgram.builder("true").archive("a", bytes.toByteArray()).build();
    Field digests = StreamingProgram.class.getDeclaredField("archiveDigests");
    digests.setAccessible(true);
    // What a peer can put in the job's bytes: the field decodes as sent (no constructor runs).
    ((String[]) digests.get(built))[0] = "../" + dir.getFileName() + "/victim";
    StreamingProgram shipped = JobKryo.fromBytes(JobKryo.toBytes(built));

    Path work = Files.createDirectories(dir.resolve("work"));
    Throwable thrown = catchThrowable(() -> shipped.writeFiles(work));

    assertThat(victim.resolve("keep.txt")).as("a directory outside the archives' root, named by a shipped digest")
        .exists();
    assertThat(thrown).isNotNull();
  }
}

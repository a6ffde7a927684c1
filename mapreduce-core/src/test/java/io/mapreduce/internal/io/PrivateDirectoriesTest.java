package io.mapreduce.internal.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.mapreduce.MapReduce;
import io.mapreduce.MapReduceSpecification;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Work directories: 0700, and never one another user made or can write to. */
class PrivateDirectoriesTest {
  @TempDir Path dir;

  private static String mode(Path p) throws IOException {
    return PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
  }

  @Test
  void ensure_absent_createdOwnerOnly_parentsToo() throws IOException {
    Path work = dir.resolve("a/b/work");
    assertThat(PrivateDirectories.ensure(work)).isEqualTo(work);
    assertThat(mode(work)).isEqualTo("rwx------");
  }

  @Test
  void ensure_oursButReadableByOthers_tightened() throws IOException {
    Path work = Files.createDirectory(dir.resolve("work"), PosixFilePermissions.asFileAttribute(
        PosixFilePermissions.fromString("rwxr-xr-x")));
    Files.setPosixFilePermissions(work, PosixFilePermissions.fromString("rwxr-xr-x"));
    PrivateDirectories.ensure(work);
    assertThat(mode(work)).isEqualTo("rwx------");
  }

  @Test
  void ensure_writableByOthers_refusedInOneLine() throws IOException {
    Path work = Files.createDirectory(dir.resolve("work"));
    Files.setPosixFilePermissions(work, PosixFilePermissions.fromString("rwxrwxrwx"));
    assertThatThrownBy(() -> PrivateDirectories.ensure(work)).isInstanceOf(IOException.class)
        .hasMessage("the work directory " + work + " is writable by others (mode rwxrwxrwx): refusing to use it"
            + " (chmod 700 it or choose another)");
    assertThat(mode(work)).isEqualTo("rwxrwxrwx");
  }

  @Test
  void ensure_anotherUsersLinkToOurDirectory_refused_ourOwnLinkFollowed() throws Exception {
    Path ours = Files.createDirectory(dir.resolve("ours"), PosixFilePermissions.asFileAttribute(
        PosixFilePermissions.fromString("rwx------")));
    Path ownLink = Files.createSymbolicLink(dir.resolve("own-link"), ours);
    assertThat(PrivateDirectories.ensure(ownLink)).isEqualTo(ownLink);

    Path theirLink = Files.createSymbolicLink(dir.resolve("their-link"), ours);
    try {
      UserPrincipal nobody = theirLink.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("nobody");
      Files.getFileAttributeView(theirLink, java.nio.file.attribute.PosixFileAttributeView.class,
          java.nio.file.LinkOption.NOFOLLOW_LINKS).setOwner(nobody);
    } catch (IOException | UnsupportedOperationException notRootHere) {
      assumeTrue(false, "changing a link's owner needs root");
      return;
    }
    assertThatThrownBy(() -> PrivateDirectories.ensure(theirLink)).isInstanceOf(IOException.class)
        .hasMessage("the work directory " + theirLink + " is a symbolic link of nobody's, not of "
            + System.getProperty("user.name") + "'s: refusing to use it (choose another)");
  }

  @Test
  void ensure_ownedByAnotherUser_refused_alsoByTheEmbeddedEngine() throws Exception {
    Path work = Files.createDirectory(dir.resolve("theirs"));
    UserPrincipal nobody;
    try {
      nobody = work.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("nobody");
      Files.setOwner(work, nobody);
    } catch (IOException | UnsupportedOperationException notRootHere) {
      assumeTrue(false, "changing a directory's owner needs root");
      return;
    }
    Files.setPosixFilePermissions(work, PosixFilePermissions.fromString("rwx------"));
    assertThatThrownBy(() -> PrivateDirectories.ensure(work)).isInstanceOf(IOException.class)
        .hasMessage("the work directory " + work + " belongs to nobody, not to " + System.getProperty("user.name")
            + ": refusing to use it (choose another)");
    // A link to it is refused the same way.
    Path link = Files.createSymbolicLink(dir.resolve("link"), work);
    assertThatThrownBy(() -> PrivateDirectories.ensure(link)).hasMessageContaining("belongs to nobody");

    Path in = Files.writeString(dir.resolve("in.txt"), "a b a\n");
    var spec = MapReduceSpecification.builder().mapper(new Words()).reducer(new Count())
        .input(in.toString()).output(dir.resolve("out").toString()).workDirectory(work).build();
    assertThatThrownBy(() -> MapReduce.exec(spec).get()).isInstanceOf(ExecutionException.class)
        .hasMessageContaining("belongs to nobody");
    assertThat(Files.list(work)).isEmpty();
  }

  static final class Words extends io.mapreduce.Mapper<String, Long> {
    @Override
    public void map(long offset, String line, io.mapreduce.Emitter<String, Long> emitter) {
      for (String w : line.split(" ")) {
        emitter.emit(w, 1L);
      }
    }
  }

  static final class Count extends io.mapreduce.Reducer<String, Long> {
    @Override
    public void reduce(String key, Iterable<Long> values, io.mapreduce.Emitter<String, Long> emitter) {
      emitter.emit(key, 1L);
    }
  }

  @Test
  void createTemporary_unpredictableAndOwnerOnly() throws IOException {
    Path a = PrivateDirectories.createTemporary("mapreduce-test-");
    Path b = PrivateDirectories.createTemporary("mapreduce-test-");
    try {
      assertThat(a).isNotEqualTo(b);
      assertThat(a.getFileName().toString()).startsWith("mapreduce-test-").hasSizeGreaterThan(25);
      assertThat(mode(a)).isEqualTo("rwx------");
    } finally {
      Files.delete(a);
      Files.delete(b);
    }
  }
}

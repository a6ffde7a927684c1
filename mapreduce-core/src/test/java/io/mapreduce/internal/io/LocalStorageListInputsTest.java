package io.mapreduce.internal.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mapreduce.spi.InputFile;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** How one input (a file, a directory or a glob) expands to files, and how a missing one fails. */
class LocalStorageListInputsTest {
  @TempDir Path tmp;
  private Path dir;

  @BeforeEach
  void createFiles() throws IOException {
    dir = Files.createDirectory(tmp.resolve("dir"));
    for (int i = 0; i < 5; i++) {
      // Distinct lengths, so a mix-up of lengths shows.
      write(dir.resolve(String.format("part-%03d.txt", i)), "x".repeat(i + 1));
    }
    write(dir.resolve("notes.md"), "not text input");
    write(dir.resolve("_SUCCESS"), "");
    write(dir.resolve("_part-009.txt"), "hidden by underscore");
    write(dir.resolve(".part-008.txt"), "hidden by dot");
    write(dir.resolve(".crc"), "hidden");
    Files.createDirectory(dir.resolve("sub"));
    write(dir.resolve("sub/part-100.txt"), "in a subdirectory");
  }

  @Test
  void listInputs_directory_skipsHiddenNamesAndSubdirectoriesInPathOrder() throws IOException {
    List<InputFile> files = LocalStorage.INSTANCE.listInputs(dir.toString());

    assertThat(files).containsExactly(
        file(dir.resolve("notes.md"), 14),
        file(dir.resolve("part-000.txt"), 1),
        file(dir.resolve("part-001.txt"), 2),
        file(dir.resolve("part-002.txt"), 3),
        file(dir.resolve("part-003.txt"), 4),
        file(dir.resolve("part-004.txt"), 5));
  }

  @Test
  void listInputs_singleFile_isThatFileWithItsLength() throws IOException {
    Path f = dir.resolve("part-003.txt");
    assertThat(LocalStorage.INSTANCE.listInputs(f.toString())).containsExactly(file(f, 4));
  }

  @Test
  void listInputs_absoluteCharacterClassGlob_matchesOnlyThatRange() throws IOException {
    String pattern = dir + "/part-00[0-2].txt";
    assertThat(LocalStorage.INSTANCE.listInputs(pattern)).containsExactly(
        file(dir.resolve("part-000.txt"), 1), file(dir.resolve("part-001.txt"), 2), file(dir.resolve("part-002.txt"), 3));
  }

  @Test
  void listInputs_relativeCharacterClassGlob_keepsTheRelativeSpelling() throws IOException {
    String rel = relative(dir);
    List<InputFile> files = LocalStorage.INSTANCE.listInputs(rel + "/part-00[0-2].txt");

    assertThat(files).extracting(InputFile::path)
        .containsExactly(rel + "/part-000.txt", rel + "/part-001.txt", rel + "/part-002.txt");
    assertThat(files).extracting(InputFile::length).containsExactly(1L, 2L, 3L);
    assertThat(Path.of(files.get(0).path()).isAbsolute()).isFalse();
  }

  @Test
  void listInputs_starGlob_absoluteAndRelative_skipHiddenNames() throws IOException {
    List<String> expected = List.of("part-000.txt", "part-001.txt", "part-002.txt", "part-003.txt", "part-004.txt");

    List<InputFile> absolute = LocalStorage.INSTANCE.listInputs(dir + "/*.txt");
    assertThat(absolute).extracting(InputFile::path)
        .containsExactlyElementsOf(expected.stream().map(n -> dir.resolve(n).toString()).toList());

    String rel = relative(dir);
    List<InputFile> relative = LocalStorage.INSTANCE.listInputs(rel + "/*.txt");
    assertThat(relative).extracting(InputFile::path)
        .containsExactlyElementsOf(expected.stream().map(n -> rel + "/" + n).toList());
    assertThat(relative).extracting(InputFile::length).containsExactly(1L, 2L, 3L, 4L, 5L);
  }

  @Test
  void listInputs_questionMarkAndBraceGlobs_matchAsGlobsDo() throws IOException {
    assertThat(LocalStorage.INSTANCE.listInputs(dir + "/part-00?.txt")).hasSize(5);
    assertThat(LocalStorage.INSTANCE.listInputs(dir + "/{notes.md,part-004.txt}")).extracting(InputFile::path)
        .containsExactly(dir.resolve("notes.md").toString(), dir.resolve("part-004.txt").toString());
  }

  @Test
  void listInputs_globInDirectorySegment_expandsEachMatchingDirectory() throws IOException {
    Path other = Files.createDirectory(tmp.resolve("dir2"));
    write(other.resolve("part-000.txt"), "abcdefghij");
    Files.createDirectory(tmp.resolve("_dir3"));
    write(tmp.resolve("_dir3/part-000.txt"), "hidden directory");

    assertThat(LocalStorage.INSTANCE.listInputs(tmp + "/dir*/part-000.txt")).containsExactly(
        file(dir.resolve("part-000.txt"), 1), file(other.resolve("part-000.txt"), 10));
    assertThat(LocalStorage.INSTANCE.listInputs(tmp + "/*/part-000.txt")).hasSize(2);
  }

  @Test
  void listInputs_globMatchingADirectory_listsItsFiles() throws IOException {
    assertThat(LocalStorage.INSTANCE.listInputs(tmp + "/d?r")).extracting(InputFile::path)
        .containsExactlyElementsOf(LocalStorage.INSTANCE.listInputs(dir.toString()).stream().map(InputFile::path).toList())
        .hasSize(6);
  }

  @Test
  void listInputs_missingPath_throwsNoSuchFileNamingTheInput() {
    String missing = dir + "/no-such-file.txt";
    assertThatThrownBy(() -> LocalStorage.INSTANCE.listInputs(missing))
        .isInstanceOf(NoSuchFileException.class)
        .hasMessageContaining(missing);
  }

  @Test
  void listInputs_missingRelativePath_throwsNoSuchFileNamingTheInputAsSpelled() {
    String missing = relative(dir) + "/../no-such-dir/x.txt";
    assertThatThrownBy(() -> LocalStorage.INSTANCE.listInputs(missing))
        .isInstanceOf(NoSuchFileException.class)
        .hasMessageContaining(missing);
  }

  @Test
  void listInputs_globMatchingNothing_throwsNoSuchFileNamingTheInput() {
    for (String pattern : List.of(dir + "/*.csv", relative(dir) + "/part-00[5-9].txt", tmp + "/nowhere/*.txt",
        dir + "/_*")) {
      assertThatThrownBy(() -> LocalStorage.INSTANCE.listInputs(pattern))
          .as(pattern)
          .isInstanceOf(NoSuchFileException.class)
          .hasMessageContaining(pattern);
    }
  }

  private static void write(Path p, String s) throws IOException {
    Files.writeString(p, s, StandardCharsets.UTF_8);
  }

  private static InputFile file(Path p, long length) {
    return new InputFile(p.toString(), length);
  }

  /** The path as a relative spelling from the working directory (such as {@code ../../../tmp/junit1/dir}). */
  private static String relative(Path p) {
    String rel = Path.of("").toAbsolutePath().relativize(p.toAbsolutePath()).toString();
    assertThat(Path.of(rel).isAbsolute()).isFalse();
    return rel;
  }
}

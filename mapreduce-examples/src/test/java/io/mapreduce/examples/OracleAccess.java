package io.mapreduce.examples;

import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;

/** The {@link Oracle} for tests in other packages, on lines as plain strings. */
public final class OracleAccess {
  private OracleAccess() {}

  /** Orders strings by their UTF-8 bytes, as {@code LC_ALL=C sort} does. */
  public static final Comparator<String> UTF8 = Oracle.UTF8;

  /** The bundled sample corpus (tests run in the examples module's directory). */
  public static Path sample() {
    return Path.of("sample").toAbsolutePath();
  }

  /** The lines of a file's contents: {@code \n}, {@code \r\n} and {@code \r} end a line. */
  public static List<String> lines(byte[] contents) {
    return Oracle.lines(contents, "file").stream().map(Oracle.Line::text).toList();
  }

  /** Word count of lines: {@code word<TAB>count} in UTF-8 order of the words. */
  public static List<String> wordCount(List<String> lines) {
    return Oracle.wordCount(lines.stream().map(l -> new Oracle.Line("file", 0, l)).toList());
  }
}

package io.mapreduce.examples.cli;

import io.mapreduce.format.InputFormat;
import io.mapreduce.format.OutputFormat;
import java.util.Locale;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** The command line's names of input and output formats. */
final class Formats {
  private Formats() {}

  /**
   * {@code text}, {@code combined} (small files packed into splits) or {@code nlines:N}: the
   * formats of lines, which the bundled jobs and streaming programs read.
   */
  static final class Input implements ITypeConverter<InputFormat<Long, String>> {
    @Override
    public InputFormat<Long, String> convert(String value) {
      String v = value.trim().toLowerCase(Locale.ROOT);
      if (v.equals("text")) {
        return InputFormat.text();
      }
      if (v.equals("combined")) {
        return InputFormat.combinedText();
      }
      if (v.startsWith("nlines:")) {
        try {
          int n = Integer.parseInt(v.substring("nlines:".length()));
          if (n > 0) {
            return InputFormat.nLines(n);
          }
        } catch (NumberFormatException e) {
          // said below
        }
      }
      throw new TypeConversionException("'" + value + "' is not an input format of lines (text, combined, nlines:N"
          + " with N > 0)");
    }
  }

  /** {@code text}, {@code gzip}, {@code zstd} (compressed text) or {@code pairs} (typed binary pairs). */
  static final class Output implements ITypeConverter<OutputFormat> {
    @Override
    public OutputFormat convert(String value) {
      return switch (value.trim().toLowerCase(Locale.ROOT)) {
        case "text" -> OutputFormat.text();
        case "gzip", "gz" -> OutputFormat.gzipText();
        case "zstd", "zst" -> OutputFormat.zstdText();
        case "pairs" -> OutputFormat.pairs();
        default -> throw new TypeConversionException("'" + value + "' is not an output format (text, gzip, zstd,"
            + " pairs)");
      };
    }
  }
}

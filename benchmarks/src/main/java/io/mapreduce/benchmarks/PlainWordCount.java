package io.mapreduce.benchmarks;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.PrintStream;
import java.io.Reader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The baseline of the end-to-end comparison: word count as one would write it without a
 * framework. One thread reads each file through a UTF-8 {@link InputStreamReader} into a char
 * buffer, finds words the way the examples do (maximal runs of code points for which
 * {@link Character#isLetter(int)} holds, case kept) and counts them in a {@code HashMap}. Writes
 * {@code word<TAB>count} lines sorted by code point, which is the order of their UTF-8 bytes and of
 * {@code LC_ALL=C sort}, so its output compares line for line with the sorted output of
 * {@code mapreduce wordcount}.
 *
 * <pre>
 * java -cp benchmarks/target/benchmarks.jar io.mapreduce.benchmarks.PlainWordCount \
 *     --output FILE INPUT...
 * </pre>
 *
 * <p>An INPUT directory stands for the regular files in it whose names do not start with
 * {@code _} or {@code .}, as for mapreduce. Without {@code --output} the counts go to stdout.
 */
public final class PlainWordCount {
  static final int BUFFER_CHARS = 64 << 10;

  private final Map<String, long[]> counts = new HashMap<>(1 << 16);

  public static void main(String[] args) {
    System.exit(run(args, System.out, System.err));
  }

  static int run(String[] args, PrintStream out, PrintStream err) {
    Path output = null;
    List<Path> inputs = new ArrayList<>();
    for (int i = 0; i < args.length; i++) {
      if (args[i].equals("--output") && i + 1 < args.length) {
        output = Path.of(args[++i]);
      } else if (args[i].startsWith("-")) {
        err.println("usage: PlainWordCount [--output FILE] INPUT...");
        return 2;
      } else {
        inputs.add(Path.of(args[i]));
      }
    }
    if (inputs.isEmpty()) {
      err.println("usage: PlainWordCount [--output FILE] INPUT...");
      return 2;
    }
    try {
      PlainWordCount wc = new PlainWordCount();
      for (Path file : listInputs(inputs)) {
        try (Reader r = new InputStreamReader(Files.newInputStream(file), StandardCharsets.UTF_8)) {
          wc.count(r, BUFFER_CHARS);
        }
      }
      if (output == null) {
        Writer w = new OutputStreamWriter(out, StandardCharsets.UTF_8);
        wc.writeSorted(w);
        w.flush();
      } else {
        try (Writer w = Files.newBufferedWriter(output, StandardCharsets.UTF_8)) {
          wc.writeSorted(w);
        }
      }
      return 0;
    } catch (IOException e) {
      err.println("PlainWordCount: " + e);
      return 1;
    }
  }

  static List<Path> listInputs(List<Path> inputs) throws IOException {
    List<Path> files = new ArrayList<>();
    for (Path p : inputs) {
      if (Files.isDirectory(p)) {
        try (Stream<Path> s = Files.list(p)) {
          s.filter(Files::isRegularFile)
              .filter(f -> !f.getFileName().toString().startsWith("_") && !f.getFileName().toString().startsWith("."))
              .sorted()
              .forEach(files::add);
        }
      } else {
        files.add(p);
      }
    }
    return files;
  }

  /**
   * Counts the words of a stream. A word may straddle two reads, and so may a surrogate pair: the
   * unfinished tail of the buffer moves to its front before the next read.
   */
  void count(Reader in, int bufferChars) throws IOException {
    char[] buf = new char[Math.max(2, bufferChars)];
    int limit = 0;
    int pos = 0;
    int wordStart = -1;
    boolean eof = false;
    while (!eof) {
      int n = in.read(buf, limit, buf.length - limit);
      if (n < 0) {
        eof = true;
      } else {
        limit += n;
      }
      while (pos < limit) {
        char c = buf[pos];
        int cp = c;
        int width = 1;
        if (Character.isHighSurrogate(c)) {
          if (pos + 1 == limit && !eof) {
            break; // its low surrogate has not been read yet
          }
          cp = Character.codePointAt(buf, pos, limit);
          width = Character.charCount(cp);
        }
        if (Character.isLetter(cp)) {
          if (wordStart < 0) {
            wordStart = pos;
          }
        } else if (wordStart >= 0) {
          add(new String(buf, wordStart, pos - wordStart));
          wordStart = -1;
        }
        pos += width;
      }
      if (eof) {
        break;
      }
      // Keep the unfinished word (or the lone high surrogate) for the next read.
      int keep = wordStart >= 0 ? wordStart : pos;
      if (keep == 0 && limit == buf.length) {
        buf = Arrays.copyOf(buf, buf.length * 2);
      } else if (keep > 0) {
        System.arraycopy(buf, keep, buf, 0, limit - keep);
        limit -= keep;
        pos -= keep;
        if (wordStart >= 0) {
          wordStart = 0;
        }
      }
    }
    if (wordStart >= 0) {
      add(new String(buf, wordStart, pos - wordStart));
    }
  }

  private void add(String word) {
    long[] c = counts.get(word);
    if (c == null) {
      counts.put(word, new long[] {1});
    } else {
      c[0]++;
    }
  }

  /** The counts so far, for tests. */
  Map<String, Long> counts() {
    Map<String, Long> m = new HashMap<>();
    counts.forEach((w, c) -> m.put(w, c[0]));
    return m;
  }

  void writeSorted(Writer out) throws IOException {
    String[] words = counts.keySet().toArray(String[]::new);
    Arrays.sort(words, PlainWordCount::compareCodePoints);
    Writer w = out instanceof BufferedWriter ? out : new BufferedWriter(out, 1 << 16);
    for (String word : words) {
      w.write(word);
      w.write('\t');
      w.write(Long.toString(counts.get(word)[0]));
      w.write('\n');
    }
    w.flush();
  }

  /** Code point order, which is UTF-8 byte order (String.compareTo compares UTF-16 units). */
  static int compareCodePoints(String a, String b) {
    int i = 0;
    int j = 0;
    while (i < a.length() && j < b.length()) {
      int x = a.codePointAt(i);
      int y = b.codePointAt(j);
      if (x != y) {
        return Integer.compare(x, y);
      }
      i += Character.charCount(x);
      j += Character.charCount(y);
    }
    return Integer.compare(a.length() - i, b.length() - j);
  }
}

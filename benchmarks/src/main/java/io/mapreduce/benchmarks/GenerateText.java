package io.mapreduce.benchmarks;

import io.mapreduce.examples.cli.DataSizes;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Generates deterministic UTF-8 text for word count benchmarks: Zipf-distributed words from a
 * {@link Vocabulary synthesized vocabulary}, with punctuation, digits and a few CRLF line endings
 * between them, in lines of varying length (some empty, some hundreds of words long). The same
 * arguments give the same bytes on every machine and JDK.
 *
 * <pre>
 * java -cp benchmarks/target/benchmarks.jar io.mapreduce.benchmarks.GenerateText \
 *     --size 256m --files 4 --out DIR [--seed 1] [--vocabulary 5000] [--zipf 1.0] [--lines text]
 * </pre>
 *
 * <p>{@code --lines keyed} writes {@link KeyedLines} ({@code word<TAB>number<TAB>payload}, for
 * key-field sorts) instead of text.
 *
 * <p>Writes {@code DIR/text-00.txt} and on, together {@code --size} bytes or a little less (each
 * file ends at the end of a line, never past its share). Creates DIR if needed; replaces files of
 * the same names.
 */
public final class GenerateText {
  static final long DEFAULT_SEED = 1;
  static final int DEFAULT_VOCABULARY = 5000;
  static final double DEFAULT_ZIPF = 1.0;

  private static final String USAGE = "usage: GenerateText --size SIZE --files N --out DIR"
      + " [--seed N] [--vocabulary N] [--zipf S] [--lines text|keyed]\n  SIZE: bytes, or with a binary unit: 512k, 256m, 1g";

  /** Separators between words, after the single space; some hold non-letters the tokenizer must skip. */
  private static final String[] SEPARATORS = {
      ", ", ". ", "; ", ": ", " - ", " \u2014 ", " (", ") ", "'", "-", " \"", "\" ", "\t", " & ", "_", " 1984 ",
      " 42 ", "\u00a0", " \u00ab", "\u00bb ", "/"};
  private static final String[] LINE_ENDS = {"", "", ".", ".", ".", "!", "?", "...", ":", ";"};
  private static final byte[] SPACE = {' '};
  private static final byte[] LF = {'\n'};
  private static final byte[] CRLF = {'\r', '\n'};

  final byte[][] words;
  final Zipf zipf;
  private final byte[][] separators;
  private final byte[][] lineEnds;
  private final long seed;
  private long wordsWritten;

  GenerateText(long seed, int vocabularySize, double zipfExponent) {
    List<String> vocabulary = Vocabulary.synthesize(vocabularySize, seed, Vocabulary.Alphabet.MIXED);
    this.words = vocabulary.stream().map(w -> w.getBytes(StandardCharsets.UTF_8)).toArray(byte[][]::new);
    this.zipf = new Zipf(words.length, zipfExponent);
    this.separators = utf8(SEPARATORS);
    this.lineEnds = utf8(LINE_ENDS);
    this.seed = seed;
  }

  private static byte[][] utf8(String[] strings) {
    return Arrays.stream(strings).map(s -> s.getBytes(StandardCharsets.UTF_8)).toArray(byte[][]::new);
  }

  public static void main(String[] args) {
    System.exit(run(args, System.out, System.err));
  }

  static int run(String[] args, PrintStream out, PrintStream err) {
    Long size = null;
    int files = 1;
    Path dir = null;
    long seed = DEFAULT_SEED;
    int vocabulary = DEFAULT_VOCABULARY;
    double zipfExponent = DEFAULT_ZIPF;
    boolean keyed = false;
    try {
      for (int i = 0; i < args.length; i++) {
        String a = args[i];
        if (a.equals("-h") || a.equals("--help")) {
          out.println(USAGE);
          return 0;
        }
        if (i + 1 >= args.length) {
          throw new IllegalArgumentException(a + " needs a value");
        }
        String v = args[++i];
        switch (a) {
          case "--size" -> size = parseSize(v);
          case "--files" -> files = Integer.parseInt(v);
          case "--out" -> dir = Path.of(v);
          case "--seed" -> seed = Long.parseLong(v);
          case "--vocabulary" -> vocabulary = Integer.parseInt(v);
          case "--zipf" -> zipfExponent = Double.parseDouble(v);
          case "--lines" -> keyed = switch (v) {
            case "text" -> false;
            case "keyed" -> true;
            default -> throw new IllegalArgumentException("--lines must be text or keyed but was " + v);
          };
          default -> throw new IllegalArgumentException("unknown option " + a);
        }
      }
      if (size == null || dir == null) {
        throw new IllegalArgumentException("--size and --out are required");
      }
      if (files < 1 || files > 100_000) {
        throw new IllegalArgumentException("--files must be between 1 and 100000 but was " + files);
      }
      if (vocabulary < 1) {
        throw new IllegalArgumentException("--vocabulary must be positive but was " + vocabulary);
      }
      if (!(zipfExponent > 0)) {
        throw new IllegalArgumentException("--zipf must be positive but was " + zipfExponent);
      }
    } catch (IllegalArgumentException e) {
      err.println("GenerateText: " + e.getMessage());
      err.println(USAGE);
      return 2;
    }
    try {
      long start = System.nanoTime();
      GenerateText generator = new GenerateText(seed, vocabulary, zipfExponent);
      KeyedLines keyedLines = keyed ? new KeyedLines(generator.words, generator.zipf, seed) : null;
      Files.createDirectories(dir);
      long total = 0;
      for (int f = 0; f < files; f++) {
        long share = size / files + (f < size % files ? 1 : 0);
        Path file = dir.resolve(fileName(f, files));
        try (OutputStream o = new BufferedOutputStream(Files.newOutputStream(file), 1 << 20)) {
          total += keyed ? keyedLines.write(f, share, o) : generator.write(f, share, o);
        }
      }
      err.printf(Locale.ROOT, "GenerateText: %d files, %,d bytes, %,d %s (vocabulary %d, zipf %.2f, seed %d)"
          + " in %s, %.1f s%n", files, total, keyed ? keyedLines.lines() : generator.wordsWritten,
          keyed ? "keyed lines" : "words", vocabulary, zipfExponent, seed, dir, (System.nanoTime() - start) / 1e9);
      return 0;
    } catch (IOException e) {
      err.println("GenerateText: " + e);
      return 1;
    }
  }

  static String fileName(int index, int files) {
    int digits = Math.max(2, String.valueOf(files - 1).length());
    return String.format(Locale.ROOT, "text-%0" + digits + "d.txt", index);
  }

  /** A size such as 256m or 1g, as the command line parses it. */
  static long parseSize(String value) {
    return DataSizes.parse(value);
  }


  /**
   * Writes file number {@code index}: whole lines, at most {@code limit} bytes. Each file has its
   * own random stream, so a file's bytes depend only on the seed, its index and its share.
   */
  long write(int index, long limit, OutputStream out) throws IOException {
    SplitMix64 random = new SplitMix64(seed * 0x9e3779b97f4a7c15L + index);
    byte[] line = new byte[4096];
    long written = 0;
    while (true) {
      int n = 0;
      int kind = random.nextInt(100);
      int count = kind < 4 ? 0 : kind < 6 ? random.nextInt(40, 200) : random.nextInt(1, 18);
      long lineWords = 0;
      for (int w = 0; w < count; w++) {
        if (w > 0) {
          byte[] sep = random.nextInt(100) < 85 ? SPACE : separators[random.nextInt(separators.length)];
          line = append(line, n, sep);
          n += sep.length;
        }
        byte[] word = words[zipf.sample(random)];
        line = append(line, n, word);
        n += word.length;
        lineWords++;
      }
      if (count > 0) {
        byte[] end = lineEnds[random.nextInt(lineEnds.length)];
        line = append(line, n, end);
        n += end.length;
      }
      byte[] eol = random.nextInt(50) == 0 ? CRLF : LF;
      line = append(line, n, eol);
      n += eol.length;
      if (written + n > limit) {
        return written;
      }
      out.write(line, 0, n);
      written += n;
      wordsWritten += lineWords;
    }
  }

  private static byte[] append(byte[] buf, int at, byte[] bytes) {
    if (buf.length - at < bytes.length) {
      buf = Arrays.copyOf(buf, Math.max(buf.length * 2, at + bytes.length));
    }
    System.arraycopy(bytes, 0, buf, at, bytes.length);
    return buf;
  }
}

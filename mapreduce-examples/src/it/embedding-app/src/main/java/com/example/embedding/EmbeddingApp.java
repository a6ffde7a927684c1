package com.example.embedding;

import com.google.common.util.concurrent.CheckedFuture;
import com.google.common.util.concurrent.Futures;
import com.google.common.util.concurrent.ListenableFuture;
import com.google.common.util.concurrent.ListeningExecutorService;
import com.google.common.util.concurrent.MoreExecutors;
import io.mapreduce.netty.LocalCluster;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * An application with Spark, Guava 27 and an older Netty that embeds the mapreduce library (issue
 * 18). In one JVM it runs, and checks against an oracle computed in plain Java: its own use of
 * Guava 27, the library's jobs embedded (a record key and an enum key), the same jobs on a local
 * cluster, and a Spark job with Kryo. Every part runs even when an earlier one failed; each
 * failure is printed with its stack trace, and the exit code is 1 if any part failed. Only when
 * all passed does it write {@code PASSED} in its work directory (emptied when it starts).
 *
 * <pre>
 * java @spark-jvm.options -cp ... com.example.embedding.EmbeddingApp --order=NAME --work=DIR
 * </pre>
 */
public final class EmbeddingApp {
  private EmbeddingApp() {}

  public static void main(String[] args) throws Exception {
    String order = null;
    Path work = null;
    for (String arg : args) {
      if (arg.startsWith("--order=")) {
        order = arg.substring("--order=".length());
      } else if (arg.startsWith("--work=")) {
        work = Path.of(arg.substring("--work=".length())).toAbsolutePath();
      } else {
        System.err.println("EmbeddingApp: unknown argument '" + arg + "'");
        System.exit(2);
      }
    }
    if (order == null || work == null) {
      System.err.println("EmbeddingApp: --order=NAME and --work=DIR are required");
      System.exit(2);
    }
    if (Files.exists(work)) {
      try (Stream<Path> old = Files.walk(work)) {
        for (Path p : old.sorted(java.util.Comparator.reverseOrder()).toList()) {
          Files.delete(p);
        }
      }
    }
    Corpus corpus = Corpus.generate(work.resolve("input"));
    System.out.println("EmbeddingApp [" + order + "]: " + corpus.wordCounts.size() + " distinct words in "
        + Corpus.FILES + " files");
    System.out.println("  class path: " + positions(System.getProperty("java.class.path"),
        "mapreduce-core", "mapreduce-thirdparty", "kryo-shaded", "kryo-5", "guava", "netty-common", "spark-core"));

    Path w = work;
    List<String> failed = new ArrayList<>();
    part(failed, "guava-27", () -> checkGuava27(corpus));
    part(failed, "embedded", () -> WordJobs.runAndCheck("embedded", corpus, w.resolve("embedded"), null));
    part(failed, "local-cluster", () -> {
      try (LocalCluster cluster = LocalCluster.start(2)) {
        WordJobs.runAndCheck("local cluster", corpus, w.resolve("cluster"), cluster);
      }
    });
    part(failed, "spark", () -> SparkWordCount.runAndCheck(corpus, w));

    if (failed.isEmpty()) {
      System.out.println("EmbeddingApp [" + order + "]: all parts match the oracle");
      Files.writeString(work.resolve("PASSED"), "all parts match the oracle\n");
      System.exit(0);
    }
    System.err.println("EmbeddingApp [" + order + "]: FAILED parts: " + failed);
    System.exit(1);
  }

  interface Part {
    void run() throws Exception;
  }

  /** Runs one part, recording its failure (including linkage errors) instead of stopping. */
  private static void part(List<String> failed, String name, Part part) {
    long start = System.nanoTime();
    try {
      part.run();
      System.out.printf("PASS %s (%d ms)%n", name, (System.nanoTime() - start) / 1_000_000);
    } catch (Throwable t) {
      failed.add(name);
      System.out.println("FAIL " + name + ": " + t);
      t.printStackTrace(System.out);
    }
  }

  /**
   * The application's own Guava: {@code Futures.makeChecked} and {@code CheckedFuture} are public
   * up to Guava 27 and were removed in 28, so this runs only if the Guava the application gets is
   * its own. It counts the input's lines on a listening pool, and the JDK counts them again.
   */
  @SuppressWarnings("deprecation")
  private static void checkGuava27(Corpus corpus) throws Exception {
    List<Path> files;
    try (Stream<Path> s = Files.list(corpus.dir)) {
      files = s.sorted().toList();
    }
    ListeningExecutorService pool = MoreExecutors.listeningDecorator(Executors.newFixedThreadPool(2));
    try {
      List<ListenableFuture<Long>> perFile = new ArrayList<>();
      for (Path f : files) {
        perFile.add(pool.submit(() -> (long) Files.readAllLines(f).size()));
      }
      CheckedFuture<List<Long>, IOException> all =
          Futures.makeChecked(Futures.allAsList(perFile), e -> new IOException("counting lines failed", e));
      long viaGuava = all.checkedGet(1, TimeUnit.MINUTES).stream().mapToLong(Long::longValue).sum();
      long viaJdk = 0;
      for (Path f : files) {
        try (Stream<String> lines = Files.lines(f)) {
          viaJdk += lines.count();
        }
      }
      if (viaGuava != viaJdk) {
        throw new AssertionError("lines counted with Guava: " + viaGuava + ", with the JDK: " + viaJdk);
      }
    } finally {
      pool.shutdownNow();
    }
    System.out.println("  Guava from " + Futures.class.getProtectionDomain().getCodeSource().getLocation());
  }

  /** Where the jars whose names start with these prefixes stand in the class path, such as "guava at 12". */
  private static String positions(String classPath, String... prefixes) {
    List<String> entries = Stream.of(classPath.split(File.pathSeparator)).map(p -> Path.of(p).getFileName().toString())
        .toList();
    List<String> found = new ArrayList<>();
    for (String prefix : prefixes) {
      for (int i = 0; i < entries.size(); i++) {
        if (entries.get(i).startsWith(prefix)) {
          found.add(entries.get(i) + " at " + i);
        }
      }
    }
    return found.size() + " of " + entries.size() + " entries: " + String.join(", ", found);
  }
}

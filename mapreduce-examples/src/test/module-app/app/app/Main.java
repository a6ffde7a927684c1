package app;

import io.mapreduce.Emitter;
import io.mapreduce.JobResult;
import io.mapreduce.MapReduce;
import io.mapreduce.MapReduceSpecification;
import io.mapreduce.Mapper;
import io.mapreduce.lib.LongSumReducer;
import io.mapreduce.netty.LocalCluster;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Counts the words of INPUT by (initial, length), a record key, and by size, an enum key, embedded
 * and on a local cluster of two workers, and checks every output against plain loops. Prints "ok"
 * and exits 0, or names the difference and exits 1.
 */
public final class Main {
  public record Shape(String initial, int length) {}

  public enum Size { SHORT, LONG }

  public static final class ByShape extends Mapper<Shape, Long> {
    @Override
    public void map(long offset, String line, Emitter<Shape, Long> out) {
      for (String w : line.split(" ")) {
        if (!w.isEmpty()) {
          out.emit(new Shape(w.substring(0, 1), w.length()), 1L);
        }
      }
    }
  }

  public static final class BySize extends Mapper<Size, Long> {
    @Override
    public void map(long offset, String line, Emitter<Size, Long> out) {
      for (String w : line.split(" ")) {
        if (!w.isEmpty()) {
          out.emit(w.length() < 5 ? Size.SHORT : Size.LONG, 1L);
        }
      }
    }
  }

  public static void main(String[] args) throws Exception {
    Path input = Path.of(args[0]);
    Path out = Path.of(args[1]);
    Map<String, Long> shapes = new TreeMap<>();
    Map<String, Long> sizes = new TreeMap<>();
    for (String line : Files.readAllLines(input)) {
      for (String w : line.split(" ")) {
        if (!w.isEmpty()) {
          shapes.merge(new Shape(w.substring(0, 1), w.length()) + "\t", 1L, Long::sum);
          sizes.merge((w.length() < 5 ? Size.SHORT : Size.LONG) + "\t", 1L, Long::sum);
        }
      }
    }
    boolean ok = check("embedded, record key", run(new ByShape(), input, out.resolve("shapes"), null), shapes)
        & check("embedded, enum key", run(new BySize(), input, out.resolve("sizes"), null), sizes);
    try (LocalCluster cluster = LocalCluster.start(2)) {
      ok &= check("local cluster, record key", run(new ByShape(), input, out.resolve("cluster-shapes"), cluster), shapes)
          & check("local cluster, enum key", run(new BySize(), input, out.resolve("cluster-sizes"), cluster), sizes);
    }
    System.out.println(ok ? "ok" : "different");
    System.exit(ok ? 0 : 1);
  }

  private static <K> List<String> run(Mapper<K, Long> mapper, Path input, Path output, LocalCluster cluster)
      throws Exception {
    MapReduceSpecification.Builder<K, Long> spec = MapReduceSpecification.builder().mapper(mapper)
        .reducer(new LongSumReducer<K>()).combiner(new LongSumReducer<K>()).input(input.toString())
        .output(output.toString()).reduceTasks(3);
    if (cluster != null) {
      spec.cluster(cluster);
    }
    JobResult result = MapReduce.exec(spec.build()).get();
    List<String> lines = new ArrayList<>();
    for (URI file : result.outputFiles()) {
      lines.addAll(Files.readAllLines(Path.of(file)));
    }
    return lines;
  }

  private static boolean check(String what, List<String> lines, Map<String, Long> oracle) {
    Map<String, Long> got = new TreeMap<>();
    for (String line : lines) {
      int tab = line.lastIndexOf('\t');
      got.put(line.substring(0, tab + 1), Long.parseLong(line.substring(tab + 1)));
    }
    if (!got.equals(oracle)) {
      System.out.println(what + ": expected " + oracle + " but got " + got);
      return false;
    }
    System.out.println(what + ": " + got.size() + " keys as expected");
    return true;
  }
}

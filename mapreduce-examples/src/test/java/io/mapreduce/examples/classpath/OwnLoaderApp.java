package io.mapreduce.examples.classpath;

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
 * An application whose classes, and the library's, a class loader of its own holds, as under
 * spark-submit or in a servlet container ({@link OwnLoaderLauncher} makes it): a word count on a
 * {@link LocalCluster} of one worker, checked against a plain loop.
 */
public final class OwnLoaderApp {
  private OwnLoaderApp() {}

  /** Runs in the application's own loader; true when the counts are right. */
  public static boolean run(Path dir) throws Exception {
    if (OwnLoaderApp.class.getClassLoader() == ClassLoader.getSystemClassLoader()) {
      throw new IllegalStateException("the library must not be on java.class.path here");
    }
    Path input = Files.createDirectories(dir.resolve("in"));
    Files.writeString(input.resolve("a.txt"), "to be or not to be\nthat is the question\n");
    Map<String, Long> expected = new TreeMap<>();
    for (String w : Files.readString(input.resolve("a.txt")).split("\\s+")) {
      expected.merge(w, 1L, Long::sum);
    }
    try (LocalCluster cluster = LocalCluster.start(1)) {
      JobResult result = MapReduce.exec(MapReduceSpecification.builder().mapper(new Words())
          .reducer(new LongSumReducer<String>()).input(input.toString()).output(dir.resolve("out").toString())
          .cluster(cluster).build()).get();
      Map<String, Long> got = new TreeMap<>();
      for (URI file : result.outputFiles()) {
        for (String line : Files.readAllLines(Path.of(file))) {
          String[] kv = line.split("\t");
          got.put(kv[0], Long.parseLong(kv[1]));
        }
      }
      System.out.println(got.equals(expected) ? "counts as expected" : "expected " + expected + " but got " + got);
      return got.equals(expected);
    }
  }

  /** The job's mapper, shipped to the worker in a jar made from this class's directory. */
  public static final class Words extends Mapper<String, Long> {
    @Override
    public void map(long offset, String line, Emitter<String, Long> out) {
      for (String w : line.split(" ")) {
        out.emit(w, 1L);
      }
    }
  }
}

package io.mapreduce;

import io.mapreduce.internal.engine.EmbeddedEngine;
import io.mapreduce.spi.ExecutionEngine;
import java.util.Objects;
import java.util.ServiceLoader;

/** The entry point: {@code MapReduce.exec(spec).get()}. */
public final class MapReduce {
  /** The engine that runs a job whose specification names a cluster. */
  static final String CLUSTER_ENGINE = "cluster";

  private MapReduce() {}

  /**
   * Starts a job and returns at once: embedded in this JVM, or on the cluster the specification
   * names. The returned {@link Job} is a {@code CompletableFuture} that completes with the
   * {@link JobResult} when the output is committed, or exceptionally with a
   * {@link MapReduceException} (a {@link TaskFailedException} when user code failed on every
   * attempt) when the job fails; a failed or cancelled job leaves no output directory.
   *
   * @throws MapReduceException if the specification names a cluster and no cluster engine
   *     ({@code mapreduce-runtime-netty}) is on the classpath
   */
  public static Job exec(MapReduceSpecification<?, ?> spec) {
    Objects.requireNonNull(spec, "spec");
    if (spec.cluster().isEmpty() && spec.clusterLauncher().isEmpty()) {
      return EmbeddedEngine.INSTANCE.submit(spec);
    }
    return engine(CLUSTER_ENGINE).submit(spec);
  }

  private static ExecutionEngine engine(String name) {
    for (ExecutionEngine e : ServiceLoader.load(ExecutionEngine.class, MapReduce.class.getClassLoader())) {
      if (e.name().equals(name)) {
        return e;
      }
    }
    throw new MapReduceException("no '" + name + "' execution engine on the classpath: running on a cluster"
        + " needs the mapreduce-runtime-netty module");
  }
}

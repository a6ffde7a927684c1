package io.mapreduce;

import io.mapreduce.internal.engine.EmbeddedEngine;
import java.util.Objects;

/** The entry point: {@code MapReduce.exec(spec).get()}. */
public final class MapReduce {
  private MapReduce() {}

  /**
   * Starts a job and returns at once. The returned {@link Job} is a {@code CompletableFuture} that
   * completes with the {@link JobResult} when the output is committed, or exceptionally with a
   * {@link MapReduceException} (a {@link TaskFailedException} when user code failed on every
   * attempt) when the job fails; a failed or cancelled job leaves no output directory.
   */
  public static Job exec(MapReduceSpecification<?, ?> spec) {
    Objects.requireNonNull(spec, "spec");
    return EmbeddedEngine.INSTANCE.submit(spec);
  }
}

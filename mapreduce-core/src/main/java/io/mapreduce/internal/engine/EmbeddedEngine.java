package io.mapreduce.internal.engine;

import io.mapreduce.Job;
import io.mapreduce.MapReduceSpecification;
import io.mapreduce.spi.ExecutionEngine;
import java.util.UUID;

/** Runs jobs in this JVM, on a pool of {@code parallelism} threads per job. */
public final class EmbeddedEngine implements ExecutionEngine {
  public static final EmbeddedEngine INSTANCE = new EmbeddedEngine();

  private EmbeddedEngine() {}

  @Override
  public String name() {
    return "embedded";
  }

  @Override
  public Job submit(MapReduceSpecification<?, ?> spec) {
    EmbeddedJob<?, ?> job = new EmbeddedJob<>(UUID.randomUUID().toString(), spec);
    job.start();
    return job;
  }
}

package io.mapreduce.spi;

import io.mapreduce.Job;
import io.mapreduce.MapReduceSpecification;

/**
 * Runs jobs. The embedded engine (a thread pool in this JVM) is built in; other engines are found
 * with {@link java.util.ServiceLoader} by {@link #name()}.
 */
public interface ExecutionEngine {

  /** The engine's name, as a specification selects it. */
  String name();

  /** Starts the job and returns at once; the returned future completes when the job ends. */
  Job submit(MapReduceSpecification<?, ?> spec);
}

package io.mapreduce;

/** The engine contract, run on the embedded engine. */
class EmbeddedEngineTest extends EngineContract {
  @Override
  protected Job exec(MapReduceSpecification<?, ?> spec) {
    return MapReduce.exec(spec);
  }
}

package io.mapreduce.benchmarks;

import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Per-iteration counts of the shuffle benchmarks, which JMH reports as rates: the columns
 * {@code records} (records/s) and {@code bytes} (bytes/s) next to operations/s.
 */
@State(Scope.Thread)
@AuxCounters(AuxCounters.Type.OPERATIONS)
public class RecordsAndBytes {
  /** Records through the measured path. */
  public long records;
  /** Their encoded key and value bytes (without the run files' length headers). */
  public long bytes;

  @Setup(Level.Iteration)
  public void reset() {
    records = 0;
    bytes = 0;
  }
}

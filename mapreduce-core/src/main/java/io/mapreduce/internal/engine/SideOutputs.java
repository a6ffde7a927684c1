package io.mapreduce.internal.engine;

import io.mapreduce.Emitter;
import io.mapreduce.MapReduceSpecification.SideOutput;
import io.mapreduce.format.RecordWriter;
import io.mapreduce.spi.JobOutput;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The side output files of one task attempt, opened on first use: {@code <name>-NNNNN} through
 * the job's output and output format. They commit with the attempt's own file and are aborted with
 * it; confined to the attempt's thread.
 */
final class SideOutputs implements AutoCloseable {
  private final JobPlan<?, ?> plan;
  private final int index;
  private final String attemptId;
  private final Map<String, Open> open = new LinkedHashMap<>();

  private record Open(JobOutput.TaskOutput out, RecordWriter<Object, Object> writer, Emitter<Object, Object> emitter) {}

  SideOutputs(JobPlan<?, ?> plan, int index, String attemptId) {
    this.plan = plan;
    this.index = index;
    this.attemptId = attemptId;
  }

  @SuppressWarnings("unchecked")
  <K, V> Emitter<K, V> emitter(String name) {
    Open o = open.get(name);
    if (o == null) {
      SideOutput declared = plan.spec.sideOutputs().get(name);
      if (declared == null) {
        throw new IllegalArgumentException("the job declared no side output '" + name + "' (it has "
            + plan.spec.sideOutputs().keySet() + ")");
      }
      o = openFile(declared);
      open.put(name, o);
    }
    return (Emitter<K, V>) o.emitter;
  }

  @SuppressWarnings("unchecked")
  private Open openFile(SideOutput declared) {
    try {
      JobOutput.TaskOutput out = plan.output.create(String.format("%s-%05d", declared.name(), index)
          + plan.outputFormat.extension(), attemptId);
      try {
        RecordWriter<Object, Object> writer = plan.outputFormat.open(out.stream(), (Class<Object>) declared.keyType(),
            (Class<Object>) declared.valueType());
        Emitter<Object, Object> emitter = (k, v) -> {
          if ((k == null && declared.keyType() != Void.class) || (v == null && declared.valueType() != Void.class)) {
            throw new NullPointerException("null key or value emitted to side output " + declared.name());
          }
          try {
            writer.write(k, v);
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
        };
        return new Open(out, writer, emitter);
      } catch (IOException | RuntimeException e) {
        out.close();
        throw e;
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot open side output " + declared.name() + ": " + e.getMessage(), e);
    }
  }

  /** Ends every opened file's format and returns them, to commit. */
  List<JobOutput.TaskOutput> finish() throws IOException {
    List<JobOutput.TaskOutput> outs = new ArrayList<>();
    for (Open o : open.values()) {
      o.writer.finish();
      outs.add(o.out);
    }
    return outs;
  }

  /** Aborts the files not committed. */
  @Override
  public void close() {
    for (Open o : open.values()) {
      o.writer.close();
      o.out.close();
    }
  }
}

package io.mapreduce.internal.engine;

import io.mapreduce.Counters;
import io.mapreduce.Emitter;
import io.mapreduce.PairReducer;
import io.mapreduce.format.RecordWriter;
import io.mapreduce.internal.io.LocalStorage;
import io.mapreduce.internal.io.TextLines;
import io.mapreduce.internal.shuffle.MergingStream;
import io.mapreduce.spi.JobOutput;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * One reduce task attempt: merges partition r of every map output, groups it by key, calls the
 * reducer, and writes {@code mr-out-r} through an attempt file that it commits when done.
 */
final class ReduceTask<K, V> {
  private static final int KEY_IN_ERRORS = 200;

  private final JobPlan<K, V> plan;
  private final int partition;
  private final List<Segment> segments;
  private final TaskAttempt attempt;

  /**
   * @param segments the partition's segment of each map output: in this process, a partition of
   *     each map task's run; in a worker, the copies it fetched
   */
  ReduceTask(JobPlan<K, V> plan, int partition, List<Segment> segments, TaskAttempt attempt) {
    this.plan = plan;
    this.partition = partition;
    this.segments = segments;
    this.attempt = attempt;
  }

  /** The non-empty segments of one partition of map outputs held in this process. */
  static List<Segment> segmentsOf(List<MapTask.Output> mapOutputs, int partition) {
    List<Segment> segments = new ArrayList<>();
    for (MapTask.Output m : mapOutputs) {
      if (m.index().records()[partition] > 0) {
        segments.add(new Segment(m.data(), m.index(), partition));
      }
    }
    return segments;
  }

  void run() throws Exception {
    attempt.watched(plan.spec.taskTimeout(), () -> {
      runWatched();
      return null;
    });
  }

  private void runWatched() throws Exception {
    PairReducer<K, V, Object, Object> reducer = plan.newReducer();
    Path passes = plan.jobDirectory.resolve(attempt.taskId()).resolve("attempt-" + attempt.attempt());
    try (MergingStream merged = Segment.merge(Segment.mergeToFactor(segments, passes, "r", plan.spec.compressIntermediate(), attempt));
        JobOutput.TaskOutput out = plan.output.create(plan.outputName(partition), attempt.attemptId());
        SideOutputs sides = attempt.allowSideOutputs(plan, partition);
        RecordWriter<Object, Object> writer = plan.outputFormat.open(out.stream(), plan.outputKeyType,
            plan.outputValueType)) {
      TextLines text = writer instanceof TextLines t ? t : null;
      long[] written = new long[1];
      Groups<K, V> groups = new Groups<>(merged, plan.keyCodec, plan.valueCodec,
          plan.groupsByPrefix() ? plan::groupLength : null);
      // A string key's encoding is its output text: when the reducer emits the very key object it
      // was given (as most do) as text, its bytes are written as they came, not encoded again.
      boolean keyBytesAreText = plan.keyBytesAreUtf8() && text != null && !plan.groupsByPrefix();
      Object[] currentKey = new Object[1];
      boolean lineOutput = reducer instanceof LineOutput;
      Emitter<Object, Object> emitter = (k, v) -> {
        plan.checkOutput(k, v, "reduce");
        attempt.progressed();
        written[0]++;
        try {
          if (lineOutput) {
            writer.write(k, null);
          } else if (keyBytesAreText && k != null && k == currentKey[0]) {
            text.writeKeyBytes(groups.keyBytes(), groups.keyLength(), v);
          } else {
            writer.write(k, v);
          }
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      };
      reducer.setup(attempt);
      long ordinal = -1;
      while (groups.nextGroup()) {
        attempt.checkStopped();
        ordinal++;
        K key = groups.key();
        if (attempt.skips(ordinal)) {
          attempt.skipped("key " + keyInMessages(key));
          continue;
        }
        currentKey[0] = key;
        try {
          reducer.reduce(key, groups.values(), emitter);
        } catch (Exception | Error e) {
          // The group's ordinal identifies it in every attempt: the merged input is the same.
          attempt.at("key " + keyInMessages(key), ordinal);
          throw e;
        }
      }
      currentKey[0] = null;
      reducer.cleanup(emitter);
      writer.finish();
      attempt.commit(out, written[0] > 0 || !plan.spec.lazyOutput());
      attempt.add(Counters.REDUCE_INPUT_GROUPS, groups.groups());
      attempt.add(Counters.REDUCE_INPUT_RECORDS, groups.records());
      attempt.add(Counters.OUTPUT_RECORDS, written[0]);
    } finally {
      MapTask.closeIfCloseable(reducer, attempt);
      LocalStorage.deleteRecursively(passes);
    }
  }

  /** A key as errors and logs show it: streaming's byte[] keys as text, long ones cut. */
  static String keyInMessages(Object key) {
    String s = key instanceof byte[] b ? new String(b, java.nio.charset.StandardCharsets.UTF_8) : String.valueOf(key);
    return s.length() <= KEY_IN_ERRORS ? s : s.substring(0, KEY_IN_ERRORS) + "...";
  }
}

package io.mapreduce.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;

import io.mapreduce.internal.shuffle.RunIndex;
import io.mapreduce.internal.shuffle.RunWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Every stage of {@link ShuffleStages} once, outside JMH, on a small buffer: the counts agree. */
class ShuffleStagesTest {

  @ParameterizedTest
  @ValueSource(strings = {"words", "lines"})
  void everyStageCountsTheSameRecords(String shape) throws Exception {
    ShuffleStages.Input input = new ShuffleStages.Input();
    input.shape = shape;
    input.bufferMiB = 1;
    input.partitions = 3;
    input.runs = 2;
    input.generate();
    ShuffleStages stages = new ShuffleStages();
    RecordsAndBytes processed = new RecordsAndBytes();

    ShuffleStages.Collecting collecting = new ShuffleStages.Collecting();
    collecting.setUp(input);
    int collected = stages.collect(input, collecting, processed);
    assertThat(collected).isGreaterThan(1000);
    assertThat(processed.records).isEqualTo(collected);
    // The buffer was filled up to its budget (36 bytes of metadata a record besides the data).
    assertThat(processed.bytes + 36L * collected).isGreaterThan(input.budget() / 2);

    ShuffleStages.Filled filled = new ShuffleStages.Filled();
    filled.setUp(input);
    Path spillDirectory = filled.directory;
    try {
      assertThat(filled.buffer.count()).isEqualTo(collected);
      processed.reset();
      stages.sort(filled, processed);
      assertThat(processed.records).isEqualTo(collected);
      processed.reset();
      long fileBytes = stages.spill(input, filled, processed);
      RunIndex index = RunIndex.read(RunWriter.indexOf(filled.directory.resolve("spill.run")));
      assertThat(Arrays.stream(index.records()).sum()).isEqualTo(collected);
      assertThat(fileBytes).isGreaterThan(processed.bytes);
    } finally {
      filled.tearDown();
    }
    assertThat(spillDirectory).doesNotExist();

    ShuffleStages.Runs runs = new ShuffleStages.Runs();
    runs.setUp(input);
    ShuffleStages.Served served = new ShuffleStages.Served();
    try {
      // Two full buffers of different records: about twice as many, and all of them in the files.
      assertThat(runs.records).isBetween(collected * 3L / 2, collected * 5L / 2);
      assertThat(Arrays.stream(runs.indexes).flatMapToLong(i -> Arrays.stream(i.records())).sum())
          .isEqualTo(runs.records);
      processed.reset();
      stages.merge(input, runs, processed);
      assertThat(processed.records).isEqualTo(runs.records);

      served.setUp(runs);
      processed.reset();
      long received = stages.fetch(input, runs, served, processed);
      long stored = 0;
      for (Path f : runs.files) {
        stored += Files.size(f);
      }
      assertThat(received).isEqualTo(stored);
      assertThat(processed.records).isEqualTo(runs.records);
      assertThat(served.target).doesNotExist();
    } finally {
      if (served.server != null) {
        served.tearDown();
      }
      runs.tearDown();
    }
    assertThat(runs.directory).doesNotExist();
  }
}

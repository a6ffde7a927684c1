package io.mapreduce;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The paper's skipping mode in the embedded engine: bad records are skipped only when asked. */
class SkipBadRecordsTest {
  @TempDir Path dir;

  static final class PoisonMapper extends Mapper<String, Long> {
    @Override
    public void map(long offset, String line, Emitter<String, Long> emitter) {
      if (line.contains("poison")) {
        throw new IllegalArgumentException("cannot parse " + line);
      }
      emitter.emit(line, 1L);
    }
  }

  static final class PickyReducer extends Reducer<String, Long> {
    @Override
    public void reduce(String key, Iterable<Long> values, Emitter<String, Long> emitter) {
      if (key.equals("bad")) {
        throw new IllegalStateException("cannot reduce " + key);
      }
      long n = 0;
      for (long v : values) {
        n += v;
      }
      emitter.emit(key, n);
    }
  }

  private Path input() throws Exception {
    Path in = Files.createDirectories(dir.resolve("in"));
    Files.writeString(in.resolve("a.txt"), "good\npoison pill\nbad\ngood\nfine\n");
    return in;
  }

  private List<String> lines(JobResult r) throws Exception {
    List<String> lines = new ArrayList<>();
    for (var uri : r.outputFiles()) {
      lines.addAll(Files.readAllLines(Path.of(uri)));
    }
    return lines;
  }

  @Test
  void skipping_aLineThatFailsTwoAttemptsAndAKeyThatFailsTwo_areSkippedCountedAndTheJobSucceeds() throws Exception {
    JobResult r = MapReduce.exec(MapReduceSpecification.builder().mapper(new PoisonMapper()).reducer(new PickyReducer())
        .input(input().toString()).output(dir.resolve("out").toString()).workDirectory(dir.resolve("work"))
        .skipBadRecords(true).build()).get(60, TimeUnit.SECONDS);

    assertThat(lines(r)).containsExactly("fine\t1", "good\t2");
    assertThat(r.counters().get(Counters.SKIPPED_RECORDS)).isEqualTo(2);
  }

  @Test
  void noSkipping_theJobFailsNamingTheRecord() throws Exception {
    var job = MapReduce.exec(MapReduceSpecification.builder().mapper(new PoisonMapper()).reducer(new PickyReducer())
        .input(input().toString()).output(dir.resolve("out").toString()).workDirectory(dir.resolve("work")).build());
    assertThatThrownBy(() -> job.get(60, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
        .cause().isInstanceOf(TaskFailedException.class).hasMessageContaining("a.txt:5")
        .hasMessageContaining("cannot parse poison pill");
    assertThat(dir.resolve("out")).doesNotExist();
  }
}

package io.mapreduce.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mapreduce.internal.shuffle.RunIndex;
import io.mapreduce.internal.shuffle.RunWriter;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ShuffleFetchThroughputTest {
  @Test
  void parse_noArguments_givesTheDefaults() {
    ShuffleFetchThroughput.Options o = ShuffleFetchThroughput.parse(new String[0]);
    assertThat(o.size()).isEqualTo(1L << 30);
    assertThat(o.runs()).isEqualTo(5);
    assertThat(o.warmups()).isEqualTo(1);
    assertThat(o.bufferBytes()).isEqualTo(64 << 10);
    assertThat(o.dir()).isEqualTo(Path.of(System.getProperty("java.io.tmpdir")));
    assertThat(o.seed()).isEqualTo(1);
  }

  @Test
  void parse_everyOption() {
    ShuffleFetchThroughput.Options o = ShuffleFetchThroughput.parse(new String[] {
        "--size", "256m", "--runs", "3", "--warmups", "0", "--buffer", "1m", "--dir", "/x/y", "--seed", "7"});
    assertThat(o).isEqualTo(new ShuffleFetchThroughput.Options(256L << 20, 3, 0, 1 << 20, Path.of("/x/y"), 7));
  }

  @Test
  void parse_help_givesNull() {
    assertThat(ShuffleFetchThroughput.parse(new String[] {"--runs", "2", "--help"})).isNull();
  }

  @Test
  void parse_rejectsBadArguments() {
    assertThatThrownBy(() -> ShuffleFetchThroughput.parse(new String[] {"--runs"}))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("--runs needs a value");
    assertThatThrownBy(() -> ShuffleFetchThroughput.parse(new String[] {"--runs", "0"}))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at least 1");
    assertThatThrownBy(() -> ShuffleFetchThroughput.parse(new String[] {"--runs", "five"}))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not a number");
    assertThatThrownBy(() -> ShuffleFetchThroughput.parse(new String[] {"--size", "1x"}))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not a size");
    assertThatThrownBy(() -> ShuffleFetchThroughput.parse(new String[] {"--size", "50"}))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("one record");
    assertThatThrownBy(() -> ShuffleFetchThroughput.parse(new String[] {"--buffer", "10"}))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("--buffer");
    assertThatThrownBy(() -> ShuffleFetchThroughput.parse(new String[] {"--warmups", "-1"}))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("negative");
    assertThatThrownBy(() -> ShuffleFetchThroughput.parse(new String[] {"--port", "1"}))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("unknown option --port");
  }

  @Test
  void median_oddAndEvenCounts() {
    assertThat(ShuffleFetchThroughput.median(new double[] {3, 1, 2})).isEqualTo(2);
    assertThat(ShuffleFetchThroughput.median(new double[] {4, 1, 3, 2})).isEqualTo(2.5);
  }

  @Test
  void writeRun_holdsTheRecordsItWasAskedFor_andItsChecksum(@TempDir Path dir) throws Exception {
    Path data = dir.resolve("run");
    ShuffleFetchThroughput.writeRun(data, ShuffleFetchThroughput.recordsFor(102 * 1000 + 50), 1);
    RunIndex index = RunIndex.read(RunWriter.indexOf(data));
    assertThat(index.partitions()).isEqualTo(1);
    assertThat(index.compressed()).isFalse();
    assertThat(index.records()[0]).isEqualTo(1000);
    assertThat(index.lengths()[0]).isEqualTo(102 * 1000);
    assertThat(ShuffleFetchThroughput.crc32c(data, 0, index.lengths()[0])).isEqualTo(index.checksums()[0]);
  }
}

package io.mapreduce;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashMap;
import java.util.List;
import org.junit.jupiter.api.Test;

class MapReduceSpecificationTest {

  static final class WordMapper extends Mapper<String, Long> {
    @Override
    public void map(long offset, String line, Emitter<String, Long> emitter) {
      emitter.emit(line, 1L);
    }
  }


  static final class MapKeyed extends Mapper<HashMap<String, String>, Long> {
    @Override
    public void map(long offset, String line, Emitter<HashMap<String, String>, Long> emitter) {}
  }

  static class Generic<K> extends Mapper<K, Long> {
    @Override
    public void map(long offset, String line, Emitter<K, Long> emitter) {}
  }

  record Pair(String word, int n) {}

  record Bad(String word, List<String> tags) {}

  static final class PairMapper extends Mapper<Pair, String> {
    @Override
    public void map(long offset, String line, Emitter<Pair, String> emitter) {}
  }

  static final class BadMapper extends Mapper<Bad, String> {
    @Override
    public void map(long offset, String line, Emitter<Bad, String> emitter) {}
  }

  private static MapReduceSpecification.Builder<String, Long> complete() {
    return MapReduceSpecification.builder().mapper(new WordMapper()).reducer(new EngineContract.Sum()).input("in").output("out");
  }

  @Test
  void build_defaults_areHadoopLike() {
    MapReduceSpecification<String, Long> spec = complete().build();
    assertThat(spec.reduceTasks()).isEqualTo(1);
    assertThat(spec.splitSize()).isEqualTo(64L << 20);
    assertThat(spec.maxTaskAttempts()).isEqualTo(4);
    assertThat(spec.taskTimeout()).isEqualTo(java.time.Duration.ofMinutes(10));
    assertThat(spec.parallelism()).isEqualTo(Runtime.getRuntime().availableProcessors());
    assertThat(spec.keyType()).isEqualTo(String.class);
    assertThat(spec.valueType()).isEqualTo(Long.class);
    assertThat(spec.name()).isEqualTo("WordMapper");
    assertThat(spec.sortBufferSize()).isBetween(1L << 20, 256L << 20);
  }

  @Test
  void shippedJob_taskTimeout_travelsToWorkers() {
    var spec = complete().taskTimeout(java.time.Duration.ofSeconds(2)).build();
    var shipped = io.mapreduce.internal.engine.ShippedJob.of(spec);
    assertThat(shipped.taskTimeoutMillis()).isEqualTo(2000);
    assertThat(shipped.toSpecification(1, 1 << 20, java.nio.file.Path.of("w")).taskTimeout())
        .isEqualTo(java.time.Duration.ofSeconds(2));
    var never = io.mapreduce.internal.engine.ShippedJob.of(complete().taskTimeout(java.time.Duration.ZERO).build());
    assertThat(never.toSpecification(1, 1 << 20, java.nio.file.Path.of("w")).taskTimeout()).isZero();
  }

  @Test
  void build_missingFields_namedInMessage() {
    assertThatThrownBy(() -> MapReduceSpecification.builder().input("in").output("out").build())
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("mapper");
    assertThatThrownBy(() -> MapReduceSpecification.builder().mapper(new WordMapper()).output("o").build())
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("input");
    assertThatThrownBy(() -> MapReduceSpecification.builder().mapper(new WordMapper()).input("i").build())
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("output");
    assertThatThrownBy(() -> MapReduceSpecification.builder().mapper(new WordMapper()).input("i").output("o").build())
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("reducer");
  }

  @Test
  void build_mapOnlyWithoutReducer_isValid() {
    var spec = MapReduceSpecification.builder().mapper(new WordMapper()).input("i").output("o").reduceTasks(0).build();
    assertThat(spec.reducer()).isEmpty();
    assertThat(spec.reduceTasks()).isZero();
  }

  @Test
  void setters_badArguments_namedInMessage() {
    assertThatThrownBy(() -> complete().reduceTasks(-1)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("reduceTasks").hasMessageContaining("-1");
    assertThatThrownBy(() -> complete().splitSize(0)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("splitSize");
    assertThatThrownBy(() -> complete().parallelism(0)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("parallelism");
    assertThatThrownBy(() -> complete().maxTaskAttempts(0)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("maxTaskAttempts");
    assertThatThrownBy(() -> complete().taskTimeout(java.time.Duration.ofSeconds(-1)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("taskTimeout");
    assertThatThrownBy(() -> complete().taskTimeout(java.time.Duration.ofNanos(5)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("taskTimeout");
    assertThatThrownBy(() -> complete().taskTimeout(null)).isInstanceOf(NullPointerException.class)
        .hasMessageContaining("timeout");
    assertThatThrownBy(() -> complete().taskTimeout(java.time.Duration.ZERO).taskTimeout(java.time.Duration.ZERO))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("taskTimeout");
    assertThatThrownBy(() -> complete().sortBufferSize(10)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("sortBufferSize");
    assertThatThrownBy(() -> complete().input("")).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("input");
    assertThatThrownBy(() -> complete().combiner(null)).isInstanceOf(NullPointerException.class)
        .hasMessageContaining("combiner");
  }

  @Test
  void setters_calledTwice_refused() {
    assertThatThrownBy(() -> complete().output("again")).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("output was already set");
    assertThatThrownBy(() -> complete().reduceTasks(2).reduceTasks(3)).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("reduceTasks");
  }

  @Test
  void build_nonDeterministicKeyType_refusedNamingTheType() {
    assertThatThrownBy(() -> MapReduceSpecification.builder().mapper(new MapKeyed()).input("i").output("o")
        .reduceTasks(0).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("keyType")
        .hasMessageContaining("java.util.HashMap")
        .hasMessageContaining("use String");
  }

  @Test
  void build_recordKeyWithListComponent_refusedNamingTheComponent() {
    assertThatThrownBy(() -> MapReduceSpecification.builder().mapper(new BadMapper()).input("i").output("o")
        .reduceTasks(0).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("Bad.tags")
        .hasMessageContaining("java.util.List");
  }

  @Test
  void build_recordKey_accepted() {
    var spec = MapReduceSpecification.builder().mapper(new PairMapper()).input("i").output("o").reduceTasks(0).build();
    assertThat(spec.keyType()).isEqualTo(Pair.class);
  }

  @Test
  void build_erasedTypeArgument_asksForKeyType() {
    assertThatThrownBy(() -> MapReduceSpecification.builder().mapper(new Generic<String>()).input("i").output("o")
        .reduceTasks(0).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("keyType(...)");
    var spec = MapReduceSpecification.builder().mapper(new Generic<String>()).keyType(String.class)
        .input("i").output("o").reduceTasks(0).build();
    assertThat(spec.keyType()).isEqualTo(String.class);
  }
}

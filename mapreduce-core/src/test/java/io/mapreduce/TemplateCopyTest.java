package io.mapreduce;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.io.Serializable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Mapper templates are copied with Kryo for every attempt. JobPlan serializes them once at job
 * start "so that a template Kryo cannot copy fails the job at once", but never deserializes them.
 */
class TemplateCopyTest {
  @TempDir
  Path dir;

  /** A filter configured with a predicate: a common way to parameterize a mapper. */
  public static final class FilterMapper extends Mapper<String, Long> {
    private final Predicate<String> keep;

    public FilterMapper(Predicate<String> keep) {
      this.keep = keep;
    }

    @Override
    public void map(long offset, String line, Emitter<String, Long> emitter) {
      if (keep.test(line)) {
        emitter.emit(line, 1L);
      }
    }
  }

  private MapReduceSpecification<String, Long> spec(Predicate<String> keep) throws Exception {
    Path in = Files.createDirectories(dir.resolve("in"));
    Files.writeString(in.resolve("a.txt"), "keep\ndrop\n");
    return MapReduceSpecification.builder().mapper(new FilterMapper(keep))
        .reducer(new EngineContract.Sum()).input(in.toString())
        .output(dir.resolve("out").toString()).workDirectory(dir.resolve("work")).build();
  }

  @Test
  void mapperWithSerializableLambdaField_isCopiedIntoEveryAttempt() throws Exception {
    var spec = spec((Predicate<String> & Serializable) line -> line.startsWith("k"));
    MapReduce.exec(spec).get(60, TimeUnit.SECONDS);
    assertThat(dir.resolve("out").resolve("mr-out-00000")).hasContent("keep\t1");
  }

  @Test
  void mapperThatKryoCannotReadBack_failsAtJobStartNamingTheMapper_notAfterEveryAttempt() throws Exception {
    var spec = spec(line -> line.startsWith("k"));
    Throwable failure = catchThrowable(() -> MapReduce.exec(spec).get(60, TimeUnit.SECONDS));
    assertThat(failure).isInstanceOf(ExecutionException.class);
    assertThat(failure.getCause())
        .as("the template is unusable: this is known before any task runs")
        .isNotInstanceOf(TaskFailedException.class)
        .hasMessageContaining(FilterMapper.class.getName());
  }
}

package io.mapreduce;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;

import io.mapreduce.testing.JobHarness;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Review finding: JobHarness reads Pairs.read(spec.output()), which reads only mr-out-* files; a
 * job with outputBaseName("part") comes back as no pairs at all, silently.
 */
class OutputBaseNameReadBackTest {
  @Test
  void harness_withHadoopBaseName_returnsTheJobsPairs() {
    List<Map.Entry<String, Long>> out = JobHarness.runOnLines(MapReduceSpecification.builder()
        .mapper(new EngineContract.TokenMapper()).reducer(new EngineContract.Sum()).outputBaseName("part"),
        List.of("a b b", "c b a"));
    assertThat(out).containsExactly(entry("a", 2L), entry("b", 3L), entry("c", 1L));
  }
}

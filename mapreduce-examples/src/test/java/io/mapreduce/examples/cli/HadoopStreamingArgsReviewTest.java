package io.mapreduce.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Review finding: -D mapreduce.map.maxattempts=1 (no retry of maps, as a step with side effects
 * asks) becomes --max-attempts 4: the unset reduce key counts as Hadoop's default 4, and the
 * larger of the two wins, so any value below 4 given for one kind of task has no effect.
 */
class HadoopStreamingArgsReviewTest {
  private static String maxAttempts(String... args) {
    List<String> out = List.of(HadoopStreamingArgs.translate(args).args());
    int i = out.indexOf("--max-attempts");
    return i < 0 ? null : out.get(i + 1);
  }

  @Test
  void mapMaxAttemptsOne_alone_givesOneAttempt() {
    assertThat(maxAttempts("streaming", "-D", "mapreduce.map.maxattempts=1", "-input", "in", "-output", "out",
        "-mapper", "cat", "-reducer", "NONE")).isEqualTo("1");
  }

  /**
   * Review finding: one -D key on a line in our spelling switches the output names to part-N
   * (benchmarks/streaming-vs-pipeline.sh --sort-keys passes -D keys with --mapper/--reducer and then
   * reads mr-out/mr-out-*), and an explicit --output-basename then meets a second one added by the
   * translation.
   */
  @Test
  void ourSpellingWithOneDKey_keepsTheOutputBaseNameGiven(@org.junit.jupiter.api.io.TempDir java.nio.file.Path tmp)
      throws Exception {
    java.nio.file.Files.writeString(tmp.resolve("in.txt"), "b\na\n");
    java.io.StringWriter err = new java.io.StringWriter();
    int code = Main.run(new java.io.PrintWriter(new java.io.StringWriter(), true), new java.io.PrintWriter(err, true),
        new String[] {"streaming", "--input", tmp.resolve("in.txt").toString(), "--output", tmp.resolve("out").toString(),
            "--work-dir", tmp.resolve("work").toString(), "--mapper", "cat", "--reducer", "cat",
            "--output-basename", "result", "-D", "mapreduce.job.name=x"});
    assertThat(err.toString()).doesNotContain("should be specified only once");
    assertThat(code).as(err.toString()).isZero();
    assertThat(tmp.resolve("out").resolve("result-00000")).exists();
  }
}

package io.mapreduce.netty.master;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class OutputFileRunsTest {
  @Test
  void fiveThousandReduceOutputs_keepAsOneShortToken() {
    List<String> files = new ArrayList<>();
    for (int r = 0; r < 5000; r++) {
      files.add(String.format("s3://bucket/out/job-7/mr-out-%05d.gz", r));
    }
    List<String> kept = OutputFileRuns.compress(files);
    assertThat(kept).hasSize(1);
    assertThat(kept.get(0).length()).isLessThan(60);
    assertThat(OutputFileRuns.expand(kept)).isEqualTo(files);
  }

  @Test
  void namesThatAreNoRun_stayAsTheyAre_andTheOrderHolds() {
    List<String> files = List.of("file:///out/_SUCCESS", "file:///out/mr-out-00003", "file:///out/mr-out-00001",
        "file:///out/mr-out-00002", "file:///out/part-9", "file:///out/part-10", "file:///out/x07", "file:///out/x8",
        "file:///out/a", "file:///out/12345678901234567890");
    assertThat(OutputFileRuns.expand(OutputFileRuns.compress(files))).isEqualTo(files);
  }

  @Test
  void randomLists_expandToWhatWasCompressed() {
    Random random = new Random(42);
    for (int trial = 0; trial < 500; trial++) {
      List<String> files = new ArrayList<>();
      int n = random.nextInt(30);
      int next = random.nextInt(20);
      for (int i = 0; i < n; i++) {
        next = random.nextInt(4) == 0 ? random.nextInt(120) : next + 1;
        String width = "%0" + (1 + random.nextInt(3)) + "d";
        files.add("/o/" + (random.nextBoolean() ? "p-" : "q") + String.format(width, next)
            + (random.nextBoolean() ? "" : ".z"));
      }
      assertThat(OutputFileRuns.expand(OutputFileRuns.compress(files))).as("trial %d: %s", trial, files)
          .isEqualTo(files);
    }
  }
}

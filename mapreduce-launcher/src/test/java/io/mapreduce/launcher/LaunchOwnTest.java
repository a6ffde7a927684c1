package io.mapreduce.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mapreduce.Cluster;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What a launcher's launch() promises: a cluster of its own, nothing left when it fails, down on close. */
class LaunchOwnTest {
  @TempDir
  Path root;

  private final List<String> calls = new ArrayList<>();
  private final PrintStream progress = new PrintStream(new ByteArrayOutputStream(), true);

  /** What an up records before it touches a host. */
  private void record(String name) throws IOException {
    ClusterState state = ClusterState.openOrCreate(root, name);
    state.set("provider", "test");
    state.set("master.host", "10.0.0.1");
    state.set("master.port", "7077");
    state.save();
  }

  @Test
  void aClusterOfThatNameIsThere_refusedWithoutTouchingIt() throws Exception {
    record("prod");

    assertThatThrownBy(() -> Clusters.launchOwn(root, "prod", progress, () -> calls.add("up"),
        () -> calls.add("down")))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("a cluster named 'prod' is already there")
        .hasMessageContaining("Clusters.attach");
    assertThat(calls).isEmpty();
    assertThat(ClusterState.open(root, "prod")).isPresent();
  }

  @Test
  void upFailsAfterMakingSomething_whatItMadeIsTakenDown_thenTheFailureIsThrown() {
    assertThatThrownBy(() -> Clusters.launchOwn(root, "lab", progress, () -> {
      record("lab");
      calls.add("up");
      throw new IllegalStateException("worker-2 never registered");
    }, () -> calls.add("down"))).hasMessage("worker-2 never registered");
    assertThat(calls).containsExactly("up", "down");
  }

  @Test
  void upFailsBeforeMakingAnything_nothingToTakeDown() {
    assertThatThrownBy(() -> Clusters.launchOwn(root, "lab", progress, () -> {
      throw new IOException("cannot read the jar");
    }, () -> calls.add("down"))).hasMessage("cannot read the jar");
    assertThat(calls).isEmpty();
  }

  @Test
  void theHandle_pointsAtTheMasterWithTheSecret_andCloseRunsDown() throws Exception {
    Cluster cluster = Clusters.launchOwn(root, "lab", progress, () -> record("lab"), () -> calls.add("down"));

    assertThat(cluster.master()).isEqualTo("10.0.0.1:7077");
    assertThat(cluster.secretFile()).contains(root.resolve("lab").resolve("secret"));
    cluster.close();
    assertThat(calls).containsExactly("down");
  }

  @Test
  void attached_closeLeavesItRunning() throws Exception {
    record("lab");
    try (Cluster attached = Clusters.attach(root, "lab")) {
      assertThat(attached.master()).isEqualTo("10.0.0.1:7077");
    }
    assertThat(ClusterState.open(root, "lab")).isPresent();
  }

  @Test
  void aSecondUpOrDownWhileOneRuns_isRefusedInOneLine() throws Exception {
    record("lab");
    ClusterState state = ClusterState.open(root, "lab").orElseThrow();
    try (ClusterState.Lock held = state.lock("up")) {
      assertThatThrownBy(() -> Clusters.down(root, "lab", progress))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageStartingWith("cluster lab is busy: another up or down of it runs");
    }
  }
}

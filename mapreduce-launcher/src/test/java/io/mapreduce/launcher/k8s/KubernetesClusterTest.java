package io.mapreduce.launcher.k8s;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

/** What a cluster's description refuses, each in one line naming the thing at fault. */
class KubernetesClusterTest {
  @Test
  void name_mustBeADns1123Label() {
    for (String bad : List.of("", "Word", "word_count", "-wc", "wc-", "a".repeat(64), "wc.example", "w c", "wc\n")) {
      assertThatThrownBy(() -> KubernetesCluster.builder(bad, "img:1"))
          .as("'%s'", bad).isInstanceOf(IllegalArgumentException.class)
          .hasMessageStartingWith("cluster name '").hasMessageContaining("DNS-1123 label")
          .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
    }
    for (String good : List.of("a", "wc", "word-count-2", "0a", "a".repeat(63))) {
      assertThat(KubernetesCluster.builder(good, "img:1").build().name()).isEqualTo(good);
    }
  }

  @Test
  void image_quantities_countsAndPorts_areChecked() {
    assertThatThrownBy(() -> KubernetesCluster.builder("wc", "img: x")).hasMessageStartingWith("image 'img: x'");
    assertThatThrownBy(() -> KubernetesCluster.builder("wc", "img").workers(-1)).hasMessage("workers must be in 0..10000, was -1");
    assertThatThrownBy(() -> KubernetesCluster.builder("wc", "img").slots(0)).hasMessage("slots must be in 1..1024, was 0");
    assertThatThrownBy(() -> new KubernetesCluster.Resources("1 cpu", null, "1Gi", "1Gi"))
        .hasMessageStartingWith("CPU request '1 cpu' is not a quantity");
    assertThatThrownBy(() -> new KubernetesCluster.Resources("1", null, "1GB", "1Gi"))
        .hasMessageStartingWith("memory request '1GB' is not a quantity");
    assertThatThrownBy(() -> new KubernetesCluster.Ports(7077, 8080, 8080, 7078)).hasMessageStartingWith("the ports must differ");
    assertThatThrownBy(() -> new KubernetesCluster.Ports(0, 8080, 8081, 7078)).hasMessage("master port must be in 1..65535, was 0");
  }
}

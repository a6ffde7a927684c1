package io.mapreduce.netty.master;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mapreduce.netty.protocol.Message.TaskKind;
import java.util.List;
import org.junit.jupiter.api.Test;

class SchedulingPolicyTest {
  private static final String JOB = "job-1";

  /** A worker as a policy sees it; {@code maps} and {@code reduces} are its attempts of {@link #JOB}. */
  record View(String id, int slots, int runningTasks, double cpuLoad, int maps, int reduces)
      implements SchedulingPolicy.WorkerView {
    static View idle(String id, int slots) {
      return new View(id, slots, 0, -1, 0, 0);
    }

    @Override
    public String host() {
      return id + ".example";
    }

    @Override
    public int freeSlots() {
      return slots - runningTasks;
    }

    @Override
    public int running(String jobId, TaskKind kind) {
      if (!jobId.equals(JOB)) {
        return 0;
      }
      return kind == TaskKind.MAP ? maps : reduces;
    }
  }

  private static List<String> deal(SchedulingPolicy p, TaskKind kind, List<View> candidates, int times) {
    return java.util.stream.IntStream.range(0, times).mapToObj(i -> p.choose(JOB, kind, candidates).id()).toList();
  }

  @Test
  void named_knownNames_giveThePolicies_andUnknownIsRefused() {
    assertThat(SchedulingPolicy.named("card-dealing")).isInstanceOf(CardDealingPolicy.class);
    assertThat(SchedulingPolicy.named("Pairwise")).isInstanceOf(PairwisePolicy.class);
    assertThat(SchedulingPolicy.named("LOAD-AWARE")).isInstanceOf(LoadAwarePolicy.class);
    assertThat(SchedulingPolicy.named("load-aware").name()).isEqualTo("load-aware");
    assertThatThrownBy(() -> SchedulingPolicy.named("fifo"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("unknown scheduler 'fifo': expected card-dealing, pairwise or load-aware");
  }

  @Test
  void cardDealing_alternatesBetweenWorkers() {
    SchedulingPolicy p = new CardDealingPolicy();
    assertThat(deal(p, TaskKind.MAP, List.of(View.idle("a", 4), View.idle("b", 4)), 5))
        .containsExactly("a", "b", "a", "b", "a");
  }

  @Test
  void cardDealing_skipsAWorkerWithoutAFreeSlot_andDealsANewWorkerInTurn() {
    SchedulingPolicy p = new CardDealingPolicy();
    View a = View.idle("a", 4);
    View b = View.idle("b", 4);
    View c = View.idle("c", 4);
    assertThat(p.choose(JOB, TaskKind.MAP, List.of(a, b)).id()).isEqualTo("a");
    assertThat(p.choose(JOB, TaskKind.MAP, List.of(a)).id()).isEqualTo("a"); // b is full
    assertThat(p.choose(JOB, TaskKind.MAP, List.of(a, b)).id()).isEqualTo("b");
    assertThat(deal(p, TaskKind.MAP, List.of(a, b, c), 4)).containsExactly("c", "a", "b", "c");
  }

  @Test
  void loadAware_prefersTheLowerFractionOfSlotsInUse() {
    SchedulingPolicy p = new LoadAwarePolicy();
    View a = new View("a", 4, 3, 0.0, 0, 0); // 0.75
    View b = new View("b", 2, 1, 0.0, 0, 0); // 0.5
    View c = new View("c", 8, 1, 5.0, 0, 0); // 0.125, though its CPU is busy
    assertThat(p.choose(JOB, TaskKind.MAP, List.of(a, b, c)).id()).isEqualTo("c");
    assertThat(p.choose(JOB, TaskKind.MAP, List.of(a, b)).id()).isEqualTo("b");
  }

  @Test
  void loadAware_equalFractions_prefersTheLowerCpuLoad_thenRegistrationOrder() {
    SchedulingPolicy p = new LoadAwarePolicy();
    View a = new View("a", 2, 1, 0.9, 0, 0);
    View b = new View("b", 4, 2, 0.2, 0, 0);
    assertThat(p.choose(JOB, TaskKind.MAP, List.of(a, b)).id()).isEqualTo("b");
    View c = new View("c", 4, 2, 0.2, 0, 0);
    assertThat(p.choose(JOB, TaskKind.MAP, List.of(a, b, c)).id()).isEqualTo("b");
    // An unknown load (-1, before the first heartbeat) counts as idle, not as less than idle.
    View unknown = new View("u", 2, 0, -1, 0, 0);
    View idle = new View("i", 2, 0, 0.0, 0, 0);
    assertThat(p.choose(JOB, TaskKind.MAP, List.of(idle, unknown)).id()).isEqualTo("i");
    assertThat(p.choose(JOB, TaskKind.MAP, List.of(unknown, idle)).id()).isEqualTo("u");
  }

  @Test
  void pairwise_sendsAReduceToAWorkerRunningNoMapOfTheJob() {
    SchedulingPolicy p = new PairwisePolicy();
    View mapping = new View("a", 4, 2, 0.0, 2, 0);
    View apart = new View("b", 4, 1, 0.0, 0, 0);
    assertThat(deal(p, TaskKind.REDUCE, List.of(mapping, apart), 3)).containsExactly("b", "b", "b");
  }

  @Test
  void pairwise_sendsAMapToAWorkerRunningNoReduceOfTheJob() {
    SchedulingPolicy p = new PairwisePolicy();
    View reducing = new View("a", 4, 1, 0.0, 0, 1);
    View apart = new View("b", 4, 3, 0.0, 3, 0);
    assertThat(deal(p, TaskKind.MAP, List.of(reducing, apart), 2)).containsExactly("b", "b");
  }

  @Test
  void pairwise_noWorkerApart_fallsBackToDealing() {
    SchedulingPolicy p = new PairwisePolicy();
    View a = new View("a", 4, 1, 0.0, 1, 0);
    View b = new View("b", 4, 1, 0.0, 1, 0);
    assertThat(deal(p, TaskKind.REDUCE, List.of(a, b), 3)).containsExactly("a", "b", "a");
  }
}

package io.mapreduce.netty.master;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mapreduce.netty.protocol.Message.TaskKind;
import java.util.List;
import org.junit.jupiter.api.Test;

class SchedulingPolicyTest {
  private static final String JOB = "job-1";

  /** A worker as a policy sees it; {@code maps} and {@code reduces} are its attempts of {@link #JOB}. */
  record View(String id, int seat, int slots, int runningTasks, double cpuLoad, int maps, int reduces)
      implements SchedulingPolicy.WorkerView {
    /** Seated by name: "a" first. */
    View(String id, int slots, int runningTasks, double cpuLoad, int maps, int reduces) {
      this(id, id.charAt(0) - 'a', slots, runningTasks, cpuLoad, maps, reduces);
    }

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
    return java.util.stream.IntStream.range(0, times).mapToObj(i -> choose(p, kind, candidates)).toList();
  }

  /** The policy's choice among these free workers, told of them first (as the master tells it of changes). */
  private static String choose(SchedulingPolicy p, TaskKind kind, List<View> candidates) {
    candidates.forEach(p::workerChanged);
    return p.choose(JOB, kind, SchedulingPolicy.FreeWorkers.of(candidates)).id();
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
    assertThat(choose(p, TaskKind.MAP, List.of(a, b))).isEqualTo("a");
    assertThat(choose(p, TaskKind.MAP, List.of(a))).isEqualTo("a"); // b is full
    assertThat(choose(p, TaskKind.MAP, List.of(a, b))).isEqualTo("b");
    assertThat(deal(p, TaskKind.MAP, List.of(a, b, c), 4)).containsExactly("c", "a", "b", "c");
  }

  @Test
  void loadAware_prefersTheLowerFractionOfSlotsInUse() {
    SchedulingPolicy p = new LoadAwarePolicy();
    View a = new View("a", 4, 3, 0.0, 0, 0); // 0.75
    View b = new View("b", 2, 1, 0.0, 0, 0); // 0.5
    View c = new View("c", 8, 1, 5.0, 0, 0); // 0.125, though its CPU is busy
    assertThat(choose(p, TaskKind.MAP, List.of(a, b, c))).isEqualTo("c");
    assertThat(choose(p, TaskKind.MAP, List.of(a, b))).isEqualTo("b");
  }

  @Test
  void loadAware_equalFractions_prefersTheLowerCpuLoad_thenRegistrationOrder() {
    SchedulingPolicy p = new LoadAwarePolicy();
    View a = new View("a", 2, 1, 0.9, 0, 0);
    View b = new View("b", 4, 2, 0.2, 0, 0);
    assertThat(choose(p, TaskKind.MAP, List.of(a, b))).isEqualTo("b");
    View c = new View("c", 4, 2, 0.2, 0, 0);
    assertThat(choose(p, TaskKind.MAP, List.of(a, b, c))).isEqualTo("b");
    // An unknown load (-1, before the first heartbeat) counts as idle, not as less than idle.
    SchedulingPolicy q = new LoadAwarePolicy();
    View unknown = new View("u", 0, 2, 0, -1, 0, 0);
    View idle = new View("i", 1, 2, 0, 0.0, 0, 0);
    assertThat(choose(q, TaskKind.MAP, List.of(idle, unknown))).isEqualTo("u");
    SchedulingPolicy r = new LoadAwarePolicy();
    View unknownLater = new View("u", 1, 2, 0, -1, 0, 0);
    View idleFirst = new View("i", 0, 2, 0, 0.0, 0, 0);
    assertThat(choose(r, TaskKind.MAP, List.of(unknownLater, idleFirst))).isEqualTo("i");
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

  @Test
  void loadAware_leavesOutAWorkerTheMasterLeavesOut_andForgetsWorkersGoneOrFull() {
    LoadAwarePolicy p = new LoadAwarePolicy();
    View a = new View("a", 4, 0, 0.0, 0, 0);
    View b = new View("b", 4, 1, 0.0, 0, 0);
    p.workerChanged(a);
    p.workerChanged(b);
    assertThat(p.choose(JOB, TaskKind.MAP, SchedulingPolicy.FreeWorkers.of(List.of(a, b))).id()).isEqualTo("a");
    // A backup must not run where the attempt it backs up runs: the master leaves a out.
    assertThat(p.choose(JOB, TaskKind.MAP, SchedulingPolicy.FreeWorkers.of(List.of(b))).id()).isEqualTo("b");
    p.workerGone(a);
    View bFull = new View("b", 4, 4, 0.0, 0, 0);
    p.workerChanged(bFull);
    assertThat(p.choose(JOB, TaskKind.MAP, SchedulingPolicy.FreeWorkers.of(List.of()))).isNull();
  }

  @Test
  void pairwise_looksAtMostSoFarAhead_thenDeals() {
    PairwisePolicy p = new PairwisePolicy();
    List<View> busy = new java.util.ArrayList<>();
    for (int i = 0; i < PairwisePolicy.LOOK_AHEAD + 10; i++) {
      busy.add(new View("w" + i, i, 4, 1, 0.0, 1, 0)); // each runs a map of the job
    }
    View apart = new View("apart", PairwisePolicy.LOOK_AHEAD + 10, 4, 0, 0.0, 0, 0);
    busy.add(apart);
    // The worker apart sits beyond what one choice looks at: the choice deals instead.
    assertThat(p.choose(JOB, TaskKind.REDUCE, SchedulingPolicy.FreeWorkers.of(busy)).id()).isEqualTo("w0");
    assertThat(p.loopSteps).isEqualTo(PairwisePolicy.LOOK_AHEAD);
  }
}

package io.mapreduce.netty.master;

import io.mapreduce.netty.master.SimulationMeter.Event;
import io.mapreduce.netty.protocol.Message;
import io.mapreduce.netty.protocol.MapOutputBook;
import io.mapreduce.netty.protocol.Message.MapOutput;
import io.mapreduce.netty.protocol.Message.TaskKind;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Consumer;

/**
 * The workers of {@link MasterSimulation}: they answer the master's messages as {@code Worker}
 * does, on the simulated clock. A map attempt runs for a lognormal time and reports success. A
 * reduce attempt takes each announced map output at once from a live worker; from a dead one it
 * reports a fetch failure (after its retries) once per location, as {@code ReduceFetch} does,
 * and waits for a new location; with every output in hand it computes for a lognormal time, asks
 * to commit, and publishes its output if granted. Losing the master stops every running attempt;
 * map outputs stay with their (live) workers.
 */
final class SimulatedCluster {
  /** One way, either direction. */
  static final long LATENCY = 1_000_000L;
  /** A reducer's three tries of an unreachable map output, before it reports it. */
  private static final long FETCH_TRIES = 1_000_000_000L;
  /** From a granted commit to the success report (the rename). */
  private static final long COMMIT = 50_000_000L;
  /** A worker's first reconnection backoff. */
  private static final long RECONNECT = 100_000_000L;
  static final Map<String, Long> MAP_COUNTERS = Map.of("map.input.records", 1000L, "map.input.bytes", 64L << 20,
      "map.output.records", 1000L, "map.output.bytes", 12_000L, "combine.input.records", 1000L,
      "combine.output.records", 300L, "spilled.records", 300L);
  static final Map<String, Long> REDUCE_COUNTERS = Map.of("reduce.input.groups", 100L, "reduce.input.records", 400L);

  /** What the workers need of the simulation. */
  interface Driver {
    long now();

    void after(long delayNanos, Runnable action);

    /** Sends to the master after {@link #LATENCY}; lost if the master restarts meanwhile. */
    void toMaster(Event type, Consumer<MasterState> call);

    /** Which master is running: bumped at each restart. */
    int epoch();
  }

  private final SimulationScenario s;
  private final Driver d;
  private final String jobId;
  private final Random times;
  final List<Worker> workers = new ArrayList<>();
  private final Map<String, Worker> byId = new HashMap<>();
  private final Map<String, Worker> byHost = new HashMap<>();

  /** Per reduce, the attempt whose output was published first (later granted ones find it there), or 0. */
  private final int[] publishedBy;
  /** Per reduce, the attempt last granted its commit and its worker, to catch two granted at once. */
  private final int[] grantedAttempt;
  private final Worker[] grantedOn;
  int published;
  int foundPublished;
  int doubleGrants;
  int deniedCommits;
  /** Attempts started on a worker whose slots were all taken, or of a job it was never given. */
  int overbooked;
  int withoutStartJob;
  int fetchFailuresReported;
  int messagesToDeadWorkers;
  /** Live workers whose connection the master closed, taking them for lost. */
  int liveWorkersDropped;
  /** Bytes of the running reduces' fetch sets: simulation state, not the master's. */
  long fetchSetBytes;

  SimulatedCluster(SimulationScenario s, String jobId, Driver d) {
    this.s = s;
    this.d = d;
    this.jobId = jobId;
    this.times = new Random(s.seed());
    this.publishedBy = new int[s.reduces()];
    this.grantedAttempt = new int[s.reduces()];
    this.grantedOn = new Worker[s.reduces()];
    List<Integer> order = new ArrayList<>();
    for (int i = 0; i < s.workers(); i++) {
      order.add(i);
    }
    Collections.shuffle(order, new Random(s.seed() + 7));
    boolean[] slow = new boolean[s.workers()];
    for (int i = 0; i < Math.max(1, Math.round(s.workers() * s.slowWorkers())); i++) {
      slow[order.get(i)] = true;
    }
    for (int i = 0; i < s.workers(); i++) {
      boolean isSlow = slow[i];
      Worker w = new Worker(String.format("worker-%05d", i + 1), String.format("host-%05d", i + 1), 7001,
          isSlow ? s.slowdown() : 1);
      workers.add(w);
      byId.put(w.id, w);
      byHost.put(w.host, w);
    }
  }

  /** A simulated worker: its running attempts, and whether it holds the job (StartJob, not EndJob). */
  final class Worker {
    final String id;
    final String host;
    final int port;
    final double slowdown;
    boolean alive = true;
    /** The master it is registered with, or -1. */
    int epoch = -1;
    boolean holdsJob;
    final Map<Long, Attempt> running = new HashMap<>();
    /**
     * The map output locations this worker was sent, by map index, for all its reduce attempts
     * (the real worker's JobOnWorker keeps them the same way): the master sends each location to
     * a worker once, not to each reduce attempt.
     */
    MapOutput[] known;
    /**
     * The job's shuffle addresses as the master numbered them (the real worker's book; its outputs
     * resolved here, not by the book, so that they stay the master's own instances, shared by all
     * simulated workers: 2,000 copies of 200,000 locations fit in the heap).
     */
    MapOutputBook addresses = new MapOutputBook();
    /** How far into the master's log of map completions it was sent locations (MapOutputs.logEnd). */
    int locationsKnown;

    void forgetJob() {
      locationsKnown = 0;
      addresses = new MapOutputBook();
      if (known != null) {
        fetchSetBytes -= 4L * known.length;
        known = null;
      }
    }

    Worker(String id, String host, int port, double slowdown) {
      this.id = id;
      this.host = host;
      this.port = port;
      this.slowdown = slowdown;
    }

    void register() {
      d.toMaster(Event.REGISTER, m -> {
        m.registerWorker(id, host, port, s.slots(), holdsJob ? List.of(jobId) : List.of(),
            holdsJob ? List.of(locationsKnown) : List.of());
      });
    }

    void stop(Attempt a) {
      if (running.remove(a.key) == a && a.fetched != null) {
        fetchSetBytes -= a.fetchSetBytes();
        a.fetched = null;
      }
    }

    void stopAll() {
      for (Attempt a : new ArrayList<>(running.values())) {
        stop(a);
      }
    }
  }

  /** One attempt running on a worker; a reduce's fetch set until it has every map output. */
  static final class Attempt {
    final long key;
    final int index;
    final int attempt;
    BitSet fetched;
    int fetchedCount;
    /** The map attempt reported unreachable, by map index: reported once, as the real worker does. */
    Map<Integer, Integer> reported;

    Attempt(TaskKind kind, int index, int attempt) {
      this.key = key(kind, index, attempt);
      this.index = index;
      this.attempt = attempt;
    }

    long fetchSetBytes() {
      return fetched.size() / 8;
    }
  }

  static long key(TaskKind kind, int index, int attempt) {
    return (kind == TaskKind.MAP ? 0 : 1L << 62) | (long) index << 32 | attempt;
  }

  /** Every worker, alive or not, drops what it kept of the job. */
  void forgetJob() {
    for (Worker w : workers) {
      w.forgetJob();
    }
  }

  Worker worker(String id) {
    return byId.get(id);
  }

  List<Worker> alive() {
    return workers.stream().filter(w -> w.alive).toList();
  }

  /** Every live worker registers within {@code spread} from {@code from}, in a random order. */
  void registerAll(long from, long spread, Random jitter) {
    for (Worker w : workers) {
      long at = from + (long) (jitter.nextDouble() * spread);
      if (w.alive) {
        d.after(at, w::register);
      }
    }
  }

  /** The worker is gone for good: its attempts stop and its map outputs are unreachable. */
  void kill(Worker w) {
    w.alive = false;
    w.stopAll();
  }

  /**
   * The master closed the connection of a worker it gave up on: alive, the worker stops its attempts
   * (keeping its map outputs) and registers again, as {@code Worker} does after its backoff.
   */
  void connectionClosed(String id) {
    Worker w = byId.get(id);
    if (w != null && w.alive && w.epoch == d.epoch()) {
      liveWorkersDropped++;
      w.stopAll();
      w.epoch = -1;
      d.after(RECONNECT, w::register);
    }
  }

  /** The master went away: every worker stops its attempts (keeping its map outputs) and re-registers later. */
  void masterLost() {
    for (Worker w : workers) {
      w.stopAll();
      w.epoch = -1;
    }
  }

  /** A message from the master reaches worker {@code id}. */
  void receive(String id, Message m) {
    Worker w = byId.get(id);
    if (w == null || !w.alive) {
      messagesToDeadWorkers++;
      return;
    }
    if (m instanceof Message.Registered r) {
      w.epoch = d.epoch();
      heartbeatLater(w, w.epoch, r.heartbeatMillis() * 1_000_000L);
    } else if (m instanceof Message.StartJob) {
      w.holdsJob = true;
    } else if (m instanceof Message.RunMap r) {
      runMap(w, start(w, TaskKind.MAP, r.index(), r.attempt()));
    } else if (m instanceof Message.RunReduce r) {
      Attempt a = start(w, TaskKind.REDUCE, r.partition(), r.attempt());
      a.fetched = new BitSet(s.maps());
      a.reported = new HashMap<>();
      fetchSetBytes += a.fetchSetBytes();
      if (w.known != null) {
        List<MapOutput> known = new ArrayList<>();
        for (MapOutput loc : w.known) {
          if (loc != null) {
            known.add(loc);
          }
        }
        fetch(w, a, known);
      }
    } else if (m instanceof Message.MapOutputs o) {
      if (w.known == null) {
        w.known = new MapOutput[s.maps()];
        fetchSetBytes += 4L * w.known.length;
      }
      w.addresses.learnAddresses(o);
      for (MapOutput loc : o.outputs()) {
        if (loc.source() != MapOutput.GONE) {
          w.known[loc.mapIndex()] = loc;
        } else if (w.known[loc.mapIndex()] != null && w.known[loc.mapIndex()].attempt() == loc.attempt()) {
          w.known[loc.mapIndex()] = null; // lost: not fetched until the map's next run
        }
      }
      w.locationsKnown = o.logEnd();
      for (Attempt a : new ArrayList<>(w.running.values())) {
        if (a.fetched != null) {
          fetch(w, a, o.outputs());
        }
      }
    } else if (m instanceof Message.CommitResponse c) {
      commitAnswered(w, c);
    } else if (m instanceof Message.KillTask k) {
      Attempt a = w.running.get(key(k.kind(), k.index(), k.attempt()));
      if (a != null) {
        w.stop(a);
      }
    } else if (m instanceof Message.EndJob) {
      w.stopAll();
      w.forgetJob();
      w.holdsJob = false;
    } else {
      throw new IllegalStateException("the simulated worker cannot handle " + m);
    }
  }

  private void heartbeatLater(Worker w, int epoch, long every) {
    d.after(every, () -> {
      if (w.alive && w.epoch == epoch) {
        int running = w.running.size();
        double load = Math.min(1.0, running / (double) s.slots()) * w.slowdown;
        d.toMaster(Event.HEARTBEAT, m -> m.heartbeat(w.id, running, Math.max(0, s.slots() - running), load));
        heartbeatLater(w, epoch, every);
      }
    });
  }

  private Attempt start(Worker w, TaskKind kind, int index, int attempt) {
    if (w.running.size() >= s.slots()) {
      overbooked++;
    }
    if (!w.holdsJob) {
      withoutStartJob++;
    }
    Attempt a = new Attempt(kind, index, attempt);
    w.running.put(a.key, a);
    return a;
  }

  private long duration(long medianNanos, Worker w) {
    return (long) (medianNanos * Math.exp(s.sigma() * times.nextGaussian()) * w.slowdown);
  }

  private void runMap(Worker w, Attempt a) {
    d.after(duration(s.mapMedian().toNanos(), w), () -> {
      if (w.running.get(a.key) != a) {
        return; // killed, lost, or its master is gone
      }
      w.stop(a);
      d.toMaster(Event.MAP_SUCCEEDED, m -> m.taskSucceeded(w.id,
          new Message.TaskSucceeded(jobId, TaskKind.MAP, a.index, a.attempt, MAP_COUNTERS)));
    });
  }

  /** Takes what the locations offer; with every map output in hand, computes, then asks to commit. */
  private void fetch(Worker w, Attempt a, List<MapOutput> locations) {
    for (MapOutput loc : locations) {
      int i = loc.mapIndex();
      if (a.fetched.get(i) || loc.source() == MapOutput.GONE) {
        continue;
      }
      Worker source = byHost.get(w.addresses.address(loc.source()).host());
      if (source != null && source.alive) {
        a.fetched.set(i);
        a.fetchedCount++;
      } else if (!Integer.valueOf(loc.attempt()).equals(a.reported.put(i, loc.attempt()))) {
        d.after(FETCH_TRIES, () -> {
          // As ReduceFetch: not reported if the master said meanwhile that the output is lost.
          if (w.alive && w.running.get(a.key) == a && a.fetched != null && !a.fetched.get(i)
              && w.known != null && w.known[i] == loc) {
            fetchFailuresReported++;
            d.toMaster(Event.FETCH_FAILED,
                m -> m.fetchFailed(w.id, new Message.FetchFailed(jobId, i, loc.attempt(), a.index)));
          }
        });
      }
    }
    if (a.fetchedCount == s.maps()) {
      fetchSetBytes -= a.fetchSetBytes();
      a.fetched = null;
      a.reported = null;
      d.after(duration(s.reduceMedian().toNanos(), w), () -> {
        if (w.running.get(a.key) == a) {
          d.toMaster(Event.COMMIT_REQUESTED, m -> m.commitRequested(w.id,
              new Message.CommitRequest(jobId, TaskKind.REDUCE, a.index, a.attempt)));
        }
      });
    }
  }

  private void commitAnswered(Worker w, Message.CommitResponse c) {
    Attempt a = w.running.get(key(c.kind(), c.index(), c.attempt()));
    if (a == null) {
      return;
    }
    if (!c.granted()) {
      deniedCommits++;
      w.stop(a);
      return;
    }
    int r = c.index();
    Worker before = grantedOn[r];
    if (before != null && before.alive && before.running.containsKey(key(TaskKind.REDUCE, r, grantedAttempt[r]))
        && grantedAttempt[r] != c.attempt()) {
      doubleGrants++;
    }
    grantedAttempt[r] = c.attempt();
    grantedOn[r] = w;
    if (publishedBy[r] == 0) {
      publishedBy[r] = c.attempt();
      published++;
    } else {
      foundPublished++;
    }
    d.after(COMMIT, () -> {
      if (w.running.get(a.key) == a) {
        w.stop(a);
        d.toMaster(Event.REDUCE_SUCCEEDED, m -> m.taskSucceeded(w.id,
            new Message.TaskSucceeded(jobId, TaskKind.REDUCE, a.index, a.attempt, REDUCE_COUNTERS)));
      }
    });
  }
}

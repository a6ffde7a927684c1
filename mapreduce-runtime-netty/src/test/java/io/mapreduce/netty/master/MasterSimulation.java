package io.mapreduce.netty.master;

import io.mapreduce.internal.engine.ShippedJob;
import io.mapreduce.netty.master.SimulationMeter.Event;
import io.mapreduce.netty.protocol.Message;
import io.mapreduce.spi.InputFile;
import io.mapreduce.spi.InputSplit;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Random;
import java.util.function.Consumer;

/**
 * Drives the real {@link MasterState} through one job at issue 13's scale (or a fraction of it), in
 * process and on a simulated clock: a discrete-event simulation of the workers
 * ({@link SimulatedCluster}), the client, the master's tick and status page, its journal (the real
 * {@link Journal}, appended as {@code Master} appends to it: encoded on the state thread, written
 * and forced in groups by the journal's own thread) and faults: workers lost in both phases and a
 * master restarted from its journal, as {@code Master} restarts it.
 *
 * <p>{@code Master} holds back what clients hear and the job's commit until the entries before
 * them are on disk; the simulation lets them through at once, so that what happens on the
 * simulated clock does not depend on when the disk answered. The restart is a clean one: the
 * journal is closed (everything appended written) before it is read.
 *
 * <p>Each call into the state machine is one event, measured as {@code Master}'s state thread
 * would run it: loop steps (the master's and its policy's {@code loopSteps}), CPU and wall time.
 * What the state machine sends is collected during the call and handled after it (encoding and
 * writing are the I/O threads' work in {@code Master}). In this package for the package-private
 * {@link Journal}, {@code Outbox.journal} and loop counters.
 */
final class MasterSimulation {
  static final String JOB = "job-1";
  private static final long MS = 1_000_000L;
  private static final long SECOND = 1_000 * MS;
  private static final long SPLIT = 64L << 20;
  private static final long SUBMIT_AT = 5 * SECOND;
  private static final long RESTART_DOWNTIME = 2 * SECOND;
  private static final long COMMIT_TIME = 500 * MS;
  /** With no task done for this long (simulated), the job is stuck. */
  private static final long STALL = 30 * 60 * SECOND;

  private final SimulationScenario s;
  private final Path journalDir;
  private final long wallLimitNanos;
  private final boolean verbose;
  private final MasterState.Settings settings = MasterState.Settings.defaults();
  private final SimulationMeter meter = new SimulationMeter();
  private final ThreadMXBean threads = ManagementFactory.getThreadMXBean();
  private final PriorityQueue<Scheduled> queue = new PriorityQueue<>();
  private final Random faults;
  private final SimulatedCluster cluster;
  private final SimOutbox outbox = new SimOutbox();
  private long now;
  private long seq;
  private int epoch;
  /** Null while it restarts. */
  private MasterState master;
  /** The status page's last snapshot, and the size of the page rendered from it. */
  private StatusSnapshot statusPage;
  int statusPageChars;
  private SchedulingPolicy policy;
  private Journal journal;
  /** Bytes appended to the journals of masters before the current one. */
  private long journalBytesBefore;

  private int mapsDone;
  private int reducesDone;
  private long mapsDoneAt = -1;
  private long lastProgressAt;
  private Message outcome;
  private Map<String, Long> counters = Map.of();
  private int jobSucceededMessages;
  private int commitsAsked;
  private int aborts;
  private int mapsLost;
  private int mapPhaseLosses;
  private int reducePhaseLosses;
  private boolean restarted;
  private boolean measureHeapNow;
  private final List<String> faultLog = new ArrayList<>();
  private String stopped;
  private long events;

  private record Scheduled(long at, long seq, Runnable action) implements Comparable<Scheduled> {
    @Override
    public int compareTo(Scheduled o) {
      return at != o.at ? Long.compare(at, o.at) : Long.compare(seq, o.seq);
    }
  }

  MasterSimulation(SimulationScenario s, Path journalDir, Duration wallLimit, boolean verbose) {
    this.s = s;
    this.journalDir = journalDir;
    this.wallLimitNanos = wallLimit.toNanos();
    this.verbose = verbose;
    this.faults = new Random(s.seed() + 1);
    this.cluster = new SimulatedCluster(s, JOB, new SimulatedCluster.Driver() {
      @Override
      public long now() {
        return now;
      }

      @Override
      public void after(long delayNanos, Runnable action) {
        MasterSimulation.this.after(delayNanos, action);
      }

      @Override
      public void toMaster(Event type, Consumer<MasterState> call) {
        MasterSimulation.this.toMaster(type, call);
      }

      @Override
      public int epoch() {
        return epoch;
      }
    });
  }

  /**
   * Runs a simulation and prints its report; what benchmarks/master-simulation.sh runs. Options:
   * {@code --scale full|tenth|1/N} (default tenth), {@code --timeout SECONDS} (of wall time; then the
   * report says how far it got; default 1800), {@code --seed N}, {@code --policy NAME},
   * {@code --journal-dir DIR} (default a new directory under the temporary directory, removed after),
   * {@code --losses-after-restart}.
   * Exits 1 unless the job succeeded.
   */
  public static void main(String[] args) throws IOException {
    SimulationScenario scenario = SimulationScenario.tenth();
    Duration limit = Duration.ofSeconds(1800);
    Path dir = null;
    for (int i = 0; i < args.length; i += 2) {
      String value = i + 1 < args.length ? args[i + 1] : "";
      switch (args[i]) {
        case "--scale" -> scenario = value.startsWith("1/")
            ? SimulationScenario.full().scaled(value, Integer.parseInt(value.substring(2)))
            : SimulationScenario.named(value).withSeed(scenario.seed()).withPolicy(scenario.policy())
            .withLossesAfterRestart(scenario.lossesAfterRestart());
        case "--timeout" -> limit = Duration.ofSeconds(Long.parseLong(value));
        case "--seed" -> scenario = scenario.withSeed(Long.parseLong(value));
        case "--policy" -> scenario = scenario.withPolicy(value);
        case "--journal-dir" -> dir = Path.of(value);
        case "--losses-after-restart" -> {
          scenario = scenario.withLossesAfterRestart(true);
          i--;
        }
        default -> throw new IllegalArgumentException("unknown option " + args[i]
            + ": expected --scale, --timeout, --seed, --policy, --journal-dir or --losses-after-restart");
      }
    }
    boolean temporary = dir == null;
    Path journalDir = temporary ? Files.createTempDirectory("master-simulation") : dir;
    SimulationResult result;
    try {
      result = new MasterSimulation(scenario, journalDir, limit, true).run();
    } finally {
      if (temporary) {
        io.mapreduce.internal.io.LocalStorage.deleteRecursively(journalDir);
      }
    }
    System.out.print(SimulationReport.format(result));
    System.exit(result.succeeded() ? 0 : 1);
  }

  /** Runs the job to its end, or until it is stuck or the wall-clock limit passes. */
  SimulationResult run() throws IOException {
    journal = Journal.open(journalDir);
    startMaster();
    cluster.registerAll(0, 2 * SECOND, faults);
    after(SUBMIT_AT - MS, () -> {
      meter.heapBaseline = usedHeapAfterGc();
      meter.masterBaseline = masterBytes();
      meter.masterJobsBaseline = masterBytesButMembership();
    });
    after(SUBMIT_AT, this::submit);
    long interval = settings.heartbeatInterval().toNanos();
    every(interval, interval, () -> deliver(Event.TICK, MasterState::tick));
    // As the status page asks, once a second, between ticks.
    // As the status page asks, once a second, between ticks: it reads the snapshot the last tick
    // built (the state thread's cost is in TICK) and renders it on the server's thread, outside
    // what is measured here; rendered all the same, so a page of the paper's scale is exercised.
    every(SECOND / 2, SECOND, () -> {
      deliver(Event.STATUS, m -> statusPage = m.statusSnapshot());
      if (statusPage != null) {
        statusPageChars = StatusPages.statusHtml(statusPage.status(), 0, 0).length();
      }
    });
    long wallStart = System.nanoTime();
    long nextReport = wallStart + 10 * SECOND;
    while (stopped == null && !queue.isEmpty()) {
      Scheduled e = queue.poll();
      now = e.at;
      e.action.run();
      events++;
      if (measureHeapNow) {
        measureHeapNow = false;
        meter.simulationBytesAtMapsDone = cluster.fetchSetBytes;
        meter.heapAtMapsDone = usedHeapAfterGc();
        meter.masterAtMapsDone = masterBytes();
      }
      if ((events & 1023) == 0) {
        long wall = System.nanoTime();
        if (wall - wallStart > wallLimitNanos) {
          stopped = "stopped by the time limit of " + wallLimitNanos / SECOND + " s";
        } else if (now - lastProgressAt > STALL && now > SUBMIT_AT) {
          stopped = "stuck: no task done for " + STALL / SECOND + " simulated seconds";
        }
        if (verbose && wall > nextReport) {
          nextReport = wall + 10 * SECOND;
          System.out.printf(Locale.ROOT, "[simulation] wall %d s: simulated %.0f s, maps %d/%d, reduces %d/%d,"
              + " %d events, %,d loop steps%n", (wall - wallStart) / SECOND, now / 1e9, mapsDone, s.maps(),
              reducesDone, s.reduces(), events, meter.total().steps);
        }
      }
    }
    long wallNanos = System.nanoTime() - wallStart;
    boolean succeeded = outcome instanceof Message.JobSucceeded;
    if (stopped == null) {
      stopped = succeeded ? "succeeded"
          : outcome instanceof Message.JobFailed f ? "failed: " + f.message() : "no events left";
    }
    journal.close();
    meter.journalBytes = journalBytesBefore + journal.bytesAppended();
    meter.journalBytesLeft = Files.size(journalDir.resolve(Journal.FILE));
    if (succeeded) {
      // The simulated workers drop the job's locations, as real ones do at EndJob (workers lost on
      // the way never hear it): what stays is the master's.
      cluster.forgetJob();
      meter.heapAfterJob = usedHeapAfterGc();
      meter.masterJobsAfterJob = masterBytesButMembership();
      master = null;
      policy = null;
      meter.heapWithoutMaster = usedHeapAfterGc();
    }
    return new SimulationResult(s, stopped, succeeded, mapsDone, reducesDone, now, mapsDoneAt, wallNanos, events,
        meter, counters, jobSucceededMessages, commitsAsked, aborts, cluster.published, cluster.foundPublished,
        cluster.doubleGrants, cluster.deniedCommits, cluster.overbooked, cluster.withoutStartJob,
        cluster.fetchFailuresReported, cluster.messagesToDeadWorkers, cluster.liveWorkersDropped, mapsLost,
        mapPhaseLosses, reducePhaseLosses, restarted, List.copyOf(faultLog));
  }

  private void startMaster() {
    policy = SchedulingPolicy.named(s.policy());
    master = new MasterState(settings, policy, () -> now, outbox);
  }

  private void submit() {
    List<InputFile> files = new ArrayList<>();
    for (int left = s.maps(), i = 0; left > 0; left -= 16, i++) {
      files.add(new InputFile(String.format("/data/input/part-%05d", i), Math.min(16, left) * SPLIT));
    }
    // As the client sends them: the master takes them as they came.
    List<Message.Split> splits = InputSplit.of(files, SPLIT).stream().map(Message.Split::of).toList();
    ShippedJob job = new ShippedJob("simulated", List.of("/data/input"), "/data/output", s.reduces(), SPLIT, 4,
        false, "java.lang.String", "java.lang.Long", new byte[2048], new byte[1024], null, null);
    lastProgressAt = now;
    long inputBytes = MasterState.inputBytes(splits); // as Master counts them, off the state thread
    deliver(Event.JOB_PREPARED, m -> m.jobPrepared(JOB, job, splits,
        List.of("0f343b0931126a20f133d67c2b018a3b1c1e2b3d4f5a6b7c8d9e0f1a2b3c4d5e"), inputBytes));
  }

  // ------------------------------------------------------------------ the event loop

  private void after(long delayNanos, Runnable action) {
    queue.add(new Scheduled(now + Math.max(0, delayNanos), seq++, action));
  }

  private void every(long first, long period, Runnable action) {
    after(first, () -> {
      action.run();
      every(period, period, action);
    });
  }

  /** A message to the master: it arrives after the network's latency, unless the master restarted meanwhile. */
  private void toMaster(Event type, Consumer<MasterState> call) {
    int sentTo = epoch;
    after(SimulatedCluster.LATENCY, () -> {
      if (sentTo == epoch) {
        deliver(type, call);
      }
    });
  }

  /** One event on the master's state thread, measured; then what it sent goes out. */
  private void deliver(Event type, Consumer<MasterState> call) {
    if (master == null) {
      return; // restarting: nobody listens
    }
    long steps = steps();
    long cpu = threads.getCurrentThreadCpuTime();
    long wall = System.nanoTime();
    call.accept(master);
    wall = System.nanoTime() - wall;
    cpu = threads.getCurrentThreadCpuTime() - cpu;
    meter.event(type, steps() - steps, cpu, wall, now);
    outbox.drain();
  }

  private long steps() {
    long p = 0;
    if (policy instanceof CardDealingPolicy c) {
      p = c.loopSteps;
    } else if (policy instanceof PairwisePolicy w) {
      p = w.loopSteps + w.dealer.loopSteps;
    } else if (policy instanceof LoadAwarePolicy l) {
      p = l.loopSteps;
    }
    return master.loopSteps + p;
  }

  /** The job's output files as Master's commit lists them: one per reduce (5,000 names at full scale). */
  private List<String> outputFiles() {
    List<String> files = new ArrayList<>(s.reduces());
    for (int r = 0; r < s.reduces(); r++) {
      files.add(String.format(Locale.ROOT, "file:///data/output/mr-out-%05d", r));
    }
    return files;
  }

  /**
   * What the master holds: the bytes of every object reachable from it (JOL's walk of its object
   * graph), with its references to the simulation (its outbox and its clock) and these other
   * fields of it cut for the walk. Objects it shares with the simulated workers (the map output
   * messages it sent and caches) count as the master's.
   */
  private long masterBytes(String... alsoCut) {
    // Records' fields have no offsets for Unsafe (JDK 16+): JOL then finds them as it can.
    System.setProperty("jol.magicFieldOffset", "true");
    List<String> cut = new ArrayList<>(List.of("outbox", "nanos"));
    cut.addAll(List.of(alsoCut));
    try {
      List<java.lang.reflect.Field> fields = new ArrayList<>();
      List<Object> was = new ArrayList<>();
      for (String name : cut) {
        java.lang.reflect.Field f = MasterState.class.getDeclaredField(name);
        f.setAccessible(true);
        fields.add(f);
        was.add(f.get(master));
        f.set(master, null);
      }
      try {
        org.openjdk.jol.info.GraphLayout layout = org.openjdk.jol.info.GraphLayout.parseInstance(master);
        if (System.getenv("MASTER_SIMULATION_FOOTPRINT") != null && alsoCut.length == 0) {
          System.out.println(layout.toFootprint()); // by class: where the master's heap goes
        }
        return layout.totalSize();
      } finally {
        for (int i = 0; i < fields.size(); i++) {
          fields.get(i).set(master, was.get(i));
        }
      }
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException("cannot measure the master's heap", e);
    }
  }

  /**
   * What the master holds but its workers and its policy (their number changes as workers are
   * lost), and the status page's snapshot, a row per worker (a finished job in it is also in the
   * master's list of finished jobs, which counts).
   */
  private long masterBytesButMembership() {
    return masterBytes("workers", "free", "policy", "statusSnapshot");
  }

  private static long usedHeapAfterGc() {
    for (int i = 0; i < 3; i++) {
      System.gc();
    }
    return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
  }

  // ------------------------------------------------------------------ the client and the faults

  private void client(Message m) {
    if (m instanceof Message.JobProgressUpdate p) {
      if (p.mapsDone() != mapsDone || p.reducesDone() != reducesDone) {
        lastProgressAt = now;
      }
      mapsDone = p.mapsDone();
      reducesDone = p.reducesDone();
      faults();
    } else if (m instanceof Message.JobSucceeded ok) {
      jobSucceededMessages++;
      counters = ok.counters();
      outcome = ok;
      queue.clear(); // the job is over: heartbeats would go on forever
    } else if (m instanceof Message.JobFailed f) {
      outcome = f;
      queue.clear();
    }
  }

  /** Losses at even steps of the maps' progress, then of the reduces'; the restart at {@code restartAt} of them. */
  private void faults() {
    if (mapsDoneAt < 0) {
      while (mapPhaseLosses < s.mapPhaseLosses()
          && mapsDone >= Math.ceil(s.maps() * (mapPhaseLosses + 1.0) / (s.mapPhaseLosses() + 1))) {
        lose(mapPhaseLosses++, "map");
      }
      if (mapsDone == s.maps()) {
        mapsDoneAt = now;
        measureHeapNow = true;
      }
      return;
    }
    if (!restarted && s.restartAt() >= 0 && reducesDone >= Math.ceil(s.reduces() * s.restartAt())) {
      restart();
      return;
    }
    int n = s.reducePhaseLosses();
    double from = s.lossesAfterRestart() ? 0.55 : 0.1;
    while (reducePhaseLosses < n && reducesDone >= Math.ceil(s.reduces()
        * (from + (n == 1 ? 0 : 0.35 * reducePhaseLosses / (n - 1.0))))) {
      lose(reducePhaseLosses++, "reduce");
    }
  }

  /** Even losses close the connection (the master hears at once), odd ones go silent (missed heartbeats tell). */
  private void lose(int i, String phase) {
    List<SimulatedCluster.Worker> alive = cluster.alive();
    SimulatedCluster.Worker w = alive.get(faults.nextInt(alive.size()));
    boolean closed = i % 2 == 0;
    cluster.kill(w);
    faultLog.add(String.format(Locale.ROOT, "%.1f s: %s lost in the %s phase (%s) at %d maps, %d reduces done",
        now / 1e9, w.id, phase, closed ? "connection closed" : "silent", mapsDone, reducesDone));
    if (closed) {
      toMaster(Event.WORKER_LOST, m -> m.workerLost(w.id, "connection closed"));
    }
  }

  /**
   * The master process dies: messages in flight are lost and the workers stop their attempts.
   * A new one reads the journal, restores, resumes, and the workers register again, saying which
   * jobs' map outputs they hold, as {@code Master} and {@code Worker} do.
   */
  private void restart() {
    restarted = true;
    epoch++;
    master = null;
    policy = null;
    cluster.masterLost();
    faultLog.add(String.format(Locale.ROOT, "%.1f s: master restarts at %d maps, %d reduces done", now / 1e9, mapsDone,
        reducesDone));
    after(RESTART_DOWNTIME, () -> {
      List<Journal.Entry> entries;
      try {
        journal.close();
        journalBytesBefore += journal.bytesAppended();
        long read = System.nanoTime();
        entries = Journal.read(journalDir);
        meter.journalReadNanos = System.nanoTime() - read;
        journal = Journal.open(journalDir);
      } catch (IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
      meter.journalEntriesReplayed = entries.size();
      startMaster();
      deliver(Event.RESTART, m -> {
        m.restore(entries);
        m.resumed();
      });
      cluster.registerAll(100 * MS, 3 * SECOND, faults);
    });
  }

  /**
   * The state machine's outbox, as {@code Master}'s: journal entries are encoded and queued for
   * the journal's writer on this thread; messages, commits and aborts are collected and handled
   * once the event returns.
   */
  private final class SimOutbox implements MasterState.Outbox {
    /** In order: {worker id, message}, {null, message to the client}, {worker id, null: close its connection}. */
    private final List<Object[]> sent = new ArrayList<>();

    @Override
    public void toWorker(String workerId, Message message) {
      sent.add(new Object[] {workerId, message});
    }

    @Override
    public void toClient(String jobId, Message message) {
      sent.add(new Object[] {null, message});
    }

    @Override
    public void commit(String jobId) {
      commitsAsked++;
      // On Master's files thread; the answer comes back as an event, unless the master restarted meanwhile.
      int askedBy = epoch;
      after(COMMIT_TIME, () -> {
        if (askedBy == epoch) {
          toMaster(Event.JOB_COMMITTED, m -> m.jobCommitted(jobId, outputFiles()));
        }
      });
    }

    @Override
    public void abort(String jobId) {
      aborts++;
    }

    @Override
    public void scheduleMore() {
      // As Master: an event of its own on the state thread, after those already queued.
      int askedBy = epoch;
      after(0, () -> {
        if (askedBy == epoch) {
          deliver(Event.SCHEDULE_MORE, MasterState::scheduleMore);
        }
      });
    }

    @Override
    public void dropWorker(String workerId) {
      sent.add(new Object[] {workerId, null});
    }

    @Override
    public void compactJournal(List<Journal.Entry> keep) {
      journal.compactLater(keep);
    }

    @Override
    public void journal(Journal.Entry entry) {
      long t = System.nanoTime();
      journal.appendLater(entry);
      meter.journalAppendNanos += System.nanoTime() - t;
      meter.journalEntries++;
      if (entry instanceof Journal.MapLost) {
        mapsLost++;
      }
    }

    void drain() {
      List<Object[]> batch = new ArrayList<>(sent);
      sent.clear();
      // Taken before the client hears anything: what it hears may restart the master.
      int sentBy = epoch;
      for (Object[] o : batch) {
        String id = (String) o[0];
        Message m = (Message) o[1];
        if (m == null) {
          after(SimulatedCluster.LATENCY, () -> cluster.connectionClosed(id));
          continue;
        }
        meter.message(m, id == null);
        if (id == null) {
          client(m);
        } else {
          after(SimulatedCluster.LATENCY, () -> {
            if (sentBy == epoch) {
              cluster.receive(id, m);
            }
          });
        }
      }
    }
  }
}

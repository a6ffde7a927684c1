package io.mapreduce.netty.master;

import io.mapreduce.internal.engine.ShippedJob;
import io.mapreduce.netty.protocol.Message;
import io.mapreduce.netty.protocol.Message.TaskKind;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The master's brain, with no Netty in it: workers, jobs and their tasks, fed events by the
 * server (registrations, heartbeats, attempt outcomes, a clock tick) and answering through an
 * {@link Outbox}. Confined to one thread; time comes from an injected nanosecond clock, so tests
 * drive heartbeats and timeouts exactly.
 *
 * <p>Jobs run concurrently, first come first served: a later job's tasks get the slots the earlier
 * jobs cannot use. Within a job, maps go first; reduces start once {@code slowStart} of the maps
 * are done (Hadoop's slow start) and learn where map outputs are as the maps complete.
 */
public final class MasterState {
  private static final Logger log = LoggerFactory.getLogger(MasterState.class);

  /** What the state machine asks of the world. */
  public interface Outbox {
    void toWorker(String workerId, Message message);

    void toClient(String jobId, Message message);

    /** Commit the job's output (on another thread); answer with {@link #jobCommitted} or {@link #commitFailed}. */
    void commit(String jobId);

    /** Remove the job's output (on another thread). */
    void abort(String jobId);

    /** Record a fact in the journal, for a restarted master. */
    default void journal(Journal.Entry entry) {}

    /** Replace what the journal holds so far by these entries (see {@link Journal#compactLater}). */
    default void compactJournal(List<Journal.Entry> keep) {}

    /**
     * Close a lost worker's connection, if it is still open (a worker that stopped heartbeating
     * without its connection closing: a paused process), so that it registers again when it wakes.
     */
    default void dropWorker(String workerId) {}

    /**
     * Call {@link MasterState#scheduleMore()} soon, as an event of its own: an event started as
     * many attempts as one may ({@link #STARTS_PER_EVENT}) and more could start. No default: an
     * outbox that dropped it would leave free slots idle until a task ends.
     */
    void scheduleMore();
  }

  /**
   * Attempts one event starts, at most: a job of 200,000 maps on 4,000 free slots starts in twenty
   * events of a few milliseconds, not one of 50 ms and more (cold code: the first job's start runs
   * mostly interpreted), while heartbeats wait behind it.
   */
  static final int STARTS_PER_EVENT = 200;

  /**
   * Settings of a master.
   *
   * @param backupTasks whether a task far slower than its peers near the end of a phase gets a
   *     backup attempt on another worker (the paper's backup tasks, Hadoop's speculative execution)
   * @param noWorkerTimeout how long running jobs wait when no worker is left before they fail
   */
  public record Settings(Duration heartbeatInterval, Duration workerTimeout, double slowStart, boolean backupTasks,
      Duration noWorkerTimeout) {
    /** With backup tasks on. */
    public Settings(Duration heartbeatInterval, Duration workerTimeout, double slowStart) {
      this(heartbeatInterval, workerTimeout, slowStart, true);
    }

    /** Jobs fail after a minute without any worker. */
    public Settings(Duration heartbeatInterval, Duration workerTimeout, double slowStart, boolean backupTasks) {
      this(heartbeatInterval, workerTimeout, slowStart, backupTasks, Duration.ofMinutes(1));
    }

    public static Settings defaults() {
      return new Settings(Duration.ofSeconds(1), Duration.ofSeconds(10), 0.8, true, Duration.ofMinutes(1));
    }
  }

  /**
   * Map outputs that finish within this long of the last sending wait and go together: one message
   * per worker for a burst of maps, instead of one per map to every worker running reduces.
   */
  static final Duration MAP_OUTPUTS_EVERY = Duration.ofMillis(50);
  /**
   * ...or this long per worker hearing of them, if that is longer: the master sends at most about
   * 20,000 such messages a second per job, however many workers run its reduces (2,000 workers:
   * every 100 ms, where Hadoop's reducers poll for map completions every second).
   */
  static final Duration MAP_OUTPUTS_EVERY_PER_WORKER = Duration.ofNanos(50_000);

  /** The counter of backup attempts started for a job. */
  public static final String BACKUP_ATTEMPTS = "backup.attempts";
  /** A running attempt gets a backup once it has run this many times the phase's median... */
  private static final double BACKUP_SLOWDOWN = 2.0;
  /** Durations a phase's median is taken over, at least (or half the phase, if it is smaller). */
  private static final int MIN_DURATIONS_FOR_BACKUPS = 20;
  /** ...and at least this much longer than the median, so that short tasks never get one. */
  private static final Duration BACKUP_SLACK = Duration.ofSeconds(10);

  private final Settings settings;
  private final SchedulingPolicy policy;
  private final LongSupplier nanos;
  private final Outbox outbox;
  private final Map<String, Worker> workers = new LinkedHashMap<>();
  /**
   * The registered workers with a free slot, by registration order: what a policy chooses among.
   * Kept as attempts start and end, so that an assignment costs the free workers, not all of them
   * (in a busy cluster, the one whose attempt just ended).
   */
  private final java.util.TreeMap<Integer, Worker> free = new java.util.TreeMap<>();
  private final Map<String, JobRun> jobs = new LinkedHashMap<>();
  /** Finished jobs, newest last, for the status page. */
  private final List<Status.JobStatus> finished = new ArrayList<>();
  private int nextWorker;
  /**
   * How jobs that ended came out, for clients that come back to ask; a success's output files in
   * runs ({@link OutputFileRuns}), as the journal has them too.
   */
  private final Map<String, Message> outcomes = new LinkedHashMap<>() {
    @Override
    protected boolean removeEldestEntry(Map.Entry<String, Message> eldest) {
      return size() > 1000;
    }
  };
  /** This master's generation, as journaled when it started. */
  private int generation;
  /** Attempts started by this master are numbered from here, above any of an earlier master's. */
  private int attemptBase;
  /** Attempts the running {@link #schedule()} may still start. */
  private int startsLeft;
  /** Since when no worker has been registered, on the injected clock; or null. */
  private Long noWorkersSince;
  /**
   * Elements visited by the loops, streams, sorts and whole-collection copies below, one step
   * each: the scheduling work per event, which the master simulation (test sources) reads.
   */
  long loopSteps;
  /**
   * What the status page shows, as of the last tick or job end ({@link #publishStatus}): the one
   * field read from other threads, so that a page view never waits for this one.
   */
  private volatile StatusSnapshot statusSnapshot;

  public MasterState(Settings settings, SchedulingPolicy policy, LongSupplier nanos, Outbox outbox) {
    this.settings = settings;
    this.policy = policy;
    this.nanos = nanos;
    this.outbox = outbox;
    publishStatus();
  }

  // ---------------------------------------------------------------- workers

  /** A worker registered; returns the id the master gave it. */
  public String registerWorker(String host, int shufflePort, int slots) {
    return registerWorker("worker-" + (nextWorker + 1), host, shufflePort, slots);
  }

  /** A worker registered under an id the caller chose (unique among the master's workers). */
  public String registerWorker(String id, String host, int shufflePort, int slots) {
    return registerWorker(id, host, shufflePort, slots, List.of(), List.of());
  }

  /**
   * A worker registered holding map outputs of these jobs (see {@link #workerHolds(String, List,
   * List)}), taken in before anything is scheduled on it: a reduce started there at once is sent
   * only the locations it lacks.
   */
  public String registerWorker(String id, String host, int shufflePort, int slots, List<String> heldJobs,
      List<Integer> locationsKnown) {
    return registerWorker(id, host, shufflePort, slots, heldJobs, locationsKnown, null);
  }

  /** As above, with where the worker says it runs (its launcher's words: provider, host, instance), or null. */
  public String registerWorker(String id, String host, int shufflePort, int slots, List<String> heldJobs,
      List<Integer> locationsKnown, String location) {
    nextWorker++;
    Worker w = new Worker(id, host, shufflePort, Math.max(1, slots), nextWorker);
    w.location = location;
    w.lastHeartbeat = nanos.getAsLong();
    Worker before = workers.put(id, w);
    if (before != null) {
      free.remove(before.order);
      policy.workerGone(before);
    }
    slotsChanged(w);
    for (JobRun job : jobs.values()) {
      loopSteps++;
      List<JobRun.Restored> restored = job.restoredOn.remove(host + ":" + shufflePort);
      for (JobRun.Restored r : restored == null ? List.<JobRun.Restored>of() : restored) {
        loopSteps++;
        Task m = r.map();
        // Unless it was lost and ran again elsewhere after that entry.
        if (m.state == Task.Status.DONE && m.doneAttempt == r.attempt() && m.doneOn == null) {
          m.doneOn = id; // its output is on this worker's disk, lost with it
          job.mapsDoneOn.computeIfAbsent(id, k -> new IntList()).add(m.index);
        }
      }
    }
    log.info("{} registered: {}:{} with {} slots", id, host, shufflePort, w.slots);
    outbox.toWorker(id, new Message.Registered(id, settings.heartbeatInterval().toMillis()));
    workerHolds(id, heldJobs, locationsKnown);
    schedule();
    return id;
  }

  public void heartbeat(String workerId, int runningTasks, int freeSlots, double cpuLoad) {
    Worker w = workers.get(workerId);
    if (w != null) {
      w.lastHeartbeat = nanos.getAsLong();
      if (w.cpuLoad != cpuLoad) {
        w.cpuLoad = cpuLoad;
        policy.workerChanged(w);
      }
    }
    flushMapOutputsDue(nanos.getAsLong());
  }

  /**
   * A worker is gone (its connection closed, or it missed heartbeats): its running attempts are
   * run elsewhere, and so are its completed maps whose output a job still needs, because that
   * output lived on its disk (unless the job keeps map outputs in shared storage).
   */
  public void workerLost(String workerId, String why) {
    Worker w = workers.remove(workerId);
    if (w == null) {
      return;
    }
    free.remove(w.order);
    policy.workerGone(w);
    outbox.dropWorker(workerId);
    log.warn("{} lost ({}): re-running its {} running attempts", workerId, why, w.running.size());
    for (Attempt a : new ArrayList<>(w.running)) {
      loopSteps++;
      JobRun job = jobs.get(a.jobId);
      if (job != null) {
        Task t = job.task(a.kind, a.index);
        job.attemptGone(t, a.attempt);
      }
    }
    for (JobRun job : jobs.values()) {
      loopSteps++;
      job.sentTo.remove(workerId);
      if (job.reducesDone == job.reducePhase.size() && job.reducePhase.size() > 0) {
        continue;
      }
      if (job.reducePhase.size() == 0) {
        continue; // a map-only job's maps committed their output already
      }
      if (job.job.intermediate() != null) {
        continue; // its map outputs are in shared storage: they outlive the worker
      }
      boolean rerun = false;
      IntList there = job.mapsDoneOn.remove(workerId);
      for (int i = 0; there != null && i < there.size(); i++) {
        loopSteps++;
        Task m = job.mapPhase.task(there.get(i));
        if (m.state == Task.Status.DONE && workerId.equals(m.doneOn)) {
          rerunMap(job, m);
          log.info("job {}: map {} re-runs, its output was on {}", job.id, m.index, workerId);
          rerun = true;
        }
      }
      if (rerun) {
        progress(job);
      }
    }
    schedule();
  }

  /** A worker registered holding map outputs of these jobs: it drops those of jobs not running here. */
  public void workerHolds(String workerId, List<String> heldJobs) {
    workerHolds(workerId, heldJobs, java.util.Collections.nCopies(heldJobs.size(), 0));
  }

  /**
   * As {@link #workerHolds(String, List)}, with how far into each job's log of map completions the
   * worker was sent locations: a master restarted from its journal replays the same log, so it
   * sends the worker only what follows (at the paper's scale, resending every location to every
   * worker after a restart would be gigabytes). A count beyond the log (entries the journal had not
   * written when the old master stopped) counts for nothing.
   */
  public void workerHolds(String workerId, List<String> heldJobs, List<Integer> locationsKnown) {
    for (int i = 0; i < heldJobs.size(); i++) {
      loopSteps++;
      String jobId = heldJobs.get(i);
      JobRun job = jobs.get(jobId);
      if (job == null) {
        outbox.toWorker(workerId, new Message.EndJob(jobId));
        continue;
      }
      job.startedOn.add(workerId);
      int known = locationsKnown.get(i);
      if (known > 0 && known <= job.completions.size()) {
        job.sentTo.put(workerId, known);
      }
    }
  }

  /**
   * Sends the map outputs that finished since the last time to the workers running reduces, if
   * {@link #MAP_OUTPUTS_EVERY} has passed: called on heartbeats and ticks, so that the last
   * outputs of a burst do not wait for the next map to finish.
   */
  private void flushMapOutputsDue(long now) {
    for (JobRun job : jobs.values()) {
      loopSteps++;
      if (job.flushedUpTo < job.completions.size() && now - job.lastFlush >= job.flushInterval()) {
        flushMapOutputs(job, now);
      }
    }
  }

  /** Sends each worker running reduces of the job what it was not sent of the job's map outputs. */
  private void flushMapOutputs(JobRun job, long now) {
    job.lastFlush = now;
    job.flushedUpTo = job.completions.size();
    for (String worker : job.sentTo.keySet()) {
      loopSteps++;
      sendMapOutputs(job, worker);
    }
  }

  /**
   * Sends a worker the map outputs of the job it was not sent yet, from its cursor, leaving out
   * those of maps that ran again since (or whose output was lost); see {@link MapCompletionLog}. A
   * worker new to the job gets what the others got up to the last sending, then the entries since
   * (so messages are shared: those of the log's whole chunks, the last sending's, the entries
   * since). A worker keeps what it was sent for all its reduce attempts of the job, so each
   * location goes to each worker once, not once per reduce attempt.
   */
  private void sendMapOutputs(JobRun job, String worker) {
    int from = job.sentTo.getOrDefault(worker, 0);
    int size = job.completions.size();
    job.sentTo.put(worker, size);
    int lastSending = Math.max(from, Math.min(job.flushedUpTo, size));
    for (Message.MapOutputs m : job.completions.from(from, lastSending)) {
      outbox.toWorker(worker, m);
    }
    for (Message.MapOutputs m : job.completions.from(lastSending, size)) {
      outbox.toWorker(worker, m);
    }
    loopSteps += job.completions.takeLoopSteps();
  }

  /** Checks heartbeats, and starts backup attempts; call every heartbeat interval or so. */
  public void tick() {
    long now = nanos.getAsLong();
    flushMapOutputsDue(now);
    for (Worker w : new ArrayList<>(workers.values())) {
      loopSteps++;
      if (now - w.lastHeartbeat > settings.workerTimeout().toNanos()) {
        workerLost(w.id, "no heartbeat for " + Duration.ofNanos(now - w.lastHeartbeat).toMillis() + " ms");
      }
    }
    failJobsWithoutWorkers(now);
    for (JobRun job : new ArrayList<>(jobs.values())) {
      loopSteps++;
      if (!job.finishing) {
        preemptReducesForStarvedMaps(job);
      }
    }
    if (settings.backupTasks()) {
      for (JobRun job : new ArrayList<>(jobs.values())) {
        loopSteps++;
        if (!job.finishing) {
          startBackups(job, TaskKind.MAP, now);
          if (job.mapsDone == job.mapPhase.size()) {
            startBackups(job, TaskKind.REDUCE, now);
          }
        }
      }
    }
    publishStatus();
  }

  /**
   * Kills a running reduce attempt of the job on a worker other than {@code notOn}, which gets the
   * freed slot; the reduce goes back to pending (not counted as a failure). Null if there is none.
   */
  private Worker preemptReduce(JobRun job, String notOn, String forWhat) {
    // The reduces running, not all of them: returns as soon as it changed the set.
    for (Task r : job.reducePhase.running) {
      loopSteps++;
      for (Task.RunningAttempt a : r.running()) {
        loopSteps++;
        Worker w = workers.get(a.worker());
        if (w == null || w.id.equals(notOn)) {
          continue;
        }
        job.attemptGone(r, a.attempt());
        w.ended(new Attempt(job.id, TaskKind.REDUCE, r.index, a.attempt()));
        outbox.toWorker(w.id, new Message.KillTask(job.id, TaskKind.REDUCE, r.index, a.attempt()));
        log.info("job {}: reduce {} attempt {} on {} makes way for {}", job.id, r.index, a.attempt(), w.id, forWhat);
        return w;
      }
    }
    return null;
  }

  /**
   * Maps pending (to run again: their outputs went with a lost worker) while reduces, started
   * early, hold every slot and no map of any job runs (so none will free one): the reduces wait
   * for those maps and the maps for a slot, for ever. Hadoop breaks this by preempting reducers;
   * so does this, one of the job's reduces per pending map, each freed slot going straight to one
   * of those maps (not back to the queue, where another job could take it). The reduces run again
   * later.
   */
  private void preemptReducesForStarvedMaps(JobRun job) {
    Phase maps = job.mapPhase;
    if (maps.pending == 0 || !free.isEmpty() || job.reducePhase.running.isEmpty()) {
      return;
    }
    for (JobRun j : jobs.values()) {
      loopSteps++;
      if (!j.mapPhase.running.isEmpty()) {
        return;
      }
    }
    while (maps.pending > 0) {
      Task map = maps.peekQueued();
      while (map != null && map.state != Task.Status.PENDING) {
        maps.pollQueued(); // done or running since it was queued
        map = maps.peekQueued();
      }
      if (map == null) {
        return;
      }
      Worker w = preemptReduce(job, null, "map " + map.index + " to run again");
      if (w == null) {
        return;
      }
      maps.pollQueued();
      start(job, map, w);
    }
  }

  /** Jobs fail when no worker has been there for {@code noWorkerTimeout}: nothing could run them. */
  private void failJobsWithoutWorkers(long now) {
    if (!workers.isEmpty()) {
      noWorkersSince = null;
      return;
    }
    if (noWorkersSince == null) {
      noWorkersSince = now;
      return;
    }
    long waited = now - noWorkersSince;
    if (waited < settings.noWorkerTimeout().toNanos()) {
      return;
    }
    for (JobRun job : new ArrayList<>(jobs.values())) {
      loopSteps++;
      if (!job.finishing) {
        fail(job, new Message.JobFailed(job.id, "job " + job.id + " failed: no worker for "
            + Duration.ofNanos(waited).toSeconds() + " s", null, 0, null, null));
      }
    }
  }

  /**
   * Near the end of a phase (every task started, half of them done), gives each attempt running
   * {@link #BACKUP_SLOWDOWN} times the phase's median duration, and {@link #BACKUP_SLACK} more, a
   * backup attempt on another worker. The first attempt to finish wins; the other is killed.
   */
  private void startBackups(JobRun job, TaskKind kind, long now) {
    Phase phase = job.phase(kind);
    // Counts kept as tasks move, not recounted: a tick costs the running attempts, not the tasks.
    int done = kind == TaskKind.MAP ? job.mapsDone : job.reducesDone;
    // Half the phase done, and enough durations measured by this master for a median: a master
    // restarted from its journal knows none of the tasks done before (whose durations would read
    // 0 and make every running attempt look slow).
    if (phase.pending > 0 || done * 2 < phase.size()
        || phase.durations.size() < Math.min(MIN_DURATIONS_FOR_BACKUPS, (phase.size() + 1) / 2)) {
      return;
    }
    long median = phase.durations.median();
    long threshold = Math.max((long) (BACKUP_SLOWDOWN * median), median + BACKUP_SLACK.toNanos());
    for (Task t : new ArrayList<>(phase.running)) {
      loopSteps++;
      if (t.state != Task.Status.RUNNING || t.runningCount() != 1 || t.backedUp) {
        continue;
      }
      Task.RunningAttempt only = t.running().get(0);
      long elapsed = now - only.startedAt();
      if (elapsed < threshold) {
        continue;
      }
      SchedulingPolicy.FreeWorkers free = freeWorkersBut(only.worker());
      if (free.first() == null && t.kind == TaskKind.MAP) {
        // The reduces started early (slow start) may hold every slot while they wait for this very
        // map: free one, as Hadoop preempts reducers; the reduce runs again later.
        Worker w = preemptReduce(job, only.worker(), "a backup map");
        free = w == null ? free : SchedulingPolicy.FreeWorkers.of(List.of(w));
      }
      if (free.first() == null) {
        return;
      }
      Worker w = (Worker) policy.choose(job.id, t.kind, free);
      if (w != null) {
        t.backedUp = true;
        job.backups++;
        log.info("job {}: {} attempt {} has run {} ms (median {} ms): backup attempt on {}", job.id, t.name(),
            only.attempt(), Duration.ofNanos(elapsed).toMillis(), Duration.ofNanos(median).toMillis(), w.id);
        start(job, t, w);
      }
    }
  }

  // ---------------------------------------------------------------- jobs

  /** The bytes of input these splits hold. */
  public static long inputBytes(List<Message.Split> splits) {
    long bytes = 0;
    for (Message.Split split : splits) {
      for (Message.Range r : split.ranges()) {
        bytes += r.length();
      }
    }
    return bytes;
  }

  /**
   * A job was submitted and prepared (inputs split, as the client sent them; output created): it
   * starts now.
   */
  public void jobPrepared(String jobId, ShippedJob job, List<Message.Split> splits) {
    jobPrepared(jobId, job, splits, List.of());
  }

  /** As {@link #jobPrepared(String, ShippedJob, List)}, with the jars (SHA-256) holding its classes. */
  public void jobPrepared(String jobId, ShippedJob job, List<Message.Split> splits, List<String> jars) {
    jobPrepared(jobId, job, splits, jars, inputBytes(splits));
  }

  /**
   * As {@link #jobPrepared(String, ShippedJob, List, List)}, with the bytes the splits hold
   * ({@link #inputBytes}) counted by the caller, off this thread: a job of the paper's size has
   * 200,000 splits, and its start should cost the tasks it starts, not its splits.
   */
  public void jobPrepared(String jobId, ShippedJob job, List<Message.Split> splits, List<String> jars,
      long inputBytes) {
    JobRun run = new JobRun(jobId, job, splits, inputBytes, nanos.getAsLong());
    run.jars = List.copyOf(jars);
    outbox.journal(new Journal.JobStarted(jobId, job, jars, splits));
    jobs.put(jobId, run);
    log.info("job {} ({}): {} map tasks, {} reduce tasks", jobId, job.name(), splits.size(), job.reduceTasks());
    progress(run);
    finishIfDone(run);
    schedule();
  }

  /** An attempt succeeded. Counters count only for the first attempt of a task to succeed. */
  public void taskSucceeded(String workerId, Message.TaskSucceeded m) {
    JobRun job = jobs.get(m.jobId());
    Worker w = workers.get(workerId);
    if (job == null || w == null || job.finishing) {
      return;
    }
    Task t = job.task(m.kind(), m.index());
    // Only the worker running the attempt may report it: killed attempts, and workers the master
    // already gave up on, are ignored.
    if (t == null || !t.isRunningOn(m.attempt(), workerId)) {
      return;
    }
    Task.RunningAttempt ran = t.runningAttempt(m.attempt());
    w.ended(new Attempt(job.id, m.kind(), m.index(), m.attempt()));
    if (t.state == Task.Status.DONE) {
      job.attemptGone(t, m.attempt());
      schedule();
      return;
    }
    t.state = Task.Status.DONE;
    job.attemptGone(t, m.attempt());
    t.doneOn = workerId;
    if (t.kind == TaskKind.MAP) {
      job.mapsDoneOn.computeIfAbsent(workerId, id -> new IntList()).add(t.index);
    }
    t.doneAttempt = m.attempt();
    outbox.journal(new Journal.TaskDone(job.id, t.kind, t.index, m.attempt(), w.host, w.shufflePort, m.counters()));
    job.done(t, nanos.getAsLong() - ran.startedAt(), m.counters());
    for (Task.RunningAttempt other : t.running()) {
      loopSteps++;
      outbox.toWorker(other.worker(), new Message.KillTask(job.id, t.kind, t.index, other.attempt()));
      Worker ow = workers.get(other.worker());
      if (ow != null) {
        ow.ended(new Attempt(job.id, t.kind, t.index, other.attempt()));
      }
      job.attemptGone(t, other.attempt());
    }
    if (t.kind == TaskKind.MAP) {
      if (job.mapsDone == job.mapPhase.size()) {
        job.mapsFinishedAt = nanos.getAsLong();
        job.mapsFinished = true;
      }
      if (job.reducePhase.size() > 0) {
        logCompletion(job, t, m.attempt(), w.host, w.shufflePort);
        long now = nanos.getAsLong();
        if (job.mapsDone == job.mapPhase.size() || now - job.lastFlush >= job.flushInterval()) {
          flushMapOutputs(job, now);
        }
      }
    }
    progress(job);
    finishIfDone(job);
    schedule();
  }

  /**
   * An attempt asks to publish its output file. Granted to one attempt of a task at a time: to
   * the first that asks, or to another once the granted one stopped running (its worker lost, its
   * attempt failed) without the task being done; denied once the task is done. An attempt the
   * master no longer counts as running is denied, so a killed or lost attempt can never commit.
   */
  public void commitRequested(String workerId, Message.CommitRequest m) {
    JobRun job = jobs.get(m.jobId());
    Task t = job == null || job.finishing ? null : job.task(m.kind(), m.index());
    boolean granted = t != null && t.state != Task.Status.DONE
        && t.isRunningOn(m.attempt(), workerId)
        && (t.committer == 0 || t.committer == m.attempt() || t.runningOn(t.committer) == null);
    if (granted) {
      t.committer = m.attempt();
    }
    outbox.toWorker(workerId, new Message.CommitResponse(m.jobId(), m.kind(), m.index(), m.attempt(), granted));
  }

  /**
   * A reducer could not fetch a map output. After {@code min(3, R)} reports against the same
   * attempt of the map, its output counts as lost and the map runs again (the paper's answer,
   * without waiting for the worker's heartbeats to stop); its new location reaches the reducers.
   */
  public void fetchFailed(String workerId, Message.FetchFailed m) {
    JobRun job = jobs.get(m.jobId());
    Task t = job == null || job.finishing ? null : job.task(TaskKind.MAP, m.mapIndex());
    if (t == null || t.state != Task.Status.DONE || t.doneAttempt != m.mapAttempt()) {
      return; // already re-run, or nothing we know
    }
    t.fetchFailures++;
    log.warn("job {}: {} could not fetch partition {} of map {} attempt {} from {} ({} reports)", job.id, workerId,
        m.partition(), m.mapIndex(), m.mapAttempt(), t.doneOn, t.fetchFailures);
    if (t.fetchFailures >= Math.min(3, Math.max(1, job.reducePhase.size()))) {
      // An output that no run of the map makes readable (shared storage refusing reads, say) would
      // otherwise make the map run forever: as many runs as a task has attempts.
      if (++t.outputsLost >= job.job.maxTaskAttempts()) {
        fail(job, new Message.JobFailed(job.id, "job " + job.id + " failed: reducers could not fetch the output of "
            + t.name() + " after " + t.outputsLost + " runs of it (see the workers' logs for why)", t.name(),
            t.outputsLost, null, null));
        return;
      }
      log.warn("job {}: map {} runs again: its output on {} cannot be fetched", job.id, t.index, t.doneOn);
      rerunMap(job, t);
      progress(job);
      schedule();
    }
  }

  /** Logs a map's completion (the log builds a piece or a chunk as one fills). */
  private void logCompletion(JobRun job, Task map, int attempt, String host, int port) {
    job.logged(map, job.completions.add(map.index, attempt, host, port));
    loopSteps += job.completions.takeLoopSteps();
  }

  /** Logs word that a map's output is lost. */
  private void logLoss(JobRun job, Task map) {
    job.completions.lost(map.loggedAt);
    loopSteps += job.completions.takeLoopSteps();
  }

  private void rerunMap(JobRun job, Task m) {
    outbox.journal(new Journal.MapLost(job.id, m.index));
    job.undone(m);
    logLoss(job, m);
    m.doneOn = null; // its index stays in mapsDoneOn, which is checked against doneOn
    m.fetchFailures = 0;
    job.mapsFinished = false;
  }

  /** An attempt failed: the task runs again, or the job fails after its last attempt. */
  public void taskFailed(String workerId, Message.TaskFailed m) {
    JobRun job = jobs.get(m.jobId());
    if (job == null || job.finishing) {
      return;
    }
    Task t = job.task(m.kind(), m.index());
    if (t == null || !t.isRunningOn(m.attempt(), workerId)) {
      return;
    }
    Worker w = workers.get(workerId);
    if (w != null) {
      w.ended(new Attempt(job.id, m.kind(), m.index(), m.attempt()));
    }
    if (t.state == Task.Status.DONE) {
      job.attemptGone(t, m.attempt());
      schedule();
      return;
    }
    t.failures++;
    job.failedAttempts++;
    job.recentFailures.add(t.kind, t.index, m.attempt(), workerId, nanos.getAsLong(), m.position(), m.failure());
    t.failedAt(m.record(), job.job.skipBadRecords());
    log.warn("job {}: task {} attempt {} failed on {}{}: {}", job.id, t.name(), m.attempt(), workerId,
        m.position() == null ? "" : " at " + m.position(), m.failure());
    if (t.failures >= job.job.maxTaskAttempts()) {
      fail(job, new Message.JobFailed(job.id, "task " + t.name() + " of job " + job.id + " failed after "
          + t.failures + (t.failures == 1 ? " attempt" : " attempts") + (m.position() == null ? "" : ", at "
          + m.position()) + ": " + m.failure(), t.name(), t.failures, m.position(), m.failure()));
      return;
    }
    job.attemptGone(t, m.attempt());
    schedule();
  }

  /** The client cancelled the job. */
  public void cancel(String jobId) {
    JobRun job = jobs.get(jobId);
    if (job != null && !job.finishing) {
      fail(job, new Message.JobFailed(jobId, "job " + jobId + " was cancelled", null, 0, null, null));
    }
  }

  /**
   * Resumes from a journal, before any event: jobs that had not ended run on, with the tasks done
   * as they were (a map's output where it was: if its worker does not come back with it, the
   * reducers' fetch failures make it run again); ended jobs keep their outcome for clients that
   * ask. Returns the ids of the jobs resumed, whose outputs the caller must re-open.
   */
  public List<String> restore(List<Journal.Entry> entries) {
    int generation = 0;
    for (Journal.Entry e : entries) {
      loopSteps++;
      if (e instanceof Journal.MasterStarted m) {
        generation = Math.max(generation, m.generation());
      } else if (e instanceof Journal.JobStarted j) {
        JobRun run = new JobRun(j.jobId(), j.job(), j.splits(), inputBytes(j.splits()), nanos.getAsLong());
        run.jars = List.copyOf(j.jars());
        jobs.put(j.jobId(), run);
      } else if (e instanceof Journal.TaskDone d && jobs.containsKey(d.jobId())) {
        JobRun job = jobs.get(d.jobId());
        Task t = job.task(d.kind(), d.index());
        if (t != null && t.state != Task.Status.DONE) {
          job.phase(t.kind).pending--; // restored before any attempt: it was pending
          t.state = Task.Status.DONE;
          t.doneAttempt = d.attempt();
          job.done(t, -1, d.counters());
          if (t.kind == TaskKind.MAP) {
            logCompletion(job, t, d.attempt(), d.host(), d.port());
            // Which worker holds it is known again when a worker registers from that address.
            job.restoredOn.computeIfAbsent(d.host() + ":" + d.port(), a -> new ArrayList<>())
                .add(new JobRun.Restored(t, d.attempt()));
          }
        }
      } else if (e instanceof Journal.MapLost l && jobs.containsKey(l.jobId())) {
        JobRun job = jobs.get(l.jobId());
        Task m = job.task(TaskKind.MAP, l.index());
        if (m != null && m.state == Task.Status.DONE) {
          job.undone(m);
          logLoss(job, m);
        }
      } else if (e instanceof Journal.JobEnded end) {
        jobs.remove(end.jobId());
        outcomes.put(end.jobId(), end.outcome());
      }
    }
    attemptBase = (generation + 1) * 1000;
    this.generation = generation + 1;
    outbox.journal(new Journal.MasterStarted(generation + 1));
    for (JobRun job : jobs.values()) {
      loopSteps++;
      job.mapsFinished = job.mapsDone == job.mapPhase.size();
      // What the journal logged is there to send at once: no sending waits for it.
      job.flushedUpTo = job.completions.size();
      loopSteps += job.mapPhase.size() + job.reducePhase.size();
      job.mapPhase.numberAttemptsAbove(attemptBase);
      job.reducePhase.numberAttemptsAbove(attemptBase);
      log.info("job {} ({}) resumed: {} of {} maps and {} of {} reduces done", job.id, job.job.name(), job.mapsDone,
          job.mapPhase.size(), job.reducesDone, job.reducePhase.size());
    }
    return new ArrayList<>(jobs.keySet());
  }

  /** Finishes the jobs {@link #restore} resumed whose tasks were all done already. */
  public void resumed() {
    for (JobRun job : new ArrayList<>(jobs.values())) {
      loopSteps++;
      finishIfDone(job);
    }
    schedule();
  }

  /** A client (back after losing its connection) follows a job: its progress, or its outcome. */
  public void watch(String jobId) {
    JobRun job = jobs.get(jobId);
    if (job != null) {
      progress(job);
    } else if (outcomes.containsKey(jobId)) {
      Message outcome = outcomes.get(jobId);
      if (outcome instanceof Message.JobSucceeded s) {
        outcome = new Message.JobSucceeded(jobId, OutputFileRuns.expand(s.outputFiles()), s.counters(), s.mapMillis(),
            s.reduceMillis(), s.totalMillis());
      }
      outbox.toClient(jobId, outcome);
    } else {
      outbox.toClient(jobId, new Message.JobFailed(jobId, "the master at this address does not know job " + jobId,
          null, 0, null, null));
    }
  }

  /** Whether a job of this id is running, or ended and is still remembered ({@link #watch} answers it). */
  public boolean knows(String jobId) {
    return jobs.containsKey(jobId) || outcomes.containsKey(jobId);
  }

  /** The job could not be prepared: its inputs or output are at fault. */
  public void prepareFailed(String jobId, String message) {
    outbox.toClient(jobId, new Message.JobFailed(jobId, message, null, 0, null, null));
  }

  public void jobCommitted(String jobId, List<String> files) {
    JobRun job = jobs.remove(jobId);
    if (job == null) {
      return;
    }
    long now = nanos.getAsLong();
    // nanoTime may read negative: a flag, not a sign, says whether the maps finished.
    long mapsAt = job.mapsFinished ? job.mapsFinishedAt : now;
    Map<String, Long> counters = job.counters();
    job.outcome = "succeeded";
    endJob(job);
    Message.JobSucceeded done = new Message.JobSucceeded(jobId, files, counters,
        Duration.ofNanos(mapsAt - job.startedAt).toMillis(), Duration.ofNanos(now - mapsAt).toMillis(),
        Duration.ofNanos(now - job.startedAt).toMillis());
    // Kept (and journaled) with its file names in runs: a job of 5,000 reduces names 5,000 files.
    Message.JobSucceeded kept = new Message.JobSucceeded(jobId, OutputFileRuns.compress(files), counters,
        done.mapMillis(), done.reduceMillis(), done.totalMillis());
    outcomes.put(jobId, kept);
    outbox.journal(new Journal.JobEnded(jobId, kept));
    compactJournalIfIdle();
    outbox.toClient(jobId, done);
    log.info("job {} succeeded in {} ms", jobId, Duration.ofNanos(now - job.startedAt).toMillis());
    schedule();
  }

  public void commitFailed(String jobId, String message) {
    JobRun job = jobs.get(jobId);
    if (job != null) {
      job.finishing = false;
      fail(job, new Message.JobFailed(jobId, "job " + jobId + " failed to commit its output: " + message, null, 0,
          null, null));
    }
  }

  private void fail(JobRun job, Message.JobFailed failure) {
    job.finishing = true;
    jobs.remove(job.id);
    job.outcome = "failed: " + failure.message();
    for (Worker w : workers.values()) {
      loopSteps += 1 + w.running.size();
      if (w.running.removeIf(a -> a.jobId.equals(job.id))) {
        slotsChanged(w);
      }
    }
    endJob(job);
    outbox.abort(job.id);
    outcomes.put(job.id, failure);
    outbox.journal(new Journal.JobEnded(job.id, failure));
    compactJournalIfIdle();
    outbox.toClient(job.id, failure);
    log.warn("job {} failed: {}", job.id, failure.message());
    schedule();
  }

  /**
   * When no job is running any more, the journal is cut down to what a restarted master needs: its
   * generation and the outcomes clients may still ask for. (With jobs running, their entries are
   * needed whole; the journal is compacted when the last one ends.)
   */
  private void compactJournalIfIdle() {
    if (!jobs.isEmpty()) {
      return;
    }
    List<Journal.Entry> keep = new ArrayList<>();
    keep.add(new Journal.MasterStarted(generation));
    outcomes.forEach((id, outcome) -> keep.add(new Journal.JobEnded(id, outcome)));
    loopSteps += keep.size();
    outbox.compactJournal(keep);
  }

  private void endJob(JobRun job) {
    for (String w : job.startedOn) {
      loopSteps++;
      if (workers.containsKey(w)) {
        outbox.toWorker(w, new Message.EndJob(job.id));
      }
    }
    // A snapshot, not the job: a finished job's tasks and splits are not kept (megabytes at scale).
    finished.add(job.status(nanos.getAsLong()));
    if (finished.size() > 20) {
      finished.remove(0);
    }
    publishStatus(); // its outcome shows at once, not a tick later
  }

  private void finishIfDone(JobRun job) {
    if (job.finishing || job.mapsDone < job.mapPhase.size() || job.reducesDone < job.reducePhase.size()) {
      return;
    }
    job.finishing = true;
    outbox.commit(job.id);
  }

  private void progress(JobRun job) {
    outbox.toClient(job.id, new Message.JobProgressUpdate(job.id, job.mapPhase.size(), job.mapsDone,
        job.reducePhase.size(), job.reducesDone, job.inputBytes));
  }

  // ---------------------------------------------------------------- scheduling

  /**
   * Starts attempts on free slots until no task can start: each job's pending tasks come from its
   * queues (maps first; reduces after slow start), so an event costs the tasks it starts, not a
   * scan of the job's tasks.
   */
  private void schedule() {
    startsLeft = STARTS_PER_EVENT;
    for (JobRun job : jobs.values()) {
      loopSteps++;
      if (job.finishing) {
        continue;
      }
      if (!schedulePhase(job, job.mapPhase)) {
        return;
      }
      if (job.mapsDone < Math.ceil(settings.slowStart() * job.mapPhase.size())) {
        continue;
      }
      if (!schedulePhase(job, job.reducePhase)) {
        return;
      }
    }
  }

  /** Starts the phase's pending tasks while slots are free; false when none is. */
  private boolean schedulePhase(JobRun job, Phase phase) {
    for (Task t = phase.peekQueued(); t != null; t = phase.peekQueued()) {
      loopSteps++;
      if (t.state != Task.Status.PENDING) {
        phase.pollQueued(); // done or running since it was queued
        continue;
      }
      Worker w = chooseWorker(job, t);
      if (w == null) {
        return !free.isEmpty(); // the policy leaves it for later
      }
      if (startsLeft-- == 0) {
        outbox.scheduleMore(); // the rest in an event of its own
        return false;
      }
      phase.pollQueued();
      start(job, t, w);
    }
    return true;
  }

  /** Starts more attempts, after an event that started {@link #STARTS_PER_EVENT}. */
  public void scheduleMore() {
    schedule();
  }

  /** The worker the policy picks for the task among those with a free slot, or null. */
  private Worker chooseWorker(JobRun job, Task t) {
    return free.isEmpty() ? null : (Worker) policy.choose(job.id, t.kind, freeWorkersBut(null));
  }

  /** The workers with a free slot but {@code notThis} (a worker id, or null), as policies see them. */
  private SchedulingPolicy.FreeWorkers freeWorkersBut(String notThis) {
    return new SchedulingPolicy.FreeWorkers() {
      @Override
      public SchedulingPolicy.WorkerView after(int seat) {
        var e = free.higherEntry(seat);
        if (e != null && e.getValue().id.equals(notThis)) {
          e = free.higherEntry(e.getKey());
        }
        return e == null ? null : e.getValue();
      }

      @Override
      public boolean contains(SchedulingPolicy.WorkerView worker) {
        return free.get(worker.seat()) == worker && !worker.id().equals(notThis);
      }

      @Override
      public List<? extends SchedulingPolicy.WorkerView> all() {
        loopSteps += free.size();
        return free.values().stream().filter(w -> !w.id.equals(notThis)).toList();
      }
    };
  }

  /** Keeps {@link #free}, and the policy's own index, right after a worker's attempts changed (or it registered). */
  private void slotsChanged(Worker w) {
    if (w.freeSlots() > 0 && workers.get(w.id) == w) {
      free.put(w.order, w);
    } else {
      free.remove(w.order);
    }
    if (workers.get(w.id) == w) {
      policy.workerChanged(w);
    }
  }

  /** Starts a new attempt of a task on a worker. */
  private void start(JobRun job, Task t, Worker w) {
    int attempt = ++t.attempts;
    job.attemptStarted(t, attempt, w.id, nanos.getAsLong());
    w.started(new Attempt(job.id, t.kind, t.index, attempt));
    if (job.startedOn.add(w.id)) {
      outbox.toWorker(w.id, new Message.StartJob(job.id, job.job, job.jars));
    }
    if (t.kind == TaskKind.MAP) {
      outbox.toWorker(w.id, new Message.RunMap(job.id, t.index, attempt, job.splits.get(t.index), t.skip()));
    } else {
      outbox.toWorker(w.id, new Message.RunReduce(job.id, t.index, attempt, job.mapPhase.size(),
          t.skip()));
      sendMapOutputs(job, w.id);
    }
  }

  // ---------------------------------------------------------------- views

  /** A snapshot for the status page and tests. */
  public Status status() {
    long now = nanos.getAsLong();
    loopSteps += workers.size();
    List<Status.WorkerStatus> ws = workers.values().stream()
        .map(w -> new Status.WorkerStatus(w.id, w.host + ":" + w.shufflePort, w.slots, w.running.size(), w.cpuLoad,
            Duration.ofNanos(now - w.lastHeartbeat).toMillis(), w.location))
        .toList();
    List<Status.JobStatus> js = new ArrayList<>();
    loopSteps += finished.size();
    js.addAll(finished);
    for (JobRun j : jobs.values()) {
      loopSteps++;
      js.add(j.status(now));
    }
    return new Status(policy.name(), ws, js);
  }

  /** What the status page shows: safe to call from any thread (see {@link StatusSnapshot}). */
  StatusSnapshot statusSnapshot() {
    return statusSnapshot;
  }

  /**
   * Builds the status page's snapshot: the workers and jobs, and each running job's running
   * attempts (at most the slots, all jobs together) and recent failures. Once per tick, so a page
   * view costs this thread nothing, however often it refreshes.
   */
  private void publishStatus() {
    long now = nanos.getAsLong();
    Status status = status();
    Map<String, JobView> views = new HashMap<>();
    for (JobRun j : jobs.values()) {
      JobView view = JobView.of(j, now);
      loopSteps += 1 + view.running().size();
      views.put(j.id, view);
    }
    statusSnapshot = new StatusSnapshot(status, views, now);
  }

  /** What the master knows, as the status page shows it. */
  public record Status(String scheduler, List<WorkerStatus> workers, List<JobStatus> jobs) {
    public record WorkerStatus(String id, String shuffleAddress, int slots, int running, double cpuLoad,
        long millisSinceHeartbeat, String location) {
      public WorkerStatus(String id, String shuffleAddress, int slots, int running, double cpuLoad,
          long millisSinceHeartbeat) {
        this(id, shuffleAddress, slots, running, cpuLoad, millisSinceHeartbeat, null);
      }
    }

    public record JobStatus(String id, String name, String phase, int mapsTotal, int mapsDone, int reducesTotal,
        int reducesDone, int failedAttempts, Map<String, Long> counters, long elapsedMillis) {}
  }

  private record Attempt(String jobId, TaskKind kind, int index, int attempt) {}


  private final class Worker implements SchedulingPolicy.WorkerView {
    final String id;
    final String host;
    final int shufflePort;
    final int slots;
    final int order;
    final Set<Attempt> running = new HashSet<>();
    long lastHeartbeat;
    double cpuLoad = -1;
    /** Where it says it runs, or null. */
    String location;

    Worker(String id, String host, int shufflePort, int slots, int order) {
      this.id = id;
      this.host = host;
      this.shufflePort = shufflePort;
      this.slots = slots;
      this.order = order;
    }

    @Override
    public String id() {
      return id;
    }

    @Override
    public String host() {
      return host;
    }

    @Override
    public int seat() {
      return order;
    }

    @Override
    public int slots() {
      return slots;
    }

    @Override
    public int freeSlots() {
      return slots - running.size();
    }

    void started(Attempt a) {
      running.add(a);
      slotsChanged(this);
    }

    void ended(Attempt a) {
      if (running.remove(a)) {
        slotsChanged(this);
      }
    }

    @Override
    public int runningTasks() {
      return running.size();
    }

    @Override
    public int running(String jobId, TaskKind kind) {
      int n = 0;
      for (Attempt a : running) {
        loopSteps++;
        if (a.jobId.equals(jobId) && a.kind == kind) {
          n++;
        }
      }
      return n;
    }

    @Override
    public double cpuLoad() {
      return cpuLoad;
    }
  }
}

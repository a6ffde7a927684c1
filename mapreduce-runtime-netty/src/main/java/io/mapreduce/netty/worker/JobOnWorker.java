package io.mapreduce.netty.worker;

import io.mapreduce.internal.engine.ShippedJob;
import io.mapreduce.internal.engine.WorkerJob;
import io.mapreduce.internal.io.LocalStorage;
import io.mapreduce.netty.protocol.Message;
import io.mapreduce.netty.protocol.Message.MapLocation;
import io.mapreduce.netty.protocol.Message.TaskKind;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A job as one worker holds it, free of Netty: its code (decoded on first use, in a class loader
 * over the job's jars), its attempts running here, the map outputs it serves, and where the job's
 * map outputs are, for its reduce attempts. Touched by the event loop (attempts started, killed,
 * answered; locations announced) and by task threads (code opened, attempts finished).
 */
final class JobOnWorker {
  private static final Logger log = LoggerFactory.getLogger(JobOnWorker.class);

  /** What the worker provides a job. */
  interface Host {
    /** The jar of this content hash, from the cache or from the master. */
    Path jar(String sha256) throws Exception;

    /** The job's code as this worker runs it. */
    WorkerJob open(String jobId, ShippedJob shipped, Path directory) throws Exception;
  }

  /** A map attempt's output served here. */
  record AttemptKey(int index, int attempt) {}

  final String id;
  final ShippedJob shipped;
  final List<String> jarHashes;
  final Path directory;
  final Map<AttemptKey, ShuffleServer.Served> outputs = new ConcurrentHashMap<>();
  private final Host host;
  /**
   * Guards the job's code. Not this object's monitor, which the event loop takes to add map
   * output locations: opening may wait for jars that only that event loop can receive.
   */
  private final Object opening = new Object();
  private JobClassLoader loader;
  private WorkerJob job;
  private final Map<RunningAttempt.Key, RunningAttempt> running = new ConcurrentHashMap<>();
  private final Map<Integer, MapLocation> locations = new HashMap<>();
  private final List<ReduceFetch> following = new ArrayList<>();
  /** How far into the job's log of map completions the master sent locations (for a new master). */
  private int locationsKnown;
  /** The job's shuffle addresses as the master numbered them. */
  private final io.mapreduce.netty.protocol.MapOutputBook book = new io.mapreduce.netty.protocol.MapOutputBook();
  /** Guards {@link #threadsIn} and {@link #ended}: held only to count, never while waiting. */
  private final Object lifecycle = new Object();
  /** Task threads working in this job now, between {@link #enter()} and {@link #exit()}. */
  private int threadsIn;
  /** Whether the job ended here ({@link #close()}): no task thread may enter it any more. */
  private boolean ended;

  JobOnWorker(String id, ShippedJob shipped, List<String> jarHashes, Path directory, Host host) {
    this.id = id;
    this.shipped = shipped;
    this.jarHashes = List.copyOf(jarHashes);
    this.directory = directory;
    this.host = host;
  }

  /**
   * The job's code, decoded on first use (on a task thread: a failure fails that task), with its
   * class loader made the calling thread's context class loader, where Kryo finds user classes.
   */
  WorkerJob open() throws Exception {
    synchronized (opening) {
      if (loader == null) {
        java.net.URL[] urls = new java.net.URL[jarHashes.size()];
        for (int i = 0; i < urls.length; i++) {
          urls[i] = host.jar(jarHashes.get(i)).toUri().toURL();
        }
        loader = new JobClassLoader(id, urls, Worker.class.getClassLoader());
      }
      Thread.currentThread().setContextClassLoader(loader);
      if (job == null) {
        job = host.open(id, shipped, directory);
      }
      return job;
    }
  }

  RunningAttempt started(TaskKind kind, int index, int attempt) {
    RunningAttempt r = new RunningAttempt(kind, index, attempt);
    running.put(r.key(), r);
    return r;
  }

  /** False when the attempt was killed meanwhile. */
  boolean finished(RunningAttempt r) {
    return running.remove(r.key()) != null && !r.stopped;
  }

  void kill(TaskKind kind, int index, int attempt) {
    RunningAttempt r = running.remove(new RunningAttempt.Key(kind, index, attempt));
    if (r != null) {
      r.stop();
    }
  }

  void commitAnswered(Message.CommitResponse c) {
    RunningAttempt r = running.get(new RunningAttempt.Key(c.kind(), c.index(), c.attempt()));
    if (r != null && r.commitAnswer != null) {
      r.commitAnswer.complete(c.granted());
    }
  }

  void stopAll() {
    running.values().forEach(RunningAttempt::stop);
    running.clear();
  }

  int runningCount() {
    return running.size();
  }

  /**
   * New or re-run map outputs from the master (their addresses numbered as the master numbers them
   * for this job): kept for reduce attempts yet to start, passed on to running ones.
   *
   * @throws IllegalArgumentException when the message names addresses the master never sent
   */
  synchronized void addOutputs(Message.MapOutputs outputs) {
    List<MapLocation> locs = book.take(outputs);
    // From the log: where the master is now (a restarted master may send from an earlier point).
    locationsKnown = outputs.logEnd();
    announce(locs);
  }

  private void announce(List<MapLocation> locs) {
    for (MapLocation l : locs) {
      if (!l.isGone()) {
        locations.put(l.mapIndex(), l);
      } else if (locations.containsKey(l.mapIndex()) && locations.get(l.mapIndex()).attempt() == l.attempt()) {
        locations.remove(l.mapIndex()); // lost: reduce attempts yet to start wait for its next run
      }
    }
    for (ReduceFetch f : following) {
      f.announce(locs);
    }
  }

  /** A reduce attempt's copy phase hears of every location known so far and of those to come. */
  synchronized void follow(ReduceFetch fetch) {
    fetch.announce(new ArrayList<>(locations.values()));
    following.add(fetch);
  }

  synchronized void unfollow(ReduceFetch fetch) {
    following.remove(fetch);
  }

  synchronized int locationsKnown() {
    return locationsKnown;
  }

  /**
   * A task thread is about to work in this job (open its code, make its attempt's directory);
   * false if the job already ended here, when the attempt must not start.
   */
  boolean enter() {
    synchronized (lifecycle) {
      if (ended) {
        return false;
      }
      threadsIn++;
      return true;
    }
  }

  /** A task thread is done with this job; the last one out of an ended job removes its files. */
  void exit() {
    boolean last;
    synchronized (lifecycle) {
      last = --threadsIn == 0 && ended;
    }
    if (last) {
      release();
    }
  }

  /**
   * The job ended here: its files and class loader go now, or, while attempts told to stop are
   * still unwinding, when the last of them leaves ({@link #exit()}). Removing the directory under
   * a running attempt would not do: the attempt would make its task's directory again (a map
   * attempt makes {@code m-NNNNN/attempt-N} when it starts), remove only {@code attempt-N} when
   * it stops, and leave {@code jobs/<job-id>/m-NNNNN/} behind for good.
   */
  void close() {
    boolean now;
    synchronized (lifecycle) {
      ended = true;
      now = threadsIn == 0;
    }
    if (now) {
      release();
    }
  }

  /** Removes the job's files and closes its class loader; once, when no task thread is in the job. */
  private void release() {
    synchronized (opening) {
      if (job != null) {
        job.close();
      } else {
        LocalStorage.deleteRecursively(directory);
      }
      if (loader != null) {
        try {
          loader.close();
        } catch (IOException e) {
          log.debug("closing the class loader of job {}: {}", id, e.toString());
        }
      }
    }
  }
}

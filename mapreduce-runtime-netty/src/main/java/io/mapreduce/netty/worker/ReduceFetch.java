package io.mapreduce.netty.worker;

import io.mapreduce.internal.engine.WorkerJob.SegmentFile;
import io.mapreduce.internal.shuffle.RunIndex;
import io.mapreduce.internal.shuffle.RunWriter;
import io.mapreduce.netty.protocol.Message.MapLocation;
import io.mapreduce.netty.worker.Fetcher.Fetched;
import java.nio.file.Files;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.PriorityQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The copy phase of one reduce attempt, free of Netty: fetches its partition of every map output
 * as the master announces where they are, a bounded number at a time, into {@code dir}: a segment
 * of up to {@link #IN_MEMORY_LIMIT} bytes arrives in memory and is appended to the attempt's
 * {@link SegmentBundle}, a larger one goes to a file of its own. Driven by events, not by polling: an announced location and a finished
 * fetch each wake the attempt's thread at once (the loop this replaces slept 50 ms whenever no
 * fetch had finished yet, which capped a reducer at about a hundred fetches a second: 20 s to copy
 * 2,000 map outputs, however small).
 *
 * <p>A fetch that fails is tried again after a growing pause; after {@link #TRIES} failures from
 * the same location the output is reported unreachable (the master then runs that map again) and
 * the attempt waits for a new location. A fetch failing with {@link FetchRefused} fails the attempt:
 * another run of the map cannot help.
 *
 * <p>{@link #announce} may be called from any thread; everything else runs on the thread of {@link
 * #run}.
 */
final class ReduceFetch {
  private static final Logger log = LoggerFactory.getLogger(ReduceFetch.class);
  /** Tries from one location before it is reported. */
  static final int TRIES = 3;
  private static final long RETRY_PAUSE_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
  /** Segments up to this size are fetched into memory and bundled; it bounds each such allocation. */
  static final int IN_MEMORY_LIMIT = 256 << 10;
  /** How often a waiting attempt checks whether it was stopped. */
  private static final long STOP_CHECK_NANOS = TimeUnit.MILLISECONDS.toNanos(200);

  /** Copies one map output's partition to a file. */
  interface Source {
    /**
     * Completes with the segment's bytes when it is at most {@code inMemoryLimit} bytes long and
     * the source keeps such in memory, else when {@code target} and its index are written; fails
     * with the reason otherwise.
     */
    CompletableFuture<Fetched> fetch(int mapIndex, MapLocation location, Path target, int inMemoryLimit);

    /** Where fetches come from, for log lines. */
    String describe(MapLocation location);
  }

  /** What the attempt tells the master. */
  interface Reporter {
    /** The output of {@code location} could not be fetched after {@link #TRIES} tries. */
    void unreachable(int mapIndex, MapLocation location);
  }

  /** A failure another run of the map cannot mend (refused for want of permission, say). */
  static final class FetchRefused extends IOException {
    FetchRefused(String message, Throwable cause) {
      super(message, cause);
    }
  }

  private sealed interface Event {}

  private record Announced(List<MapLocation> locations) implements Event {}

  private record Finished(int mapIndex, MapLocation location, Fetched fetched, Throwable failure) implements Event {}

  private record Retry(int mapIndex, long dueNanos) {}

  private final String name;
  private final int maps;
  private final Path dir;
  private final Source source;
  private final Reporter reporter;
  private final int parallel;
  private final LongSupplier nanos;
  private final BooleanSupplier stopped;
  private final LinkedBlockingQueue<Event> events = new LinkedBlockingQueue<>();

  /** The newest location announced for each map, or null. */
  private final MapLocation[] latest;
  /** The location each map's output was last reported unreachable at, or null. */
  private final MapLocation[] unreachable;
  private final int[] failures;
  private final boolean[] fetched;
  /** Where each fetched map output's segment is; null for an empty one. */
  private final SegmentFile[] segments;
  private final SegmentBundle bundle;
  /** Queued, in flight or waiting to be tried again: not to be queued a second time. */
  private final boolean[] busy;
  private final ArrayDeque<Integer> ready = new ArrayDeque<>();
  private final PriorityQueue<Retry> retries = new PriorityQueue<>((a, b) -> Long.compare(a.dueNanos, b.dueNanos));
  private int inFlight;
  private int done;

  /**
   * @param name the attempt, for log lines
   * @param maps the job's map tasks: one output of each is fetched
   * @param parallel fetches in flight at once
   * @param stopped true once the attempt was killed
   */
  ReduceFetch(String name, int maps, Path dir, Source source, Reporter reporter, int parallel, LongSupplier nanos,
      BooleanSupplier stopped) {
    if (parallel < 1) {
      throw new IllegalArgumentException("parallel must be at least 1 but was " + parallel);
    }
    this.name = name;
    this.maps = maps;
    this.dir = dir;
    this.source = source;
    this.reporter = reporter;
    this.parallel = parallel;
    this.nanos = nanos;
    this.stopped = stopped;
    this.latest = new MapLocation[maps];
    this.unreachable = new MapLocation[maps];
    this.failures = new int[maps];
    this.fetched = new boolean[maps];
    this.segments = new SegmentFile[maps];
    this.bundle = new SegmentBundle(dir.resolve("bundle"));
    this.busy = new boolean[maps];
  }

  /** Where map outputs are (new ones, or ones run again). Any thread. */
  void announce(List<MapLocation> locations) {
    events.add(new Announced(List.copyOf(locations)));
  }

  /** The file a map's output is fetched into. */
  Path target(int mapIndex) {
    return dir.resolve("map-" + mapIndex);
  }

  /**
   * Fetches every map output; returns their segments in map order (empty ones left out).
   *
   * @throws InterruptedException when the attempt was stopped
   * @throws IOException when a fetch was refused ({@link FetchRefused}), or a fetched segment
   *     could not be stored
   */
  List<SegmentFile> run() throws IOException, InterruptedException {
    try {
      fetchAll();
      bundle.finish();
    } finally {
      bundle.close();
    }
    List<SegmentFile> files = new ArrayList<>(maps);
    for (SegmentFile f : segments) {
      if (f != null) {
        files.add(f);
      }
    }
    return files;
  }

  private void fetchAll() throws IOException, InterruptedException {
    List<Event> batch = new ArrayList<>();
    while (done < maps) {
      if (stopped.getAsBoolean()) {
        throw new InterruptedException("attempt stopped");
      }
      startFetches();
      long wait = STOP_CHECK_NANOS;
      if (!retries.isEmpty()) {
        wait = Math.max(0, Math.min(wait, retries.peek().dueNanos - nanos.getAsLong()));
      }
      Event first = events.poll(wait, TimeUnit.NANOSECONDS);
      if (first != null) {
        batch.add(first);
        events.drainTo(batch);
        for (Event e : batch) {
          handle(e);
        }
        batch.clear();
      }
      long now = nanos.getAsLong();
      while (!retries.isEmpty() && retries.peek().dueNanos <= now) {
        ready.add(retries.poll().mapIndex);
      }
    }
  }

  private void startFetches() {
    while (inFlight < parallel && !ready.isEmpty()) {
      int i = ready.poll();
      MapLocation loc = latest[i];
      if (loc.equals(unreachable[i])) {
        busy[i] = false; // reported meanwhile: wait for the map's next run
        continue;
      }
      inFlight++;
      CompletableFuture<Fetched> f;
      try {
        f = source.fetch(i, loc, target(i), IN_MEMORY_LIMIT);
      } catch (RuntimeException e) {
        f = CompletableFuture.failedFuture(e);
      }
      f.whenComplete((fetchedSegment, failure) -> events.add(new Finished(i, loc, fetchedSegment, failure)));
    }
  }

  private void handle(Event e) throws IOException {
    if (e instanceof Announced a) {
      for (MapLocation loc : a.locations) {
        int i = loc.mapIndex();
        if (i < 0 || i >= maps || fetched[i]) {
          continue;
        }
        if (loc.isGone()) {
          // The master says that output is lost: not fetched (nor reported) until the map's next run.
          if (latest[i] != null && latest[i].attempt() == loc.attempt()) {
            unreachable[i] = latest[i];
          }
          continue;
        }
        latest[i] = loc;
        if (!busy[i] && !loc.equals(unreachable[i])) {
          busy[i] = true;
          ready.add(i);
        }
      }
    } else if (e instanceof Finished f) {
      inFlight--;
      if (f.failure == null) {
        stored(f.mapIndex, f.fetched);
        fetched[f.mapIndex] = true;
        busy[f.mapIndex] = false;
        done++;
      } else {
        failed(f.mapIndex, f.location, f.failure);
      }
    }
  }

  /** Where a fetched segment is kept: its own file, or (when it came in memory) the bundle. */
  private void stored(int i, Fetched f) throws IOException {
    if (f.bytes() == null) {
      segments[i] = new SegmentFile(target(i), 0);
    } else if (f.records() == 0 && f.bytes().length == 0) {
      segments[i] = null;
    } else if (bundle.accepts(f.compressed())) {
      segments[i] = new SegmentFile(bundle.file(), bundle.append(f.bytes(), f.records(), f.checksum(), f.compressed()));
    } else {
      // Stored otherwise than the bundle's: a file of its own, as a large one.
      Path target = target(i);
      Files.write(target, f.bytes());
      RunIndex.ofOneSegment(f.bytes().length, f.records(), f.checksum(), f.compressed())
          .write(RunWriter.indexOf(target));
      segments[i] = new SegmentFile(target, 0);
    }
  }

  private void failed(int i, MapLocation loc, Throwable failure) throws IOException {
    Throwable cause = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
    if (cause instanceof FetchRefused refused) {
      throw new IOException("cannot read map " + i + "'s output: " + refused.getMessage(), refused);
    }
    if (!loc.equals(latest[i])) {
      // The map ran again meanwhile: fetch its new output, with a fresh count of tries.
      failures[i] = 0;
      ready.add(i);
      return;
    }
    if (loc.equals(unreachable[i])) {
      // The master said meanwhile that this output is lost: wait for the map's next run.
      failures[i] = 0;
      busy[i] = false;
      return;
    }
    if (++failures[i] >= TRIES) {
      log.warn("{}: cannot fetch map {} from {} after {} tries ({}); reported", name, i, source.describe(loc), TRIES,
          String.valueOf(cause));
      unreachable[i] = loc;
      failures[i] = 0;
      busy[i] = false;
      reporter.unreachable(i, loc);
    } else {
      log.warn("{}: fetching map {} from {} failed, retrying: {}", name, i, source.describe(loc),
          String.valueOf(cause));
      retries.add(new Retry(i, nanos.getAsLong() + RETRY_PAUSE_NANOS * failures[i]));
    }
  }
}

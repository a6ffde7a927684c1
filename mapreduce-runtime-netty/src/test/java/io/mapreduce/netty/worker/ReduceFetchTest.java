package io.mapreduce.netty.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mapreduce.internal.engine.WorkerJob.SegmentFile;
import io.mapreduce.internal.shuffle.RunIndex;
import io.mapreduce.internal.shuffle.RunWriter;
import io.mapreduce.netty.protocol.Message.MapLocation;
import io.mapreduce.netty.worker.Fetcher.Fetched;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiFunction;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The copy phase of a reduce attempt without Netty: sources that answer from a thread pool (as the
 * Fetcher's event loop does), real files in a temporary directory, read back through the run index
 * the merge reads.
 */
class ReduceFetchTest {
  @TempDir
  Path dir;

  private final ExecutorService answers = Executors.newFixedThreadPool(4);
  private final List<String> reported = new CopyOnWriteArrayList<>();

  @AfterEach
  void stop() {
    answers.shutdownNow();
  }

  /** The bytes map {@code i}'s output holds for the reducer: distinct per map. */
  private static byte[] bytesOf(int i) {
    return ("segment of map " + i).getBytes(StandardCharsets.UTF_8);
  }

  private static MapLocation at(int map, int attempt) {
    return new MapLocation(map, attempt, "host-" + attempt, 7000 + attempt);
  }

  /** A source answering on another thread with {@code answer(map, location)}. */
  private ReduceFetch.Source source(BiFunction<Integer, MapLocation, Fetched> answer, List<Integer> calls) {
    return new ReduceFetch.Source() {
      @Override
      public CompletableFuture<Fetched> fetch(int mapIndex, MapLocation location, Path target, int inMemoryLimit) {
        calls.add(mapIndex);
        return CompletableFuture.supplyAsync(() -> answer.apply(mapIndex, location), answers);
      }

      @Override
      public String describe(MapLocation location) {
        return location.host();
      }
    };
  }

  private ReduceFetch fetch(int maps, ReduceFetch.Source source, int parallel, AtomicBoolean stopped) {
    return new ReduceFetch("test reduce", maps, dir, source, (map, loc) -> reported.add(map + "@" + loc.attempt()),
        parallel, System::nanoTime, stopped::get);
  }

  private static Fetched inMemory(int i) {
    return new Fetched(bytesOf(i), bytesOf(i).length, 1, 100 + i, false);
  }

  /** Reads a segment back as the merge would find it: its bytes, by its index entry. */
  private static byte[] read(SegmentFile s) throws IOException {
    RunIndex index = RunIndex.read(RunWriter.indexOf(s.file()));
    byte[] all = Files.readAllBytes(s.file());
    int from = (int) index.offsets()[s.entry()];
    return Arrays.copyOfRange(all, from, from + (int) index.lengths()[s.entry()]);
  }

  @Test
  void everyMapOnce_inMapOrder_smallOnesInOneBundle_largeOnesInTheirFiles() throws Exception {
    int maps = 40;
    List<Integer> calls = new CopyOnWriteArrayList<>();
    // Maps divisible by 5 come as files of their own (as a segment over the in-memory limit does).
    ReduceFetch f = fetch(maps, source((i, loc) -> {
      if (i % 5 != 0) {
        return inMemory(i);
      }
      try {
        Path target = dir.resolve("map-" + i);
        Files.write(target, bytesOf(i));
        new RunIndex(new long[] {0}, new long[] {bytesOf(i).length}, new long[] {1}, new int[] {0}).write(
            RunWriter.indexOf(target));
        return Fetched.inFile(bytesOf(i).length);
      } catch (IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    }, calls), 7, new AtomicBoolean());
    // Announced out of order, in two batches, one map twice (a master re-sending its list).
    List<MapLocation> first = new ArrayList<>();
    List<MapLocation> second = new ArrayList<>();
    for (int i = maps - 1; i >= 0; i--) {
      (i % 2 == 0 ? first : second).add(at(i, 0));
    }
    f.announce(first);
    Future<List<SegmentFile>> result = Executors.newSingleThreadExecutor().submit(f::run);
    Thread.sleep(50);
    second.add(at(2, 0));
    f.announce(second);

    List<SegmentFile> segments = result.get(20, TimeUnit.SECONDS);
    assertThat(calls).hasSize(maps).doesNotHaveDuplicates();
    assertThat(segments).hasSize(maps);
    for (int i = 0; i < maps; i++) {
      assertThat(read(segments.get(i))).as("segment of map %d", i).isEqualTo(bytesOf(i));
      assertThat(segments.get(i).file().getFileName().toString()).isEqualTo(i % 5 == 0 ? "map-" + i : "bundle");
    }
    // One bundle for the 32 small segments: its data and its index, whatever the number of maps.
    RunIndex bundle = RunIndex.read(RunWriter.indexOf(dir.resolve("bundle")));
    assertThat(bundle.partitions()).isEqualTo(32);
    assertThat(bundle.checksums()).contains(101, 139);
    assertThat(reported).isEmpty();
  }

  @Test
  void atMostParallelFetchesInFlight() throws Exception {
    int maps = 30;
    AtomicInteger inFlight = new AtomicInteger();
    AtomicInteger most = new AtomicInteger();
    ReduceFetch f = fetch(maps, source((i, loc) -> {
      most.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
      try {
        Thread.sleep(5);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      inFlight.decrementAndGet();
      return inMemory(i);
    }, new CopyOnWriteArrayList<>()), 3, new AtomicBoolean());
    List<MapLocation> all = new ArrayList<>();
    for (int i = 0; i < maps; i++) {
      all.add(at(i, 0));
    }
    f.announce(all);
    assertThat(f.run()).hasSize(maps);
    assertThat(most.get()).isBetween(1, 3);
  }

  @Test
  void aFailingFetchIsTriedAgain_thenReported_andTheMapsNextRunIsFetched() throws Exception {
    Map<String, AtomicInteger> tries = new ConcurrentHashMap<>();
    List<Integer> calls = new CopyOnWriteArrayList<>();
    ReduceFetch f = fetch(3, source((i, loc) -> {
      int n = tries.computeIfAbsent(i + "@" + loc.attempt(), k -> new AtomicInteger()).incrementAndGet();
      if (i == 1 && n <= 2) {
        throw new java.io.UncheckedIOException(new IOException("connection reset"));
      }
      if (i == 2 && loc.attempt() == 0) {
        throw new java.io.UncheckedIOException(new IOException("connection refused"));
      }
      return inMemory(i);
    }, calls), 5, new AtomicBoolean());
    f.announce(List.of(at(0, 0), at(1, 0), at(2, 0)));
    Future<List<SegmentFile>> result = Executors.newSingleThreadExecutor().submit(f::run);
    // Map 2's first run is reported after its third failure; the master then runs it again.
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (reported.isEmpty() && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
    assertThat(reported).containsExactly("2@0");
    assertThat(result.isDone()).isFalse();
    f.announce(List.of(at(0, 0), at(1, 0), at(2, 0))); // the same again: nothing new to fetch
    Thread.sleep(100);
    assertThat(tries.get("2@0").get()).isEqualTo(ReduceFetch.TRIES);
    f.announce(List.of(at(2, 1)));

    List<SegmentFile> segments = result.get(10, TimeUnit.SECONDS);
    assertThat(segments).hasSize(3);
    assertThat(read(segments.get(2))).isEqualTo(bytesOf(2));
    assertThat(tries.get("1@0").get()).isEqualTo(3); // failed twice, then fetched: not reported
    assertThat(tries.get("2@1").get()).isEqualTo(1);
    assertThat(reported).containsExactly("2@0");
  }

  @Test
  void wordThatAnOutputIsGone_stopsItsFetching_withoutAReport_untilTheMapsNextRun() throws Exception {
    Map<String, AtomicInteger> tries = new ConcurrentHashMap<>();
    ReduceFetch f = fetch(2, source((i, loc) -> {
      tries.computeIfAbsent(i + "@" + loc.attempt(), k -> new AtomicInteger()).incrementAndGet();
      if (i == 1 && loc.attempt() == 0) {
        throw new java.io.UncheckedIOException(new IOException("connection refused"));
      }
      return inMemory(i);
    }, new CopyOnWriteArrayList<>()), 5, new AtomicBoolean());
    // The master says map 1's first output is gone as soon as the reducer heard of it.
    f.announce(List.of(at(0, 0), at(1, 0), MapLocation.gone(1, 0)));
    Future<List<SegmentFile>> result = Executors.newSingleThreadExecutor().submit(f::run);
    Thread.sleep(ReduceFetch.TRIES * 300L);
    assertThat(result.isDone()).isFalse();
    assertThat(reported).as("a lost output the master told of is not reported").isEmpty();
    assertThat(tries.getOrDefault("1@0", new AtomicInteger()).get()).isLessThan(ReduceFetch.TRIES);
    f.announce(List.of(at(1, 1)));
    List<SegmentFile> segments = result.get(10, TimeUnit.SECONDS);
    assertThat(segments).hasSize(2);
    assertThat(read(segments.get(1))).isEqualTo(bytesOf(1));
    assertThat(reported).isEmpty();
  }

  @Test
  void aRefusedFetchFailsTheAttempt_namingTheMap() {
    ReduceFetch f = fetch(2, source((i, loc) -> {
      if (i == 1) {
        throw new java.util.concurrent.CompletionException(new ReduceFetch.FetchRefused("access denied: s3://b/k", null));
      }
      return inMemory(i);
    }, new CopyOnWriteArrayList<>()), 5, new AtomicBoolean());
    f.announce(List.of(at(0, 0), at(1, 0)));
    assertThatThrownBy(f::run).isInstanceOf(IOException.class)
        .hasMessage("cannot read map 1's output: access denied: s3://b/k");
    assertThat(reported).isEmpty();
  }

  @Test
  void aStoppedAttemptStopsWaiting() throws Exception {
    AtomicBoolean stopped = new AtomicBoolean();
    ReduceFetch f = fetch(2, source((i, loc) -> inMemory(i), new CopyOnWriteArrayList<>()), 5, stopped);
    f.announce(List.of(at(0, 0))); // map 1 is never announced
    Future<List<SegmentFile>> result = Executors.newSingleThreadExecutor().submit(f::run);
    Thread.sleep(100);
    stopped.set(true);
    assertThatThrownBy(() -> result.get(5, TimeUnit.SECONDS)).hasCauseInstanceOf(InterruptedException.class);
  }
}

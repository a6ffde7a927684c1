package io.mapreduce.netty.master;

import static org.assertj.core.api.Assertions.assertThat;

import io.mapreduce.netty.protocol.MapOutputBook;
import io.mapreduce.netty.protocol.Message.MapLocation;
import io.mapreduce.netty.protocol.Message.MapOutputs;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MapCompletionLogTest {
  /** The attempt whose output is where each map's output is now (the master's task table). */
  private final Map<Integer, Integer> current = new HashMap<>();
  private final MapCompletionLog log = new MapCompletionLog("j", (map, attempt) -> current.get(map) == attempt);

  private void done(int map, int attempt, String host) {
    current.put(map, attempt);
    log.add(map, attempt, host, 7000);
  }

  private static List<MapLocation> read(MapOutputBook book, List<MapOutputs> messages) {
    List<MapLocation> all = new ArrayList<>();
    for (MapOutputs m : messages) {
      all.addAll(book.take(m));
    }
    return all;
  }

  @Test
  void workersAtTheSamePoint_shareOneMessage_andEachAddressGoesOnce() {
    done(0, 1, "a");
    done(1, 1, "b");
    MapOutputBook first = new MapOutputBook();
    assertThat(read(first, log.from(0, log.size()))).containsExactly(new MapLocation(0, 1, "a", 7000),
        new MapLocation(1, 1, "b", 7000));
    done(2, 1, "a");
    done(3, 1, "c");
    List<MapOutputs> sent = log.from(2, log.size());
    assertThat(log.from(2, log.size())).singleElement().isSameAs(sent.get(0));
    // Only "c" is new: "a" was named before position 2.
    assertThat(sent.get(0).addressesFrom()).isEqualTo(2);
    assertThat(sent.get(0).addresses()).extracting(a -> a.host()).containsExactly("c");
    assertThat(read(first, sent)).containsExactly(new MapLocation(2, 1, "a", 7000), new MapLocation(3, 1, "c", 7000));
    // A worker new to the job reads it all, and resolves the same addresses.
    assertThat(read(new MapOutputBook(), log.from(0, log.size()))).extracting(MapLocation::host).containsExactly("a", "b", "a", "c");
    assertThat(log.from(4, log.size())).isEmpty();
  }

  @Test
  void aWorkerCatchingUp_getsChunksBuiltOnce_andALostOutputsNewLocationAfterItsOld() {
    int n = MapCompletionLog.CHUNK * 2 + 5;
    for (int i = 0; i < n; i++) {
      done(i, 1, "h" + (i % 3));
    }
    List<MapOutputs> first = log.from(0, log.size());
    assertThat(first).hasSize(3);
    assertThat(first.get(0).logEnd()).isEqualTo(MapCompletionLog.CHUNK);
    assertThat(first.get(2).logEnd()).isEqualTo(n);
    log.takeLoopSteps();
    List<MapOutputs> again = log.from(0, log.size());
    assertThat(again.get(0)).isSameAs(first.get(0));
    assertThat(log.takeLoopSteps()).as("steps for a worker sent the cached chunks").isLessThan(10);
    // Map 7's output is lost and it runs again, on another worker. The chunk built before keeps the
    // old entry (as the workers sent it hold it); word of the loss, then the new entry, come later
    // in the log, and a worker reading the log in order ends with the new one.
    current.put(7, 2);
    log.lost(7);
    done(7, 2, "h9");
    MapOutputBook book = new MapOutputBook();
    List<MapLocation> all = read(book, log.from(0, log.size()));
    assertThat(log.takeLoopSteps()).as("no chunk rebuilt for the loss (a chunk is 20,000 steps)").isLessThan(100);
    assertThat(all).hasSize(n + 2);
    assertThat(all).filteredOn(l -> l.mapIndex() == 7).containsExactly(new MapLocation(7, 1, "h1", 7000),
        MapLocation.gone(7, 1), new MapLocation(7, 2, "h9", 7000));
    // A message built after the loss leaves the stale entry out.
    current.put(n - 1, 2);
    log.lost(n - 1);
    assertThat(read(new MapOutputBook(), log.from(0, log.size()))).filteredOn(l -> l.mapIndex() == n - 1)
        .containsExactly(MapLocation.gone(n - 1, 1));
    assertThat(book.size()).isEqualTo(4);
  }

  @Test
  void workersJoiningAtDifferentPoints_shareWholePieces_notAMessageEach() {
    int n = MapCompletionLog.CHUNK + 2 * MapCompletionLog.PIECE + 7;
    for (int i = 0; i < n; i++) {
      done(i, 1, "h" + (i % 5));
    }
    List<MapOutputs> first = log.from(0, n);
    assertThat(first).extracting(MapOutputs::logEnd).containsExactly(MapCompletionLog.CHUNK,
        MapCompletionLog.CHUNK + MapCompletionLog.PIECE, MapCompletionLog.CHUNK + 2 * MapCompletionLog.PIECE, n);
    done(n, 1, "h0");
    // A worker joining one entry later gets the same chunk and pieces, and a tail of its own.
    List<MapOutputs> later = log.from(0, n + 1);
    assertThat(later.subList(0, 3)).containsExactlyElementsOf(first.subList(0, 3));
    assertThat(later.get(3).outputs()).hasSize(8);
    assertThat(read(new MapOutputBook(), later)).extracting(MapLocation::mapIndex).hasSize(n + 1).doesNotHaveDuplicates();
  }
}

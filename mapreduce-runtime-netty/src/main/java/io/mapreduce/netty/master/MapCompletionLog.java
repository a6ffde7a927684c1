package io.mapreduce.netty.master;

import io.mapreduce.netty.protocol.Message.MapOutput;
import io.mapreduce.netty.protocol.Message.MapOutputs;
import io.mapreduce.netty.protocol.Message.ShuffleAddress;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One job's map completions, in the order they happened (a map run again appears again, later),
 * and the {@link MapOutputs} messages that carry them to workers: each worker running the job's
 * reduces is sent the log from its own cursor, as Hadoop's reducers pull map-completion events.
 *
 * <p>At the paper's scale every entry goes to every one of 2,000 workers, so what is sent is built
 * once and shared: the message for the entries since the last sending (most workers are that far)
 * once per sending, and the messages a worker new to the job catches up with, cut at fixed
 * {@link #CHUNK} boundaries, once per chunk. A worker's sending then costs a step, not a step per
 * entry. Shuffle addresses are numbered in the order entries first name them (the same after a
 * restart: the journal replays the same entries in the same order), and each message carries the
 * addresses first named by its entries, so a worker that read the log in order knows them all.
 *
 * <p>A lost output is word in the log ({@link #lost}); entries whose map ran again since, or whose
 * output was lost, are left out of what is built after. Confined to the master's state thread.
 */
final class MapCompletionLog {
  /** Entries per message, at most: about 4 bytes each on the wire, far under the 1 MiB a message may take. */
  static final int CHUNK = 20_000;
  /**
   * Entries of the pieces the last, incomplete chunk is sent in meanwhile: what a worker new to
   * the job catches up with is whole chunks and pieces, each built once, so that what the log
   * keeps built stays about the log's size (workers joining at many different points would
   * otherwise each get a message of their own of up to a chunk).
   */
  static final int PIECE = 1_000;

  /** Whether an entry is still where its map's output is. */
  interface Current {
    boolean isCurrent(int mapIndex, int attempt);
  }

  private final String jobId;
  private final Current current;
  private int size;
  private int[] maps = new int[64];
  private int[] attempts = new int[64];
  private int[] sources = new int[64];
  private final List<ShuffleAddress> addresses = new ArrayList<>();
  private final Map<ShuffleAddress, Integer> addressNumbers = new HashMap<>();
  /** The entry that first named each address: ascending. */
  private int[] namedAt = new int[16];
  /** Full chunks built, by chunk number; null when not built or dropped. */
  private final List<MapOutputs> chunks = new ArrayList<>();
  /** Full pieces built of the chunks not full yet, by piece number. */
  private final Map<Integer, MapOutputs> pieces = new HashMap<>();
  /**
   * The last messages built that are not whole chunks or pieces, by where they start and end (the
   * entries since the last sending, which every worker gets): a few dozen of at most a piece each,
   * the oldest dropped first.
   */
  private final Map<Long, MapOutputs> tails = new java.util.LinkedHashMap<>(64, 0.75f, true) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<Long, MapOutputs> eldest) {
      return size() > 64;
    }
  };
  /** Entries visited building messages since {@link #takeLoopSteps}, one step each: for the master simulation. */
  private long loopSteps;

  MapCompletionLog(String jobId, Current current) {
    this.jobId = jobId;
    this.current = current;
  }

  int size() {
    return size;
  }

  /** The loop steps counted since the last call (the master adds them to its own). */
  long takeLoopSteps() {
    long steps = loopSteps;
    loopSteps = 0;
    return steps;
  }

  /** Appends a completion; returns its position. */
  int add(int mapIndex, int attempt, String host, int port) {
    ShuffleAddress address = new ShuffleAddress(host, port);
    Integer number = addressNumbers.get(address);
    if (number == null) {
      number = addresses.size();
      addressNumbers.put(address, number);
      addresses.add(address);
      if (number == namedAt.length) {
        namedAt = Arrays.copyOf(namedAt, number * 2);
      }
      namedAt[number] = size;
    }
    return append(mapIndex, attempt, number);
  }

  private int append(int mapIndex, int attempt, int source) {
    if (size == maps.length) {
      maps = Arrays.copyOf(maps, size * 2);
      attempts = Arrays.copyOf(attempts, size * 2);
      sources = Arrays.copyOf(sources, size * 2);
    }
    maps[size] = mapIndex;
    attempts[size] = attempt;
    sources[size] = source;
    int position = size++;
    // A piece or a chunk just filled: built now, a piece's or a chunk's worth of steps in this
    // event, rather than every chunk at once for the first worker to catch up.
    if (size % PIECE == 0) {
      from(size - (size % CHUNK == 0 ? CHUNK : PIECE), size);
    }
    return position;
  }

  /**
   * The map output logged at {@code position} is lost: word of it goes into the log
   * ({@link MapOutput#GONE}), so that every worker, whether it was sent the output's location
   * before or is yet to read it, stops fetching it until the map's next run (whose location
   * comes after). Messages built already are not rebuilt: at the paper's scale a lost worker
   * held maps in every chunk, and rebuilding would cost 200,000 entries in one event. Without
   * this word, each reduce attempt would try the lost output and report it (a million reports).
   */
  void lost(int position) {
    tails.clear();
    append(maps[position], attempts[position], MapOutput.GONE);
  }

  /**
   * The messages that bring a worker from {@code from} to {@code to} (none when it is there), in
   * order. Shared: callers must not change them. Callers keep to few distinct starts and ends
   * (where the last sending ended, the log's end), so that workers share what is not a whole chunk
   * too.
   */
  List<MapOutputs> from(int from, int to) {
    if (to > size) {
      throw new IllegalArgumentException("to " + to + " beyond the log's " + size + " entries");
    }
    if (from >= to) {
      return List.of();
    }
    List<MapOutputs> out = new ArrayList<>(1);
    int at = from;
    while (at < to) {
      loopSteps++;
      int chunk = at / CHUNK;
      int chunkEnd = (chunk + 1) * CHUNK;
      if (at == chunk * CHUNK && chunkEnd <= to) {
        while (chunks.size() <= chunk) {
          chunks.add(null);
        }
        if (chunks.get(chunk) == null) {
          chunks.set(chunk, build(at, chunkEnd));
          // Its pieces are not sent any more: workers catching up get the whole chunk.
          for (int p = chunk * (CHUNK / PIECE); p < (chunk + 1) * (CHUNK / PIECE); p++) {
            pieces.remove(p);
          }
        }
        out.add(chunks.get(chunk));
        at = chunkEnd;
        continue;
      }
      int piece = at / PIECE;
      int pieceEnd = (piece + 1) * PIECE;
      if (at == piece * PIECE && pieceEnd <= to) {
        int start = at;
        out.add(pieces.computeIfAbsent(piece, p -> build(start, pieceEnd)));
        at = pieceEnd;
      } else {
        int end = Math.min(pieceEnd, to);
        int start = at;
        out.add(tails.computeIfAbsent((long) start << 32 | end, k -> build(start, end)));
        at = end;
      }
    }
    return out;
  }

  /** Entries [from, to): those still current, and the addresses first named among all of them. */
  private MapOutputs build(int from, int to) {
    List<MapOutput> outputs = new ArrayList<>(to - from);
    for (int i = from; i < to; i++) {
      loopSteps++;
      if (sources[i] == MapOutput.GONE || current.isCurrent(maps[i], attempts[i])) {
        outputs.add(new MapOutput(maps[i], attempts[i], sources[i]));
      }
    }
    int addressesFrom = addressesNamedBefore(from);
    int addressesTo = addressesNamedBefore(to);
    loopSteps += addressesTo - addressesFrom;
    return new MapOutputs(jobId, addressesFrom, addresses.subList(addressesFrom, addressesTo), outputs, to);
  }

  /** How many addresses the entries before {@code position} name. */
  private int addressesNamedBefore(int position) {
    int lo = 0;
    int hi = addresses.size();
    while (lo < hi) {
      loopSteps++;
      int mid = (lo + hi) >>> 1;
      if (namedAt[mid] < position) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    return lo;
  }
}

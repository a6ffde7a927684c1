package io.mapreduce.netty.master;

import io.mapreduce.netty.protocol.Frames;
import io.mapreduce.netty.protocol.Message;
import io.mapreduce.netty.protocol.ProtocolKryo;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What {@link MasterSimulation} measures. Deterministic: events and loop steps per event type,
 * messages and bytes per message type. Measured (they vary between runs and machines): CPU and
 * wall time of each event on the calling thread, which stands for the master's state thread.
 */
final class SimulationMeter {

  /** The calls the simulation makes on the state machine, as the master's state thread runs them. */
  enum Event {
    REGISTER,
    HEARTBEAT,
    TICK,
    STATUS,
    JOB_PREPARED,
    MAP_SUCCEEDED,
    REDUCE_SUCCEEDED,
    COMMIT_REQUESTED,
    FETCH_FAILED,
    WORKER_LOST,
    JOB_COMMITTED,
    /** {@code restore(entries)} and {@code resumed()} on a fresh state machine. */
    RESTART
  }

  /** Counts and times of one event type. */
  static final class EventStats {
    long count;
    long steps;
    long maxSteps;
    long cpuNanos;
    long wallNanos;
    final LatencyHistogram latency = new LatencyHistogram();
  }

  /** Count and bytes of one message type, as framed on the wire. */
  static final class MessageStats {
    long count;
    long bytes;
    long maxBytes;
  }

  final Map<Event, EventStats> events = new EnumMap<>(Event.class);
  final LatencyHistogram latency = new LatencyHistogram();
  /** The slowest event and when (simulated) it ran. */
  Event slowestEvent;
  long slowestAtNanos;
  final Map<String, MessageStats> messages = new HashMap<>();
  String largestMessage = "none";
  long largestMessageBytes;
  long messagesToWorkers;
  long messagesToClient;
  long bytesToWorkers;
  long bytesToClient;

  long journalEntries;
  long journalAppendNanos;
  /** Bytes appended to the journal over the whole run (what it would hold uncompacted). */
  long journalBytes;
  /** The journal file's size at the end, after any compaction. */
  long journalBytesLeft;
  long journalReadNanos;
  int journalEntriesReplayed;

  long heapBaseline = -1;
  long heapAtMapsDone = -1;
  /** The simulated workers' fetch sets and the map output locations they keep, part of {@link #heapAtMapsDone} that is not the master's. */
  long simulationBytesAtMapsDone;
  long heapAfterJob = -1;
  long heapWithoutMaster = -1;

  private final MessageSizes sizes = new MessageSizes();

  void event(Event type, long steps, long cpuNanos, long wallNanos, long simulatedNanos) {
    EventStats s = events.computeIfAbsent(type, t -> new EventStats());
    s.count++;
    s.steps += steps;
    s.maxSteps = Math.max(s.maxSteps, steps);
    s.cpuNanos += cpuNanos;
    s.wallNanos += wallNanos;
    s.latency.record(wallNanos);
    if (wallNanos > latency.max()) {
      slowestEvent = type;
      slowestAtNanos = simulatedNanos;
    }
    latency.record(wallNanos);
  }

  void message(Message m, boolean toClient) {
    long bytes = sizes.framed(m);
    String type = m.getClass().getSimpleName();
    MessageStats s = messages.computeIfAbsent(type, t -> new MessageStats());
    s.count++;
    s.bytes += bytes;
    s.maxBytes = Math.max(s.maxBytes, bytes);
    if (bytes > largestMessageBytes) {
      largestMessageBytes = bytes;
      largestMessage = type;
    }
    if (toClient) {
      messagesToClient++;
      bytesToClient += bytes;
    } else {
      messagesToWorkers++;
      bytesToWorkers += bytes;
    }
  }

  EventStats total() {
    EventStats t = new EventStats();
    for (EventStats s : events.values()) {
      t.count += s.count;
      t.steps += s.steps;
      t.maxSteps = Math.max(t.maxSteps, s.maxSteps);
      t.cpuNanos += s.cpuNanos;
      t.wallNanos += s.wallNanos;
    }
    return t;
  }

  /** Steps per event over every event but heartbeats (which do no scheduling at all, and are most events). */
  double stepsPerNonHeartbeatEvent() {
    EventStats t = total();
    EventStats h = events.getOrDefault(Event.HEARTBEAT, new EventStats());
    return (t.steps - h.steps) / (double) Math.max(1, t.count - h.count);
  }

  /** Message types, most bytes first. */
  List<Map.Entry<String, MessageStats>> messagesByBytes() {
    List<Map.Entry<String, MessageStats>> list = new ArrayList<>(messages.entrySet());
    list.sort((a, b) -> a.getValue().bytes != b.getValue().bytes ? Long.compare(b.getValue().bytes, a.getValue().bytes)
        : a.getKey().compareTo(b.getKey()));
    return list;
  }

  /**
   * Framed sizes by the protocol's own encoder ({@link ProtocolKryo#encode}, plus the frame
   * header). A long {@code MapOutputs} (a reduce's full list of locations, 4 MB at full scale, sent
   * thousands of times) is sized instead element by element from the encoder's size of one
   * location, which is exact: the list is its varint length and then each element; every 64th
   * such message is encoded whole as well, and a mismatch stops the simulation.
   */
  static final class MessageSizes {
    private static final int ENCODE_UP_TO = 256;
    private final Map<String, Integer> locationBase = new HashMap<>();
    private int emptyListBytes = -1;
    private long longLists;

    long framed(Message m) {
      if (m instanceof Message.MapOutputs o && o.locations().size() > ENCODE_UP_TO) {
        long size = listBytes(o);
        if (longLists++ % 64 == 0) {
          long exact = ProtocolKryo.encode(m).length;
          if (exact != size) {
            throw new IllegalStateException("MapOutputs of " + o.locations().size() + " locations: " + exact
                + " bytes encoded, " + size + " estimated");
          }
        }
        return Frames.HEADER_BYTES + size;
      }
      return Frames.HEADER_BYTES + ProtocolKryo.encode(m).length;
    }

    private long listBytes(Message.MapOutputs o) {
      if (emptyListBytes < 0) {
        emptyListBytes = ProtocolKryo.encode(new Message.MapOutputs(o.jobId(), List.of())).length;
      }
      // The empty one's logEnd is -1 (one byte); this one's may take more.
      long bytes = emptyListBytes - 1 + unsignedVarIntBytes(o.locations().size()) + zigZagVarIntBytes(o.logEnd()) - 1;
      for (Message.MapLocation l : o.locations()) {
        bytes += locationBytes(o.jobId(), l);
      }
      return bytes;
    }

    /**
     * A location's bytes: those of (0, 0, host, port), plus what its map index and attempt add.
     * By host alone: a simulated worker has one port (the exact checks would catch another).
     */
    private long locationBytes(String jobId, Message.MapLocation l) {
      int base = locationBase.computeIfAbsent(l.host(), k -> ProtocolKryo.encode(
          new Message.MapOutputs(jobId, List.of(new Message.MapLocation(0, 0, l.host(), l.port())))).length
          - emptyListBytes);
      return base + zigZagVarIntBytes(l.mapIndex()) - 1 + zigZagVarIntBytes(l.attempt()) - 1;
    }

    static int unsignedVarIntBytes(int v) {
      int n = 1;
      while ((v >>>= 7) != 0) {
        n++;
      }
      return n;
    }

    /** Kryo's {@code writeVarInt(v, false)}: zigzag, then seven bits a byte. */
    static int zigZagVarIntBytes(int v) {
      return unsignedVarIntBytes((v << 1) ^ (v >> 31));
    }
  }

  /**
   * Latencies in log-linear buckets: 16 per power of two (within 6.25%), so memory stays fixed
   * however many events; percentiles answer a bucket's upper bound, never less than the truth.
   */
  static final class LatencyHistogram {
    private static final int SUB_BITS = 4;
    private final long[] counts = new long[64 << SUB_BITS];
    private long total;
    private long max;

    void record(long nanos) {
      long v = Math.max(0, nanos);
      counts[bucket(v)]++;
      total++;
      max = Math.max(max, v);
    }

    long count() {
      return total;
    }

    long max() {
      return max;
    }

    /** The smallest bucket bound with at least {@code p} of the values at or below it. */
    long percentile(double p) {
      long want = (long) Math.ceil(p * total);
      long seen = 0;
      for (int i = 0; i < counts.length; i++) {
        seen += counts[i];
        if (seen >= want && seen > 0) {
          return Math.min(max, upperBound(i));
        }
      }
      return max;
    }

    private static int bucket(long v) {
      int e = 63 - Long.numberOfLeadingZeros(Math.max(1, v));
      if (e < SUB_BITS) {
        return (int) v;
      }
      int sub = (int) (v >>> (e - SUB_BITS)) & ((1 << SUB_BITS) - 1);
      return (e - SUB_BITS + 1) << SUB_BITS | sub;
    }

    private static long upperBound(int bucket) {
      if (bucket < 1 << SUB_BITS) {
        return bucket;
      }
      int e = (bucket >>> SUB_BITS) + SUB_BITS - 1;
      int sub = bucket & ((1 << SUB_BITS) - 1);
      return (((1L << SUB_BITS | sub) + 1) << (e - SUB_BITS)) - 1;
    }
  }
}

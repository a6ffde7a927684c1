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
    /** {@code scheduleMore()}: the attempts an event could not start, in an event of their own. */
    SCHEDULE_MORE,
    /** {@code restore(entries)} and {@code resumed()} on a fresh state machine. */
    RESTART
  }

  /** Counts and times of one event type. */
  static final class EventStats {
    long count;
    long steps;
    long maxSteps;
    long cpuNanos;
    /** The most CPU one event took: what the state thread itself spent, pauses and stalls aside. */
    long maxCpuNanos;
    /** When (simulated) the event of the most steps, and the event of the most CPU, came. */
    long maxStepsAtNanos;
    long maxCpuAtNanos;
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
  /** The longest restore from the journal (a restarted master's), which {@link #latency} leaves out. */
  long restoreWallNanos;
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
  /**
   * What the master holds (JOL's walk of its object graph): with the workers registered before the
   * job, and with every map done; -1 when not measured.
   */
  long masterBaseline = -1;
  long masterAtMapsDone = -1;
  /**
   * What the master holds but its workers and policy (whose size follows the workers, some lost
   * during the job): before the job and after it; -1 when not measured.
   */
  long masterJobsBaseline = -1;
  long masterJobsAfterJob = -1;

  private final MessageSizes sizes = new MessageSizes();

  void event(Event type, long steps, long cpuNanos, long wallNanos, long simulatedNanos) {
    EventStats s = events.computeIfAbsent(type, t -> new EventStats());
    s.count++;
    s.steps += steps;
    if (steps > s.maxSteps) {
      s.maxStepsAtNanos = simulatedNanos;
    }
    s.maxSteps = Math.max(s.maxSteps, steps);
    if (cpuNanos > s.maxCpuNanos) {
      s.maxCpuAtNanos = simulatedNanos;
    }
    s.maxCpuNanos = Math.max(s.maxCpuNanos, cpuNanos);
    s.cpuNanos += cpuNanos;
    s.wallNanos += wallNanos;
    s.latency.record(wallNanos);
    if (type == Event.RESTART) {
      // The restore from the journal runs in Master's constructor, before it listens: no worker
      // or client waits on it, so it is reported apart, not among the events served.
      restoreWallNanos = Math.max(restoreWallNanos, wallNanos);
      return;
    }
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
      t.maxCpuNanos = Math.max(t.maxCpuNanos, s.maxCpuNanos);
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
   * header). The master sends one {@code MapOutputs} instance to many workers (each sending of
   * map outputs, each chunk of the log a worker catches up with): the last few instances' sizes are
   * kept, by identity, so each is encoded once.
   */
  static final class MessageSizes {
    private final Map<Message, Long> recent = new java.util.IdentityHashMap<>();
    private final java.util.ArrayDeque<Message> order = new java.util.ArrayDeque<>();

    long framed(Message m) {
      if (!(m instanceof Message.MapOutputs)) {
        return Frames.HEADER_BYTES + ProtocolKryo.encode(m).length;
      }
      Long size = recent.get(m);
      if (size == null) {
        size = (long) Frames.HEADER_BYTES + ProtocolKryo.encode(m).length;
        recent.put(m, size);
        order.add(m);
        if (order.size() > 256) {
          recent.remove(order.poll());
        }
      }
      return size;
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

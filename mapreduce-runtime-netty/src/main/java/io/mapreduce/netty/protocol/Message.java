package io.mapreduce.netty.protocol;

import io.mapreduce.internal.engine.ShippedJob;
import io.mapreduce.spi.FileRange;
import io.mapreduce.spi.InputFile;
import io.mapreduce.spi.InputSplit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Every message of the protocol: one record per message, all in this file so that the whole
 * vocabulary reads in one place. Each is registered with an explicit id in {@link ProtocolKryo}.
 * Collections are copied into {@code ArrayList}/{@code HashMap}, the only collection classes the
 * protocol registers (the JDK's immutable ones cannot be registered).
 */
public sealed interface Message {

  /**
   * Copies a list, checking the class of every element: generics are erased, so a decoded
   * message could otherwise hold anything registered where a String was promised.
   */
  static <T> ArrayList<T> checkedList(List<T> list, Class<T> type, String what) {
    ArrayList<T> copy = new ArrayList<>(list.size());
    for (Object o : list) {
      copy.add(type.cast(requireType(o, type, what)));
    }
    return copy;
  }

  /** Copies a map, checking the class of every key and value. */
  static <K, V> HashMap<K, V> checkedMap(Map<K, V> map, Class<K> keys, Class<V> values, String what) {
    HashMap<K, V> copy = new HashMap<>();
    for (Map.Entry<?, ?> e : map.entrySet()) {
      copy.put(keys.cast(requireType(e.getKey(), keys, what)), values.cast(requireType(e.getValue(), values, what)));
    }
    return copy;
  }

  private static Object requireType(Object o, Class<?> type, String what) {
    if (!type.isInstance(o)) {
      throw new IllegalArgumentException(what + " holds " + (o == null ? "null" : o.getClass().getName())
          + " where " + type.getSimpleName() + " belongs");
    }
    return o;
  }

  /** The kind of a task. */
  enum TaskKind {
    MAP,
    REDUCE
  }

  /**
   * A failure as data: the exception's class, message and stack text, never a serialized
   * {@code Throwable} (which would let the wire instantiate any class).
   */
  record Failure(String className, String message, String stackTrace) {
    public static Failure of(Throwable t) {
      java.io.StringWriter s = new java.io.StringWriter();
      t.printStackTrace(new java.io.PrintWriter(s));
      String stack = s.toString();
      // A stack is for reading: a few hundred lines are plenty.
      if (stack.length() > 16_384) {
        stack = stack.substring(0, 16_384) + "\n\t...";
      }
      return new Failure(t.getClass().getName(), t.getMessage(), stack);
    }

    @Override
    public String toString() {
      return message == null ? className : className + ": " + message;
    }
  }

  // --- Authentication: the first exchange on every connection, both ways (see ClusterSecret). ---

  /** Server to client, on connect: a fresh random nonce to answer. */
  record Challenge(byte[] nonce) implements Message {}

  /**
   * Client to server: its proof over the server's nonce ({@link ClusterSecret#clientProof}), who it
   * is, and a fresh random nonce of its own for the server to answer.
   */
  record Authenticate(byte[] mac, String peer, byte[] nonce) implements Message {}

  /**
   * Server to client, once the client has proven itself: the server's proof over the client's
   * nonce ({@link ClusterSecret#serverProof}). The client believes nothing from the server before.
   */
  record Welcome(byte[] mac) implements Message {}

  /**
   * Either side, before it closes the connection for a reason the other side should log: cut to
   * {@link Frames#MAX_REASON_CHARS} when made, so also when decoded.
   */
  record ProtocolError(String message) implements Message {
    public ProtocolError {
      message = Frames.brief(message);
    }
  }

  // --- Worker and master. ---

  /**
   * Worker to master, after authenticating; {@code jobs} are the jobs whose map outputs it still
   * holds (from before a master restart): the master ends those it does not know. {@code
   * locationsKnown}, one per job, is how far into the job's log of map completions the worker was
   * sent locations ({@link MapOutputs#logEnd}), so that a restarted master, whose log replays the
   * same, sends only what follows.
   */
  record RegisterWorker(String host, int shufflePort, int slots, List<String> jobs, List<Integer> locationsKnown,
      String location) implements Message {
    /** The longest {@link #location} taken: a line on the status page, not a document. */
    public static final int MAX_LOCATION_CHARS = 200;

    public RegisterWorker {
      Objects.requireNonNull(host, "host");
      if (location != null && (location.length() > MAX_LOCATION_CHARS || !location.chars().allMatch(
          c -> c >= 0x20 && c != 0x7f))) {
        throw new IllegalArgumentException("RegisterWorker.location: at most " + MAX_LOCATION_CHARS
            + " printable characters");
      }
      jobs = checkedList(jobs, String.class, "RegisterWorker.jobs");
      locationsKnown = checkedList(locationsKnown, Integer.class, "RegisterWorker.locationsKnown");
      if (locationsKnown.size() != jobs.size()) {
        throw new IllegalArgumentException("RegisterWorker: " + jobs.size() + " jobs but " + locationsKnown.size()
            + " location counts");
      }
    }

    /** Holding nothing. */
    public RegisterWorker(String host, int shufflePort, int slots) {
      this(host, shufflePort, slots, List.of(), List.of(), null);
    }

    /** Saying nothing of where it runs. */
    public RegisterWorker(String host, int shufflePort, int slots, List<String> jobs, List<Integer> locationsKnown) {
      this(host, shufflePort, slots, jobs, locationsKnown, null);
    }
  }

  /** Master to worker: its id, and how often to heartbeat. */
  record Registered(String workerId, long heartbeatMillis) implements Message {}

  /** Worker to master, every heartbeat interval: its load. */
  record Heartbeat(int runningTasks, int freeSlots, double cpuLoad) implements Message {}

  /**
   * Master to worker, before the first task of a job it runs there: the job, and the jars (by
   * SHA-256) that hold its classes, which the worker fetches from the master unless it has them.
   */
  record StartJob(String jobId, ShippedJob job, List<String> jars) implements Message {
    public StartJob {
      jars = checkedList(jars, String.class, "StartJob.jars");
    }
  }

  /** A byte range of an input file: part of a split. */
  record Range(String path, long fileLength, long start, long length) {
    public Range {
      Objects.requireNonNull(path, "Range.path");
      if (start < 0 || length < 0 || fileLength < 0 || start > fileLength || length > fileLength - start) {
        throw new IllegalArgumentException("range " + start + "+" + length + " is not within a file of " + fileLength
            + " bytes");
      }
    }

    static Range of(FileRange r) {
      return new Range(r.file().path(), r.file().length(), r.start(), r.length());
    }

    FileRange toFileRange() {
      return new FileRange(new InputFile(path, fileLength), start, length);
    }
  }

  /** The ranges one map task reads, in order: a split as it crosses the wire. */
  record Split(List<Range> ranges) {
    public Split {
      ranges = checkedList(ranges, Range.class, "Split.ranges");
      if (ranges.isEmpty()) {
        throw new IllegalArgumentException("a split needs at least one range");
      }
    }

    public static Split of(InputSplit split) {
      return new Split(split.ranges().stream().map(Range::of).toList());
    }

    public InputSplit toInputSplit(int index) {
      return new InputSplit(index, ranges.stream().map(Range::toFileRange).toList());
    }
  }

  /**
   * Master to worker: run one map attempt over a split, skipping the records of these ids
   * (skipping mode: earlier attempts failed on them).
   */
  record RunMap(String jobId, int index, int attempt, Split split, List<Long> skip) implements Message {
    public RunMap {
      Objects.requireNonNull(split, "RunMap.split");
      skip = checkedList(skip, Long.class, "RunMap.skip");
    }

    /** Skipping nothing. */
    public RunMap(String jobId, int index, int attempt, Split split) {
      this(jobId, index, attempt, split, List.of());
    }

    /** One range of one file, skipping nothing. */
    public RunMap(String jobId, int index, int attempt, String file, long fileLength, long start, long length) {
      this(jobId, index, attempt, new Split(List.of(new Range(file, fileLength, start, length))), List.of());
    }
  }

  /**
   * Master to worker: run one reduce attempt over partition {@code partition} of {@code maps} map
   * outputs, whose locations come in {@link MapOutputs} messages as the maps complete, skipping
   * the key groups of these ordinals (skipping mode).
   */
  record RunReduce(String jobId, int partition, int attempt, int maps, List<Long> skip) implements Message {
    public RunReduce {
      skip = checkedList(skip, Long.class, "RunReduce.skip");
    }

    /** Skipping nothing. */
    public RunReduce(String jobId, int partition, int attempt, int maps) {
      this(jobId, partition, attempt, maps, List.of());
    }
  }

  /**
   * Where a completed map task's output can be fetched: what a reduce attempt fetches from. Or,
   * with no host ({@link #gone}), word that this attempt's output is lost: not to be fetched.
   */
  record MapLocation(int mapIndex, int attempt, String host, int port) {
    /** The output of this attempt of the map is lost (its worker is gone, or reducers could not fetch it). */
    public static MapLocation gone(int mapIndex, int attempt) {
      return new MapLocation(mapIndex, attempt, null, -1);
    }

    public boolean isGone() {
      return host == null;
    }
  }

  /** A worker's shuffle server, from which map outputs are fetched. */
  record ShuffleAddress(String host, int port) {}

  /**
   * A completed map task's output, as {@link MapOutputs} carries it: on the job's shuffle address
   * number {@code source} (see {@link MapOutputBook}); or, with source {@link #GONE}, word that the
   * output of that attempt is lost.
   */
  record MapOutput(int mapIndex, int attempt, int source) {
    public static final int GONE = -1;

    public MapOutput {
      if (source < GONE) {
        throw new IllegalArgumentException("MapOutput: source " + source);
      }
    }
  }

  /**
   * Master to worker: where map outputs of a job are, from the job's log of map completions up to
   * entry {@code logEnd} (exclusive). Addresses are numbered per job, in the order the log first
   * names them, and each is sent to a worker once: this message brings those numbered from
   * {@code addressesFrom} on that the worker was not sent yet, and each output names its address by
   * number. (At the paper's scale every one of 200,000 locations goes to each of 2,000 workers: a
   * host name with each would be 8 GB; a number, about 2 bytes.) {@link MapOutputBook} turns these
   * into {@link MapLocation}s.
   */
  record MapOutputs(String jobId, int addressesFrom, List<ShuffleAddress> addresses, List<MapOutput> outputs,
      int logEnd) implements Message {
    public MapOutputs {
      addresses = checkedList(addresses, ShuffleAddress.class, "MapOutputs.addresses");
      outputs = checkedList(outputs, MapOutput.class, "MapOutputs.outputs");
      if (addressesFrom < 0 || logEnd < 0) {
        throw new IllegalArgumentException("MapOutputs: addressesFrom " + addressesFrom + ", logEnd " + logEnd);
      }
    }
  }

  /** Worker to master: an attempt succeeded; its counters. */
  record TaskSucceeded(String jobId, TaskKind kind, int index, int attempt, Map<String, Long> counters)
      implements Message {
    public TaskSucceeded {
      counters = checkedMap(counters, String.class, Long.class, "TaskSucceeded.counters");
    }
  }

  /**
   * Worker to master: an attempt failed; where (file:offset or key), and why; {@code record} is
   * the failing record's id within the task (a line's offset, a group's ordinal), or -1.
   */
  record TaskFailed(String jobId, TaskKind kind, int index, int attempt, String position, Failure failure,
      long record) implements Message {
    /** Not in a record. */
    public TaskFailed(String jobId, TaskKind kind, int index, int attempt, String position, Failure failure) {
      this(jobId, kind, index, attempt, position, failure, -1);
    }
  }

  /**
   * Worker to master: may this attempt publish its output file? The master grants each task's
   * commit to one attempt at a time.
   */
  record CommitRequest(String jobId, TaskKind kind, int index, int attempt) implements Message {}

  /** Master to worker: the answer to a {@link CommitRequest}. */
  record CommitResponse(String jobId, TaskKind kind, int index, int attempt, boolean granted) implements Message {}

  /**
   * Worker to master: a reducer could not fetch partition {@code partition} of map
   * {@code mapIndex}'s output (attempt {@code mapAttempt}) after retrying. After a few such
   * reports the master runs the map again elsewhere.
   */
  record FetchFailed(String jobId, int mapIndex, int mapAttempt, int partition) implements Message {}

  /** Master to worker: stop an attempt (a losing backup, a cancelled job). */
  record KillTask(String jobId, TaskKind kind, int index, int attempt) implements Message {}

  /** Master to worker: the job is over; stop its attempts and drop its files. */
  record EndJob(String jobId) implements Message {}

  // --- Client and master. ---

  /**
   * Client to master: run this job, under an id the client chose (a UUID), with its classes from
   * these jars (by SHA-256), which the master must have.
   */
  /**
   * Client to master: run this job over these splits, which the client computed with the job's
   * input format (as Hadoop's client does), so that the master never runs user code.
   */
  record SubmitJob(String jobId, ShippedJob job, List<String> jars, List<Split> splits) implements Message {
    public SubmitJob {
      jars = checkedList(jars, String.class, "SubmitJob.jars");
      splits = checkedList(splits, Split.class, "SubmitJob.splits");
    }
  }

  // --- Jars: the job's classes, stored once per content hash. ---

  /** Client to master: which of these jars (by SHA-256) do you lack? */
  record HasJars(List<String> jars) implements Message {
    public HasJars {
      jars = checkedList(jars, String.class, "HasJars.jars");
    }
  }

  /** Master to client: send these. */
  record MissingJars(List<String> jars) implements Message {
    public MissingJars {
      jars = checkedList(jars, String.class, "MissingJars.jars");
    }
  }

  /** Worker to master: send me this jar. */
  record GetJar(String sha256) implements Message {}

  /** A piece of a jar (client to master, master to worker), in order; the last one completes it. */
  record JarChunk(String sha256, long totalBytes, long offset, byte[] data) implements Message {}

  /** Master to client: the job's id. */
  record JobAccepted(String jobId) implements Message {}

  /** Master to client, as the job advances. */
  record JobProgressUpdate(String jobId, int mapsTotal, int mapsDone, int reducesTotal, int reducesDone,
      long inputBytes) implements Message {}

  /** Master to client: the output is committed. */
  record JobSucceeded(String jobId, List<String> outputFiles, Map<String, Long> counters, long mapMillis,
      long reduceMillis, long totalMillis) implements Message {
    public JobSucceeded {
      outputFiles = checkedList(outputFiles, String.class, "JobSucceeded.outputFiles");
      counters = checkedMap(counters, String.class, Long.class, "JobSucceeded.counters");
    }
  }

  /**
   * Master to client: the job failed and left no output. {@code taskId} is set when a task failed
   * on every attempt ({@code attempts} of them, the last at {@code position} with {@code failure}).
   */
  record JobFailed(String jobId, String message, String taskId, int attempts, String position, Failure failure)
      implements Message {}

  /** Client to master, after reconnecting: follow this job again (its progress, or its outcome). */
  record WatchJob(String jobId) implements Message {}

  /** Client to master: stop the job and remove what it wrote. */
  record CancelJob(String jobId) implements Message {}

  // --- Shuffle: reducer to the worker that holds a map output. ---

  /** Reducer to worker: send partition {@code partition} of a map output. */
  record FetchRequest(String jobId, int mapIndex, int attempt, int partition) implements Message {}

  /**
   * Worker to reducer: the segment's description, followed on the connection by exactly
   * {@code length} raw bytes (outside any frame), or an error and no bytes.
   */
  record FetchResponse(long length, long records, int checksum, boolean compressed, String error)
      implements Message {}
}

package io.mapreduce.netty.master;

import io.mapreduce.thirdparty.com.esotericsoftware.kryo.Kryo;
import io.mapreduce.thirdparty.com.esotericsoftware.kryo.KryoException;
import io.mapreduce.thirdparty.com.esotericsoftware.kryo.io.Input;
import io.mapreduce.thirdparty.com.esotericsoftware.kryo.io.Output;
import io.mapreduce.internal.engine.ShippedJob;
import io.mapreduce.netty.protocol.JobIds;
import io.mapreduce.netty.protocol.Message;
import io.mapreduce.netty.protocol.Message.TaskKind;
import io.mapreduce.netty.protocol.ProtocolKryo;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.LongConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The master's journal of job progress, so that a restarted master resumes its jobs (Hadoop's
 * application master recovery; the paper aborts instead): the jobs started, the tasks done and
 * where their outputs are, the maps whose output was lost, the jobs ended and how. One file of
 * length-prefixed Kryo records (the protocol's registrar, plus these records), appended and forced
 * to disk in groups by a thread of its own; a torn last entry (a crash mid-write) is ignored on
 * replay.
 */
final class Journal implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Journal.class);
  /**
   * The journal's records are the protocol's (jobs, outcomes): a new protocol version, whose
   * records an older journal may not decode, starts a journal of its own name.
   */
  static final String FILE = "journal-v" + io.mapreduce.netty.protocol.Frames.VERSION;

  /** One fact about a job. */
  sealed interface Entry {}

  record JobStarted(String jobId, ShippedJob job, List<String> jars, List<Message.Split> splits) implements Entry {
    JobStarted {
      jars = new ArrayList<>(jars);
      splits = new ArrayList<>(splits);
    }
  }

  record TaskDone(String jobId, TaskKind kind, int index, int attempt, String host, int port,
      Map<String, Long> counters) implements Entry {
    TaskDone {
      counters = new HashMap<>(counters);
    }
  }

  record MapLost(String jobId, int index) implements Entry {}

  /** The job's outcome: a {@link Message.JobSucceeded} or a {@link Message.JobFailed}. */
  record JobEnded(String jobId, Message outcome) implements Entry {}

  /** A master started on this journal: attempts numbered after it never collide with earlier ones. */
  record MasterStarted(int generation) implements Entry {}

  private final Path file;
  /** The file appended to; replaced by a compaction. Only the writer thread touches it, then close. */
  private FileChannel channel;
  private final Kryo kryo = newKryo();
  /** Called on the writer thread with the sequence number up to which entries are on disk. */
  private final LongConsumer onDurable;
  /**
   * Entries not yet written, and compactions, in order: encoded by the writer thread (entries are
   * immutable), so that the state thread pays nothing per entry but a queue insertion (a job of
   * 200,000 maps starts with an entry of 200,000 splits). Guarded by this.
   */
  private final List<Object> pending = new ArrayList<>();

  /** The journal's entries, replaced by these: what the state needs, nothing before. */
  private record Compaction(List<Entry> keep) {}
  /** Guarded by this. */
  private long appended;
  private long bytesAppended;
  private long durable;
  private boolean closed;
  private final Thread writer;

  private Journal(Path file, FileChannel channel, LongConsumer onDurable) {
    this.file = file;
    this.channel = channel;
    this.onDurable = onDurable;
    this.writer = new Thread(this::writeLoop, "master-journal");
    writer.setDaemon(true);
    writer.start();
  }

  private static Kryo newKryo() {
    Kryo kryo = ProtocolKryo.newKryoForJournal();
    // 200 was a split of one range (journal-v2); splits are now the protocol's Message.Split.
    kryo.register(JobStarted.class, 201);
    kryo.register(TaskDone.class, 202);
    kryo.register(MapLost.class, 203);
    kryo.register(JobEnded.class, 204);
    kryo.register(MasterStarted.class, 205);
    return kryo;
  }

  /** Reads what a journal holds (nothing if there is none yet). */
  static List<Entry> read(Path directory) throws IOException {
    Path file = directory.resolve(FILE);
    List<Entry> entries = new ArrayList<>();
    if (Files.isDirectory(directory)) {
      try (var names = Files.list(directory)) {
        names.map(p -> p.getFileName().toString()).filter(n -> n.matches("journal(-v\\d+)?") && !n.equals(FILE))
            .forEach(n -> log.warn("{}: a journal of another version of the protocol; the jobs it holds are not"
                + " resumed (it is left as it is)", directory.resolve(n)));
      }
    }
    if (!Files.exists(file)) {
      return entries;
    }
    // Streamed, an entry at a time: a journal may outgrow what one array can hold (2 GB).
    Kryo kryo = newKryo();
    long left = Files.size(file);
    long at = 0;
    java.util.Set<String> refused = new java.util.HashSet<>();
    try (var in = new java.io.DataInputStream(new java.io.BufferedInputStream(Files.newInputStream(file), 1 << 16))) {
      while (left >= 4) {
        int length = in.readInt();
        left -= 4;
        if (length < 0 || length > left) {
          log.warn("journal {}: ignoring a torn last entry ({} bytes)", file, left);
          break;
        }
        byte[] record = in.readNBytes(length);
        left -= length;
        try {
          Entry e = (Entry) kryo.readClassAndObject(new Input(record));
          if (e instanceof MasterStarted || JobIds.isValid(jobIdOf(e))) {
            entries.add(e);
          } else {
            // Written by a master that took any id: resuming it, or deleting its shared map
            // outputs again, would follow a path its id steers. One line per job, not per task.
            if (refused.add(String.valueOf(jobIdOf(e)))) {
              log.warn("journal {}: ignoring the entries of a job: {}", file, JobIds.refusal(jobIdOf(e)));
            }
          }
        } catch (KryoException | ClassCastException e) {
          log.warn("journal {}: ignoring an unreadable entry at byte {}: {}", file, at + 4, e.toString());
          break;
        }
        at += 4 + length;
      }
    }
    return entries;
  }

  /** The job an entry is about; null for a {@link MasterStarted}. */
  private static String jobIdOf(Entry e) {
    if (e instanceof JobStarted j) {
      return j.jobId();
    } else if (e instanceof TaskDone d) {
      return d.jobId();
    } else if (e instanceof MapLost l) {
      return l.jobId();
    } else if (e instanceof JobEnded end) {
      return end.jobId();
    }
    return null;
  }

  /** Opens the journal for appending. */
  static Journal open(Path directory) throws IOException {
    return open(directory, seq -> {});
  }

  /**
   * Opens the journal for appending, with group commit: {@link #appendLater} returns at once, a
   * thread of the journal's own writes what has been appended meanwhile in one write and forces
   * it in one {@code fsync}, then tells {@code onDurable} (on that thread) up to which entry the
   * journal is on disk. Forcing each entry on the caller's thread, as before, took an {@code fsync}
   * per finished task on the master's state thread.
   */
  static Journal open(Path directory, LongConsumer onDurable) throws IOException {
    Files.createDirectories(directory);
    Path file = directory.resolve(FILE);
    return new Journal(file, openForAppend(file), onDurable);
  }

  private static FileChannel openForAppend(Path file) throws IOException {
    return FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
  }

  /**
   * Queues an entry for the writer thread; returns its sequence number (from 1). Not thread-safe
   * against itself: one thread appends (the master's state thread).
   */
  long appendLater(Entry e) {
    synchronized (this) {
      if (closed) {
        return appended;
      }
      pending.add(e);
      notifyAll();
      return ++appended;
    }
  }

  private byte[] encode(Entry e) {
    Output out = new Output(256, -1);
    kryo.writeClassAndObject(out, e);
    byte[] record = new byte[4 + out.position()];
    ByteBuffer.wrap(record).putInt(out.position()).put(out.getBuffer(), 0, out.position());
    return record;
  }

  /**
   * Replaces everything appended so far by {@code keep} (a new file moved over the old one, so a
   * crash leaves one or the other whole); entries appended after this call follow them. The caller
   * (the state thread) passes what a restarted master needs of the entries before: when no job is
   * running, the outcomes clients may still ask for. Without it a journal grows by every task of
   * every job forever.
   */
  void compactLater(List<Entry> keep) {
    synchronized (this) {
      if (!closed) {
        pending.add(new Compaction(List.copyOf(keep)));
        notifyAll();
      }
    }
  }

  /** Appends an entry and waits until it is on disk. */
  void append(Entry e) {
    long seq = appendLater(e);
    synchronized (this) {
      while (durable < seq && !closed) {
        try {
          wait();
        } catch (InterruptedException ex) {
          Thread.currentThread().interrupt();
          return;
        }
      }
    }
  }

  /** The sequence number of the last entry appended. */
  synchronized long appended() {
    return appended;
  }

  /** Bytes of all the entries appended, compactions aside. */
  synchronized long bytesAppended() {
    return bytesAppended;
  }

  /** The sequence number up to which entries are on disk. */
  synchronized long durable() {
    return durable;
  }

  private void writeLoop() {
    List<Object> batch = new ArrayList<>();
    while (true) {
      long upTo;
      synchronized (this) {
        while (pending.isEmpty() && !closed) {
          try {
            wait();
          } catch (InterruptedException e) {
            return;
          }
        }
        if (pending.isEmpty()) {
          return; // closed, and everything written
        }
        batch.addAll(pending);
        pending.clear();
        upTo = appended;
      }
      write(batch);
      batch.clear();
      synchronized (this) {
        durable = upTo;
        notifyAll();
      }
      onDurable.accept(upTo);
    }
  }

  /** Writes a batch in order: records appended, a compaction replacing what came before it. */
  private void write(List<Object> batch) {
    try {
      List<byte[]> records = new ArrayList<>();
      long bytes = 0;
      for (Object o : batch) {
        if (o instanceof Compaction c) {
          records.clear(); // superseded by the compaction, like what the file holds
          List<byte[]> keep = new ArrayList<>();
          for (Entry e : c.keep()) {
            keep.add(encode(e));
          }
          replaceFile(keep);
        } else {
          byte[] record = encode((Entry) o);
          bytes += record.length;
          records.add(record);
        }
      }
      synchronized (this) {
        bytesAppended += bytes;
      }
      writeAll(channel, records);
      channel.force(false);
    } catch (IOException ex) {
      // The jobs go on; only a restart would lose track of these.
      log.error("cannot write to the master's journal: {}", ex.toString());
    }
  }

  private static void writeAll(FileChannel to, List<byte[]> records) throws IOException {
    int size = 0;
    for (byte[] b : records) {
      size += b.length;
    }
    ByteBuffer buf = ByteBuffer.allocate(size);
    for (byte[] b : records) {
      buf.put(b);
    }
    buf.flip();
    while (buf.hasRemaining()) {
      to.write(buf);
    }
  }

  private void replaceFile(List<byte[]> keep) throws IOException {
    Path next = file.resolveSibling(file.getFileName() + ".compacting");
    try (FileChannel out = FileChannel.open(next, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
        StandardOpenOption.WRITE)) {
      writeAll(out, keep);
      out.force(false);
    }
    Files.move(next, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    channel.close();
    channel = openForAppend(file);
    try (FileChannel dir = FileChannel.open(file.getParent(), StandardOpenOption.READ)) {
      dir.force(true); // the rename itself, on disk
    } catch (IOException e) {
      log.debug("cannot force the journal's directory: {}", e.toString());
    }
  }

  /** Writes what was appended, then closes the file. */
  @Override
  public void close() throws IOException {
    synchronized (this) {
      closed = true;
      notifyAll();
    }
    try {
      writer.join(TimeUnit.SECONDS.toMillis(30));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    channel.close();
  }
}

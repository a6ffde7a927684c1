package io.mapreduce.netty.master;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.KryoException;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.Output;
import io.mapreduce.internal.engine.ShippedJob;
import io.mapreduce.netty.protocol.Message;
import io.mapreduce.netty.protocol.Message.TaskKind;
import io.mapreduce.netty.protocol.ProtocolKryo;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The master's journal of job progress, so that a restarted master resumes its jobs (Hadoop's
 * application master recovery; the paper aborts instead): the jobs started, the tasks done and
 * where their outputs are, the maps whose output was lost, the jobs ended and how. One file of
 * length-prefixed Kryo records (the protocol's registrar, plus these records), appended and forced
 * to disk entry by entry; a torn last entry (a crash mid-write) is ignored on replay.
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

  private final FileChannel channel;
  private final Kryo kryo = newKryo();

  private Journal(FileChannel channel) {
    this.channel = channel;
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
    byte[] bytes = Files.readAllBytes(file);
    Kryo kryo = newKryo();
    ByteBuffer buf = ByteBuffer.wrap(bytes);
    while (buf.remaining() >= 4) {
      int length = buf.getInt();
      if (length < 0 || length > buf.remaining()) {
        log.warn("journal {}: ignoring a torn last entry ({} bytes)", file, buf.remaining());
        break;
      }
      try {
        entries.add((Entry) kryo.readClassAndObject(new Input(bytes, buf.position(), length)));
      } catch (KryoException | ClassCastException e) {
        log.warn("journal {}: ignoring an unreadable entry at byte {}: {}", file, buf.position(), e.toString());
        break;
      }
      buf.position(buf.position() + length);
    }
    return entries;
  }

  /** Opens the journal for appending. */
  static Journal open(Path directory) throws IOException {
    Files.createDirectories(directory);
    return new Journal(FileChannel.open(directory.resolve(FILE), StandardOpenOption.CREATE, StandardOpenOption.WRITE,
        StandardOpenOption.APPEND));
  }

  /** Appends an entry and forces it to disk. */
  synchronized void append(Entry e) {
    try {
      Output out = new Output(256, -1);
      kryo.writeClassAndObject(out, e);
      ByteBuffer buf = ByteBuffer.allocate(4 + out.position());
      buf.putInt(out.position()).put(out.getBuffer(), 0, out.position()).flip();
      while (buf.hasRemaining()) {
        channel.write(buf);
      }
      channel.force(false);
    } catch (IOException ex) {
      // The jobs go on; only a restart would lose track of this.
      log.error("cannot write to the master's journal: {}", ex.toString());
    }
  }

  @Override
  public synchronized void close() throws IOException {
    channel.close();
  }
}

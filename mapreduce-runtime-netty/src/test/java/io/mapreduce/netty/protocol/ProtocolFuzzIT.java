package io.mapreduce.netty.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import io.mapreduce.internal.engine.ShippedJob;
import io.mapreduce.netty.RawPeer;
import io.mapreduce.netty.WordCountCluster;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Random and mutated frames, before and after authenticating, against a master and a worker's
 * shuffle port in their own JVMs; then both must be alive, their heaps after a full GC bounded, and
 * a word count right. CI sends {@code fuzz.frames} = 20,000; {@code benchmarks/protocol-fuzz.sh}
 * a million. Before authenticating, a connection gets a burst of 1 to 4 frames (random bytes,
 * headers of any length, handshake frames with flipped bits or cut, Kryo frames) and may be
 * answered by nothing but a ProtocolError. After it, batches of 1 to 32 frames, mutated from a
 * corpus of real messages (bits flipped, bytes set, cut, extended, varints blown up, payloads
 * replaced, headers broken, now and then bytes outside any record), each batch followed by a probe
 * that the daemon must answer or close the connection within 5 s (never hang). The figures go to
 * {@code target/protocol-fuzz.txt}.
 */
@Timeout(value = 60, unit = TimeUnit.MINUTES)
class ProtocolFuzzIT {
  private static final int THREADS = 4;

  @TempDir Path dir;
  private final AtomicLong preAuthFrames = new AtomicLong();
  private final AtomicLong postAuthFrames = new AtomicLong();
  private final AtomicLong connections = new AtomicLong();
  private final AtomicLong refusals = new AtomicLong();

  @Test
  void fuzz_randomAndMutatedFrames_beforeAndAfterAuthenticating_daemonsStillServe() throws Exception {
    long frames = Long.getLong("fuzz.frames", 20_000);
    long seed = Long.getLong("fuzz.seed", System.nanoTime());
    try (LiveDaemons d = LiveDaemons.start(dir, Path.of("target", "security-it-logs", "protocol-fuzz"))) {
      WordCountCluster wordCount = new WordCountCluster(Files.createDirectories(dir.resolve("wordcount")));
      wordCount.runAndCheck(d.masterPort);
      long masterBefore = LiveDaemons.heapAfterGc(d.masterPid);
      long workerBefore = LiveDaemons.heapAfterGc(d.workerPid);
      List<byte[]> corpus = corpus(wordCount, d.masterPort);
      long start = System.nanoTime();
      ExecutorService pool = Executors.newFixedThreadPool(THREADS);
      try {
        List<Future<?>> running = new ArrayList<>();
        for (int t = 0; t < THREADS; t++) {
          Random random = new Random(seed + t);
          running.add(pool.submit(() -> {
            while (preAuthFrames.get() + postAuthFrames.get() < frames) {
              int port = random.nextBoolean() ? d.masterPort : d.shufflePort;
              if (random.nextInt(10) < 3) {
                preAuth(port, random);
              } else {
                postAuth(port, port == d.masterPort, random, corpus);
              }
              connections.incrementAndGet();
            }
            return null;
          }));
        }
        for (Future<?> f : running) {
          f.get();
        }
      } finally {
        pool.shutdownNow();
      }
      double seconds = (System.nanoTime() - start) / 1e9;
      assertThat(d.master.isAlive()).as("master alive").isTrue();
      assertThat(d.worker.isAlive()).as("worker alive").isTrue();
      long masterAfter = LiveDaemons.heapAfterGc(d.masterPid);
      long workerAfter = LiveDaemons.heapAfterGc(d.workerPid);
      wordCount.runAndCheck(d.masterPort);
      long sent = preAuthFrames.get() + postAuthFrames.get();
      String report = String.format(
          "protocol-fuzz: seed %d; %,d frames (%,d before authenticating, %,d after) on %,d connections in %.1f s:"
              + " %,.0f frames/s; %,d refusals; heap after a full GC: master %.1f MB (%.1f before), worker %.1f MB"
              + " (%.1f before); word count after: right",
          seed, sent, preAuthFrames.get(), postAuthFrames.get(), connections.get(), seconds, sent / seconds,
          refusals.get(), masterAfter / 1e6, masterBefore / 1e6, workerAfter / 1e6, workerBefore / 1e6);
      System.out.println(report);
      Files.writeString(Path.of("target", "protocol-fuzz.txt"), report + "\n");
      assertThat(masterAfter).as("master heap after GC").isLessThan(masterBefore + PreAuthenticationIT.HEAP_SLACK);
      assertThat(workerAfter).as("worker heap after GC").isLessThan(workerBefore + PreAuthenticationIT.HEAP_SLACK);
    }
  }

  // ------------------------------------------------------------------ before authenticating

  private void preAuth(int port, Random random) throws IOException {
    try (RawPeer p = RawPeer.connect(port)) {
      p.read(Message.Challenge.class);
      int k = 1 + random.nextInt(4);
      ByteArrayOutputStream burst = new ByteArrayOutputStream();
      for (int i = 0; i < k; i++) {
        burst.writeBytes(preAuthFrame(random));
      }
      try {
        p.sendUnsealed(burst.toByteArray());
        // A burst may end in the middle of a frame, for which the daemon rightly waits (until the
        // handshake's deadline): say there is no more, so that it has to decide now.
        p.socket().shutdownOutput();
      } catch (SocketException e) {
        // Refused and closed while we were still writing.
      }
      preAuthFrames.addAndGet(k);
      for (Message m : untilClosed(p)) {
        assertThat(m).as("answer before authentication").isInstanceOf(Message.ProtocolError.class);
        refusals.incrementAndGet();
      }
    }
  }

  private static byte[] preAuthFrame(Random random) {
    switch (random.nextInt(6)) {
      case 0 -> {
        byte[] b = new byte[1 + random.nextInt(2048)];
        random.nextBytes(b);
        return b;
      }
      case 1 -> {
        byte[] payload = new byte[random.nextInt(Frames.HANDSHAKE_MAX_FRAME_BYTES + 1)];
        random.nextBytes(payload);
        return RawPeer.frame(payload);
      }
      case 2 -> {
        // A header of any length, and a little of a body.
        byte[] body = new byte[random.nextInt(64)];
        random.nextBytes(body);
        return RawPeer.frame(Frames.MAGIC, Frames.VERSION, random.nextInt(), body);
      }
      case 3 -> {
        return mutate(RawPeer.wire(randomHandshake(random)), random, true);
      }
      case 4 -> {
        return RawPeer.wire(randomHandshake(random));
      }
      default -> {
        return RawPeer.frame(new Message.Heartbeat(random.nextInt(), random.nextInt(), random.nextDouble()));
      }
    }
  }

  private static Message randomHandshake(Random random) {
    byte[] a = new byte[32];
    byte[] b = new byte[32];
    random.nextBytes(a);
    random.nextBytes(b);
    return switch (random.nextInt(4)) {
      case 0 -> new Message.Challenge(a);
      case 1 -> new Message.Authenticate(a, "fuzz-" + random.nextInt(1000), b);
      case 2 -> new Message.Welcome(a);
      default -> new Message.ProtocolError("fuzz " + random.nextLong());
    };
  }

  // ------------------------------------------------------------------ after authenticating

  private void postAuth(int port, boolean master, Random random, List<byte[]> corpus) throws IOException {
    try (RawPeer p = RawPeer.connect(port)) {
      p.authenticate(ClusterSecret.NONE);
      for (int batch = 0; batch < 64; batch++) {
        int m = 1 + random.nextInt(32);
        ByteArrayOutputStream frames = new ByteArrayOutputStream();
        boolean outsideRecords = random.nextInt(200) == 0;
        for (int i = 0; i < m; i++) {
          byte[] frame = corpus.get(random.nextInt(corpus.size()));
          frames.writeBytes(random.nextInt(5) == 0 ? frame : mutate(frame, random, false));
        }
        // A jar name the master answers (MissingJars), a job the shuffle answers (no such output).
        String probe = String.format("%016x%016x%016x%016x", random.nextLong(), random.nextLong(), random.nextLong(),
            random.nextLong());
        frames.writeBytes(RawPeer.frame(master ? new Message.HasJars(List.of(probe))
            : new Message.FetchRequest(probe, 0, 1, 0)));
        try {
          if (outsideRecords) {
            p.sendUnsealed(frames.toByteArray());
          } else {
            p.send(frames.toByteArray());
          }
        } catch (SocketException e) {
          postAuthFrames.addAndGet(m);
          return;
        }
        postAuthFrames.addAndGet(m);
        if (!answered(p, probe)) {
          return;
        }
      }
    }
  }

  /** Reads until the probe's answer (true) or the close (false); a silence of 5 s fails the run. */
  private boolean answered(RawPeer p, String probe) throws IOException {
    while (true) {
      Message m;
      try {
        m = p.read();
      } catch (java.io.EOFException e) {
        return false;
      } catch (SocketTimeoutException e) {
        throw new AssertionError("the daemon neither answered the probe nor closed within 5 s", e);
      } catch (SocketException e) {
        return false; // reset
      } catch (IOException | ProtocolException e) {
        throw new AssertionError("the daemon sent something unreadable", e);
      }
      if (m instanceof Message.ProtocolError) {
        refusals.incrementAndGet();
      } else if (m instanceof Message.MissingJars j && j.jars().contains(probe)
          || m instanceof Message.FetchResponse r && r.error() != null && r.error().contains(probe)) {
        return true;
      }
    }
  }

  private static List<Message> untilClosed(RawPeer p) throws IOException {
    try {
      return p.readUntilClosed();
    } catch (SocketException e) {
      return List.of();
    }
  }

  /**
   * A frame changed at random. Before authentication anything goes; after it, the header's length
   * stays the payload's (a longer one would make the daemon rightly wait for the rest), and a
   * header is broken only so that it is refused at once.
   */
  static byte[] mutate(byte[] frame, Random random, boolean anyHeader) {
    byte[] payload = java.util.Arrays.copyOfRange(frame, Frames.HEADER_BYTES, frame.length);
    switch (random.nextInt(8)) {
      case 0 -> {
        for (int i = 0, n = 1 + random.nextInt(3); i < n && payload.length > 0; i++) {
          payload[random.nextInt(payload.length)] ^= (byte) (1 << random.nextInt(8));
        }
      }
      case 1 -> {
        if (payload.length > 0) {
          payload[random.nextInt(payload.length)] = (byte) random.nextInt(256);
        }
      }
      case 2 -> payload = java.util.Arrays.copyOf(payload, random.nextInt(payload.length + 1));
      case 3 -> {
        byte[] more = new byte[1 + random.nextInt(64)];
        random.nextBytes(more);
        ByteBuffer b = ByteBuffer.allocate(payload.length + more.length).put(payload).put(more);
        payload = b.array();
      }
      case 4 -> {
        // A varint at a random place blown up to 2^31 - 1: a length, a count, an id.
        int at = payload.length == 0 ? 0 : random.nextInt(payload.length);
        byte[] huge = {(byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, 0x07};
        ByteBuffer b = ByteBuffer.allocate(payload.length + huge.length).put(payload, 0, at).put(huge)
            .put(payload, at, payload.length - at);
        payload = b.array();
      }
      case 5 -> {
        payload = new byte[random.nextInt(256)];
        random.nextBytes(payload);
      }
      case 6 -> {
        // Kryo's class-by-name form, with a name of any length.
        io.mapreduce.thirdparty.com.esotericsoftware.kryo.io.Output out = new io.mapreduce.thirdparty.com.esotericsoftware.kryo.io.Output(64, -1);
        out.writeVarInt(1, true);
        out.writeVarInt(random.nextInt(1 << 20), true);
        out.writeString("x".repeat(random.nextInt(4096)) + random.nextInt());
        payload = out.toBytes();
      }
      default -> {
        if (anyHeader) {
          return RawPeer.frame(random.nextInt(), (short) random.nextInt(), random.nextInt(), payload);
        }
        return random.nextBoolean() ? RawPeer.frame(random.nextInt(), Frames.VERSION, payload.length, payload)
            : RawPeer.frame(Frames.MAGIC, (short) (Frames.VERSION + 1 + random.nextInt(100)), payload.length, payload);
      }
    }
    return RawPeer.frame(payload);
  }

  /** Real messages of the protocol, as frames: what the mutations start from. */
  private static List<byte[]> corpus(WordCountCluster wordCount, int masterPort) {
    var spec = wordCount.spec(masterPort);
    ShippedJob job = ShippedJob.of(spec);
    Message.Split split = new Message.Split(List.of(new Message.Range("/in/part-0", 100, 0, 100),
        new Message.Range("/in/part-1", 50, 10, 40)));
    List<Message> messages = List.of(
        new Message.HasJars(List.of("a".repeat(64), "b".repeat(64))),
        new Message.Heartbeat(1, 2, 0.5),
        new Message.WatchJob("no-such-job"),
        new Message.CancelJob("no-such-job"),
        new Message.GetJar("c".repeat(64)),
        new Message.FetchFailed("no-such-job", 1, 1, 0),
        new Message.TaskSucceeded("no-such-job", Message.TaskKind.MAP, 0, 1, Map.of("records", 10L, "bytes", 99L)),
        new Message.TaskFailed("no-such-job", Message.TaskKind.REDUCE, 1, 2, "file:10",
            new Message.Failure("java.lang.IllegalStateException", "boom", "at x\n\tat y"), 10),
        new Message.CommitRequest("no-such-job", Message.TaskKind.REDUCE, 0, 1),
        new Message.ProtocolError("fuzz"),
        new Message.JobProgressUpdate("no-such-job", 10, 5, 2, 1, 1000),
        new Message.MapOutputs("no-such-job", 0, List.of(new Message.ShuffleAddress("127.0.0.1", 1)),
            List.of(new Message.MapOutput(0, 1, 0), new Message.MapOutput(1, 1, Message.MapOutput.GONE)), 2),
        new Message.RunMap("no-such-job", 0, 1, split, List.of(5L, 7L)),
        new Message.RunReduce("no-such-job", 0, 1, 4, List.of(1L)),
        new Message.StartJob("no-such-job", job, List.of("d".repeat(64))),
        new Message.KillTask("no-such-job", Message.TaskKind.MAP, 0, 1),
        new Message.EndJob("no-such-job"),
        new Message.JobFailed("no-such-job", "failed", "m-0", 3, "file:1", null),
        new Message.FetchRequest("no-such-job", 0, 1, 0),
        new Message.FetchResponse(0, 0, 0, false, "none"),
        new Message.Registered("worker-99", 1000),
        new Message.JarChunk("e".repeat(64), 3, 0, new byte[] {1, 2, 3}));
    List<byte[]> frames = new ArrayList<>();
    for (Message m : messages) {
      frames.add(RawPeer.frame(m));
    }
    frames.add(RawPeer.frame("not a message".getBytes(StandardCharsets.UTF_8)));
    return frames;
  }
}

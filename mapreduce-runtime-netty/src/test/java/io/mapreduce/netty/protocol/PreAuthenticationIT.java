package io.mapreduce.netty.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import io.mapreduce.thirdparty.com.esotericsoftware.kryo.io.Output;
import io.mapreduce.netty.RawPeer;
import io.mapreduce.netty.WordCountCluster;
import java.io.EOFException;
import java.io.IOException;
import java.net.SocketException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 14's finding 1 (work before authentication), black box: a master and a worker in their
 * own JVMs (256 MB heaps), attacked on the master's port and the worker's shuffle port by a plain
 * socket. After each attack the daemons' heaps after a full GC (by jcmd) stay within a bound of
 * what they were after a first job, and a word count still gives the sequential count.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class PreAuthenticationIT {
  /** What an attack may leave on a daemon's heap after a full GC. */
  static final long HEAP_SLACK = 24L << 20;

  @TempDir static Path dir;
  private LiveDaemons daemons;
  private WordCountCluster wordCount;
  private long masterHeap;
  private long workerHeap;

  @BeforeAll
  void start() throws Exception {
    daemons = LiveDaemons.start(dir, Path.of("target", "security-it-logs", "pre-authentication"));
    wordCount = new WordCountCluster(Files.createDirectories(dir.resolve("wordcount")));
    wordCount.runAndCheck(daemons.masterPort);
    masterHeap = LiveDaemons.heapAfterGc(daemons.masterPid);
    workerHeap = LiveDaemons.heapAfterGc(daemons.workerPid);
  }

  @AfterAll
  void stop() {
    if (daemons != null) {
      daemons.close();
    }
  }

  private int[] ports() {
    return new int[] {daemons.masterPort, daemons.shufflePort};
  }

  /** Both daemons alive, their heaps within the slack of their baselines, and a job still right. */
  private void assertStillServing() throws Exception {
    assertThat(daemons.master.isAlive()).as("master alive").isTrue();
    assertThat(daemons.worker.isAlive()).as("worker alive").isTrue();
    assertThat(LiveDaemons.heapAfterGc(daemons.masterPid)).as("master heap after GC")
        .isLessThan(masterHeap + HEAP_SLACK);
    assertThat(LiveDaemons.heapAfterGc(daemons.workerPid)).as("worker heap after GC")
        .isLessThan(workerHeap + HEAP_SLACK);
    wordCount.runAndCheck(daemons.masterPort);
  }

  /** Reads frames until the peer closes; a reset (it closed with our bytes unread) counts as a close. */
  private static List<Message> untilClosed(RawPeer p) throws IOException {
    List<Message> got = new ArrayList<>();
    try {
      got.addAll(p.readUntilClosed());
    } catch (SocketException e) {
      // A reset while we were still writing: closed.
    }
    return got;
  }

  @Test
  void amplificationFrameBeforeAuthenticating_closedAtTheLengthPrefix_heapBounded_jobStillRight() throws Exception {
    // 64 MiB of frame that would be 32 million HashMaps (about 1.7 GB) if decoded.
    byte[] payload = ProtocolKryoTest.listOfEmptyMaps((Frames.DEFAULT_MAX_FRAME_BYTES - 16) / 2);
    assertThat(payload.length).isLessThanOrEqualTo(Frames.DEFAULT_MAX_FRAME_BYTES);
    byte[] frame = RawPeer.frame(payload);
    for (int port : ports()) {
      try (RawPeer p = RawPeer.connect(port)) {
        p.read(Message.Challenge.class);
        long start = System.nanoTime();
        // The whole frame, from another thread: the daemon must close after the header, not wait for it.
        CompletableFuture<Void> sending = CompletableFuture.runAsync(() -> {
          try {
            p.sendUnsealed(frame);
          } catch (IOException e) {
            // Closed under us: what should happen.
          }
        });
        List<Message> got = untilClosed(p);
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertThat(got).hasSizeLessThanOrEqualTo(1).allSatisfy(m -> assertThat(m).isInstanceOfSatisfying(
            Message.ProtocolError.class, e -> assertThat(e.message()).contains(
                "frame of " + payload.length + " bytes before authentication exceeds the maximum of 1024")));
        assertThat(millis).as("ms until the daemon on port %d closed", port).isLessThan(3_000);
        sending.get(10, TimeUnit.SECONDS);
      }
    }
    assertStillServing();
  }

  @Test
  void classByNameFramesAfterAuthenticating_manyOfThem_refusedUnloaded_heapBounded() throws Exception {
    String canary = PreAuthenticationIT.class.getName() + "$NeverLoaded";
    int frames = Integer.getInteger("security.classByNameFrames", 1_500);
    for (int port : ports()) {
      for (int i = 0; i < frames; i++) {
        try (RawPeer p = RawPeer.connect(port)) {
          p.authenticate(ClusterSecret.NONE);
          Output out = new Output(256, -1);
          out.writeVarInt(1, true); // Kryo's "a class by name follows"
          out.writeVarInt(i + 1, true); // a fresh name id each time: a new name-table entry each time
          out.writeString(i % 2 == 0 ? canary : "java.util.concurrent.ConcurrentSkipListMap");
          p.send(RawPeer.frame(out.toBytes()));
          List<Message> got = untilClosed(p);
          assertThat(got).singleElement().isInstanceOfSatisfying(Message.ProtocolError.class,
              e -> assertThat(e.message()).contains("only registered classes cross the wire"));
        }
      }
    }
    assertThat(LiveDaemons.hasLoaded(daemons.masterPid, canary)).as("master loaded the named class").isFalse();
    assertThat(LiveDaemons.hasLoaded(daemons.workerPid, canary)).as("worker loaded the named class").isFalse();
    assertStillServing();
  }

  @Test
  void hugeClassNameAfterAuthenticating_logLineAndErrorFrameCut() throws Exception {
    // 16 MiB of class name, in the class-by-name form and as an unregistered class's id followed by it.
    String name = "x".repeat(16 << 20);
    for (int port : ports()) {
      try (RawPeer p = RawPeer.connect(port)) {
        p.authenticate(ClusterSecret.NONE);
        Output out = new Output(name.length() + 64, -1);
        out.writeVarInt(1, true);
        out.writeVarInt(7, true);
        out.writeString(name);
        p.send(RawPeer.frame(out.toBytes()));
        List<Message> got = untilClosed(p);
        assertThat(got).singleElement().isInstanceOfSatisfying(Message.ProtocolError.class,
            e -> assertThat(e.message().length()).isLessThanOrEqualTo(2 * Frames.MAX_REASON_CHARS));
      }
      // A message whose string field is huge, where the application names what it got.
      try (RawPeer p = RawPeer.connect(port)) {
        p.authenticate(ClusterSecret.NONE);
        p.send(new Message.GetJar(name));
        List<Message> got = untilClosed(p);
        assertThat(got).allSatisfy(m -> assertThat(m.toString().length()).isLessThan(4 * Frames.MAX_REASON_CHARS));
      }
    }
    assertThat(LiveDaemons.longestLine(daemons.masterLog)).as("longest line of the master's log").isLessThan(2_000);
    assertThat(LiveDaemons.longestLine(daemons.workerLog)).as("longest line of the worker's log").isLessThan(2_000);
    assertStillServing();
  }

  @Test
  void handshakes_capPerAddressAndDeadline_onBothPorts() throws Exception {
    List<RawPeer> held = new ArrayList<>();
    try {
      long start = System.nanoTime();
      for (int port : ports()) {
        for (int i = 0; i < HandshakeGate.MAX_PER_ADDRESS; i++) {
          RawPeer p = RawPeer.connect(port);
          held.add(p);
          p.read(Message.Challenge.class);
        }
        // One more from the same address: closed before any challenge.
        try (RawPeer extra = RawPeer.connect(port)) {
          assertThat(untilClosed(extra)).as("port %d past the cap", port).isEmpty();
        }
      }
      // The held ones, silent, are closed at the deadline (10 s from connecting), not before.
      for (RawPeer p : held) {
        p.socket().setSoTimeout(15_000);
        assertThat(untilClosed(p)).isEmpty();
      }
      long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start);
      assertThat(seconds).as("seconds until the silent connections were closed").isBetween(9L, 14L);
      // Slots come back: a new connection is challenged and gets through.
      for (int port : ports()) {
        try (RawPeer p = RawPeer.connect(port)) {
          p.authenticate(ClusterSecret.NONE);
        }
      }
    } finally {
      for (RawPeer p : held) {
        p.close();
      }
    }
    assertStillServing();
  }

  /** Named in class-by-name frames; a daemon that called Class.forName on the name would load it. */
  static final class NeverLoaded {}
}

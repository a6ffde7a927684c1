package io.mapreduce.netty.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import io.mapreduce.netty.RawPeer;
import io.mapreduce.netty.WordCountCluster;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 14's finding 5 (a man in the middle can forge), black box: a worker JVM reaches a master
 * JVM through a relay in this test (a TCP proxy on 127.0.0.1) that passes the handshake on
 * untouched, as an on-path attacker without the secret can, and then forges. On the worker's first
 * connection it injects a plain frame towards the worker (where a forged StartJob would run code:
 * protocol 5 took it); on the second, a frame in a record of the right shape under a guessed key;
 * on the third it alters one byte of what the worker says to the master; from the fourth on it
 * only relays. Each forgery must close its connection within seconds, and the job must still complete
 * with the sequential count; what the relay passed on from the master must not be readable.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class FrameRelayIT {
  @TempDir Path dir;

  /** What the relay did to one connection, and when that connection closed. */
  static final class Tampered {
    final String what;
    final CountDownLatch closed = new CountDownLatch(1);
    /** What the master sent after the handshake on this connection, as the relay saw it (8 MiB at most). */
    final java.io.ByteArrayOutputStream fromMaster = new java.io.ByteArrayOutputStream();
    volatile long tamperedAt;
    volatile long closedAt;

    Tampered(String what) {
      this.what = what;
    }
  }

  /**
   * A TCP relay that reads the handshake's frames by their headers (two from the server, one from
   * the client), then on connection {@code k} does {@code tamper.get(k)}.
   */
  static final class Relay implements AutoCloseable {
    final ServerSocket listening;
    final int target;
    final List<Tampered> connections = new CopyOnWriteArrayList<>();
    private final Thread acceptor;

    Relay(int target) throws IOException {
      this.target = target;
      listening = new ServerSocket();
      listening.bind(new InetSocketAddress("127.0.0.1", 0));
      acceptor = new Thread(this::acceptAll, "relay-accept");
      acceptor.setDaemon(true);
      acceptor.start();
    }

    int port() {
      return listening.getLocalPort();
    }

    private void acceptAll() {
      try {
        while (true) {
          Socket client = listening.accept();
          Socket server = new Socket("127.0.0.1", target);
          int k = connections.size();
          Tampered t = new Tampered(k == 0 ? "inject" : k == 1 ? "inject sealed" : k == 2 ? "alter" : "relay");
          connections.add(t);
          Runnable closeBoth = () -> {
            t.closedAt = System.nanoTime();
            t.closed.countDown();
            quietly(client);
            quietly(server);
          };
          start(() -> pump(server, client, 2, t.what.startsWith("inject") ? t : null, closeBoth, t.fromMaster));
          start(() -> pump(client, server, 1, t.what.equals("alter") ? t : null, closeBoth, null));
        }
      } catch (IOException e) {
        // Closed.
      }
    }

    /**
     * Copies from one socket to the other: first {@code handshakeFrames} whole frames, then
     * records; with {@code tamper}, forges right after the handshake.
     */
    private static void pump(Socket from, Socket to, int handshakeFrames, Tampered tamper, Runnable closeBoth,
        java.io.ByteArrayOutputStream seen) {
      try {
        DataInputStream in = new DataInputStream(from.getInputStream());
        OutputStream out = to.getOutputStream();
        for (int i = 0; i < handshakeFrames; i++) {
          byte[] header = new byte[Frames.HEADER_BYTES];
          in.readFully(header);
          byte[] body = new byte[ByteBuffer.wrap(header).getInt(6)];
          in.readFully(body);
          out.write(header);
          out.write(body);
          out.flush();
        }
        if (tamper != null && tamper.what.startsWith("inject")) {
          // What an attacker would send a worker: a frame of its own choosing, as it is or in a
          // record of the right shape under a key it guessed.
          byte[] forged = RawPeer.frame(new Message.EndJob("forged-by-the-relay"));
          SessionKeys guess = SessionKeys.derive(ClusterSecret.NONE, new byte[32], new byte[32]);
          tamper.tamperedAt = System.nanoTime();
          out.write(tamper.what.equals("inject") ? forged : guess.sending(true).seal(forged, 0, forged.length));
          out.flush();
        }
        boolean altered = false;
        byte[] buffer = new byte[8192];
        for (int n; (n = in.read(buffer)) > 0; ) {
          if (tamper != null && tamper.what.equals("alter") && !altered && n > 8) {
            // One byte of the first record's body (past its 4-byte length).
            buffer[6] ^= 0x01;
            altered = true;
            tamper.tamperedAt = System.nanoTime();
          }
          out.write(buffer, 0, n);
          out.flush();
          if (seen != null) {
            synchronized (seen) {
              if (seen.size() < 8 << 20) {
                seen.write(buffer, 0, n);
              }
            }
          }
        }
      } catch (IOException e) {
        // One side closed.
      } finally {
        closeBoth.run();
      }
    }

    private static void start(Runnable r) {
      Thread t = new Thread(r, "relay-pump");
      t.setDaemon(true);
      t.start();
    }

    private static void quietly(Socket s) {
      try {
        s.close();
      } catch (IOException e) {
        // Closing.
      }
    }

    @Override
    public void close() throws IOException {
      listening.close();
    }
  }

  @Test
  void relayBetweenWorkerAndMaster_injectedOrAlteredFrame_detectedAndClosed_jobStillRight() throws Exception {
    Relay[] relay = new Relay[1];
    try (LiveDaemons d = LiveDaemons.start(dir, Path.of("target", "security-it-logs", "frame-relay"), masterPort -> {
      try {
        relay[0] = new Relay(masterPort);
        return relay[0].port();
      } catch (IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    })) {
      WordCountCluster wordCount = new WordCountCluster(Files.createDirectories(dir.resolve("wordcount")));
      // The job needs the worker, which gets through on its fourth connection.
      wordCount.runAndCheck(d.masterPort);
      List<Tampered> seen = relay[0].connections;
      assertThat(seen.size()).as("connections through the relay").isGreaterThanOrEqualTo(4);
      for (Tampered t : seen.subList(0, 3)) {
        assertThat(t.closed.await(10, TimeUnit.SECONDS)).as(t.what + ": connection closed").isTrue();
        assertThat(t.tamperedAt).as(t.what + ": forged").isPositive();
        assertThat(TimeUnit.NANOSECONDS.toMillis(t.closedAt - t.tamperedAt)).as(t.what + ": ms to close")
            .isLessThan(5_000);
      }
      // The relayed connection is the one the worker still holds.
      assertThat(seen.get(seen.size() - 1).closed.getCount()).isEqualTo(1);
      String workerLog = Files.readString(d.workerLog, StandardCharsets.UTF_8);
      String masterLog = Files.readString(d.masterLog, StandardCharsets.UTF_8);
      assertThat(workerLog).contains("sealed record of " + Frames.MAGIC + " bytes").contains("frame authentication failed");
      assertThat(masterLog).contains("frame authentication failed");
      assertThat(workerLog + masterLog).doesNotContain("forged-by-the-relay");
      // And it reads nothing: the master's tasks name their input files (under this test's
      // directory, whose name Kryo would write as plain ASCII), but what passed the relay is
      // ciphertext.
      Tampered relayed = seen.get(seen.size() - 1);
      String wire;
      synchronized (relayed.fromMaster) {
        wire = relayed.fromMaster.toString(StandardCharsets.ISO_8859_1);
      }
      assertThat(wire.length()).as("bytes the master sent the worker through the relay").isGreaterThan(1_000);
      assertThat(wire).doesNotContain(dir.getFileName().toString()).doesNotContain("io.mapreduce");
    } finally {
      if (relay[0] != null) {
        relay[0].close();
      }
    }
  }
}

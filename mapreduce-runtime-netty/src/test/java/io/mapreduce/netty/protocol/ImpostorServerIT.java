package io.mapreduce.netty.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mapreduce.MapReduce;
import io.mapreduce.netty.RawPeer;
import io.mapreduce.netty.WordCountCluster;
import io.mapreduce.netty.worker.Fetcher;
import io.mapreduce.netty.worker.Worker;
import io.mapreduce.thirdparty.io.netty.channel.nio.NioEventLoopGroup;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A fake server that does not know the cluster secret, on a plain {@link ServerSocket} on
 * 127.0.0.1, where the real clients of a cluster expect their server: a worker its master, a job
 * its master, a reducer a shuffle server. It challenges them like a real one, then answers with a
 * forged proof or none. Each client must refuse it before listening to a word of it, say why, and
 * go on as it does when it cannot reach its server.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ImpostorServerIT {
  private static final ClusterSecret SECRET = ClusterSecret.of("s3cret s3cret s3cret");

  @TempDir Path dir;
  private ServerSocket fake;

  @BeforeEach
  void listen() throws IOException {
    fake = new ServerSocket();
    fake.bind(new InetSocketAddress("127.0.0.1", 0));
    // Bounds every wait for a client to (re)connect.
    fake.setSoTimeout(10_000);
  }

  @AfterEach
  void close() throws IOException {
    fake.close();
  }

  private String reason() {
    return "127.0.0.1:" + fake.getLocalPort() + " does not know the cluster secret";
  }

  /** A client connected to the fake, which challenged it and got its answer. */
  private record Connection(RawPeer peer, byte[] challenge, Message.Authenticate answer) {}

  private Connection acceptAndChallenge() throws IOException {
    RawPeer p = RawPeer.accept(fake);
    try {
      byte[] challenge = new byte[32];
      new Random().nextBytes(challenge);
      p.send(new Message.Challenge(challenge.clone()));
      return new Connection(p, challenge, p.read(Message.Authenticate.class));
    } catch (IOException | RuntimeException e) {
      p.close();
      throw e;
    }
  }

  /**
   * Accepts a connection, challenges it, sends {@code reply} to its answer followed in the same
   * write by what a master would say next, and returns what the client sent until it closed.
   */
  private List<Message> forge(Function<Connection, Message> reply, ClusterSecret clientSecret) throws IOException {
    Connection c = acceptAndChallenge();
    try (RawPeer p = c.peer()) {
      assertThat(clientSecret.verifiesClient(c.challenge(), c.answer().mac())).isTrue();
      assertThat(c.answer().nonce()).hasSize(32);
      ByteArrayOutputStream b = new ByteArrayOutputStream();
      b.write(RawPeer.wire(reply.apply(c)));
      b.write(RawPeer.frame(new Message.Registered("worker-1", 50)));
      p.send(b.toByteArray());
      return p.readUntilClosed();
    }
  }

  /**
   * What a client sent after a forged reply: its ProtocolError with this reason, or (if the rest of
   * the write reset the connection) nothing; above all nothing else.
   */
  private static void assertRefused(List<Message> got, String reason) {
    assertThat(got).hasSizeLessThanOrEqualTo(1).allSatisfy(m -> assertThat(m).isInstanceOfSatisfying(
        Message.ProtocolError.class, e -> assertThat(e.message()).contains(reason)));
  }

  @Test
  void worker_fakeMasterWithoutTheSecret_neverRegistersAndKeepsRetrying() throws Exception {
    try (Worker w = Worker.start(new Worker.Config("127.0.0.1", fake.getLocalPort(), 1, dir.resolve("worker"),
        "127.0.0.1", 0, "127.0.0.1", SECRET, Frames.DEFAULT_MAX_FRAME_BYTES))) {
      // A forged proof, alone: the worker says why and closes.
      Connection first = acceptAndChallenge();
      try (RawPeer p = first.peer()) {
        assertThat(SECRET.verifiesClient(first.challenge(), first.answer().mac())).isTrue();
        byte[] forged = new byte[32];
        new Random().nextBytes(forged);
        p.send(new Message.Welcome(forged));
        assertThat(p.readUntilClosed()).singleElement().isInstanceOfSatisfying(Message.ProtocolError.class,
            e -> assertThat(e.message()).startsWith("the server at ").endsWith(reason()));
      }
      // The worker's own proof handed back as the master's, then what a master says next.
      assertRefused(forge(c -> new Message.Welcome(c.answer().mac()), SECRET), reason());
      // A proof under another secret.
      assertRefused(forge(c -> new Message.Welcome(ClusterSecret.of("guess guess guess").serverProof(c.answer().nonce())),
          SECRET), reason());
      // No proof at all: straight to what a master says after it.
      assertRefused(forge(c -> new Message.Registered("worker-1", 50), SECRET),
          "not a handshake frame (type 0x7e)");
      // None of it registered the worker, and it is still trying, with the same handshake.
      Connection again = acceptAndChallenge();
      again.peer().close();
      assertThat(SECRET.verifiesClient(again.challenge(), again.answer().mac())).isTrue();
      assertThat(w.id()).isNull();
    }
  }

  @Test
  void client_fakeMasterWithoutTheSecret_jobFailsSayingSoAndNothingIsSubmitted() throws Exception {
    WordCountCluster wordCount = new WordCountCluster(Files.createDirectories(dir.resolve("wordcount")));
    // ClusterEngine takes its secret from MAPREDUCE_SECRET, which this JVM does not set.
    assertThat(System.getenv("MAPREDUCE_SECRET")).isNull();
    var job = MapReduce.exec(wordCount.spec(fake.getLocalPort()));
    try {
      Connection c = acceptAndChallenge();
      try (RawPeer p = c.peer()) {
        p.send(new Message.Welcome(new byte[32]));
        // No HasJars, no SubmitJob: only the reason.
        assertRefused(p.readUntilClosed(), reason());
      }
      assertThatThrownBy(() -> job.get(15, TimeUnit.SECONDS))
          .isInstanceOf(ExecutionException.class)
          .cause()
          .hasMessageContaining("cannot reach the master at 127.0.0.1:" + fake.getLocalPort())
          .hasMessageContaining(reason());
    } finally {
      job.cancel(true);
    }
  }

  @Test
  void fetcher_fakeShuffleServerWithoutTheSecret_fetchFailsSayingSoAndRequestsNothing() throws Exception {
    NioEventLoopGroup group = new NioEventLoopGroup(1);
    try {
      Fetcher fetcher = new Fetcher(group, SECRET, Frames.DEFAULT_MAX_FRAME_BYTES);
      Path target = dir.resolve("map-0");
      CompletableFuture<Long> fetched = fetcher.fetch("127.0.0.1", fake.getLocalPort(),
          new Message.FetchRequest("job", 0, 1, 0), target);
      // No FetchRequest: only the reason.
      assertRefused(forge(c -> new Message.Welcome(SECRET.clientProof(c.answer().nonce())), SECRET), reason());
      assertThatThrownBy(() -> fetched.get(15, TimeUnit.SECONDS))
          .isInstanceOf(ExecutionException.class)
          .cause()
          .isInstanceOf(IOException.class)
          .hasMessageContaining(reason());
      assertThat(target).doesNotExist();
    } finally {
      group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly();
    }
  }
}

package io.mapreduce.netty.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mapreduce.thirdparty.com.esotericsoftware.kryo.io.Output;
import io.mapreduce.netty.RawPeer;
import io.mapreduce.netty.WordCountCluster;
import io.mapreduce.netty.master.Master;
import io.mapreduce.netty.master.MasterState;
import io.mapreduce.netty.worker.Worker;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A live master and a live worker's shuffle port, on real sockets on 127.0.0.1, attacked by a
 * plain {@link java.net.Socket} that sends garbage, broken frames, unregistered classes and
 * messages before authenticating. Each attack must close that connection only: a connection
 * opened before it keeps working, a new one authenticates, and a word count still gives the
 * right counts.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class LivePeerFuzzIT {
  @TempDir static Path dir;
  private Master master;
  private final List<Worker> workers = new ArrayList<>();
  private WordCountCluster wordCount;

  @BeforeAll
  void startCluster() throws Exception {
    master = Master.start(Master.Config.local());
    for (int i = 0; i < 2; i++) {
      workers.add(Worker.start(Worker.Config.local(master.port(), 2, dir.resolve("worker-" + i))));
    }
    awaitWorkers(master, 2);
    wordCount = new WordCountCluster(Files.createDirectories(dir.resolve("wordcount")));
  }

  @AfterAll
  void stopCluster() {
    workers.forEach(Worker::close);
    if (master != null) {
      master.close();
    }
  }

  static void awaitWorkers(Master m, int n) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (m.status().workers().size() < n) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("only " + m.status().workers() + " registered within 10 s");
      }
      Thread.sleep(20);
    }
  }

  /** The two targets: the master's port and the first worker's shuffle port. */
  private enum Target {
    MASTER,
    SHUFFLE
  }

  private int port(Target t) {
    return t == Target.MASTER ? master.port() : workers.get(0).shufflePort();
  }

  /** An authenticated connection that proves it is served with one request and its answer. */
  private static RawPeer wellBehaved(Target t, int port, ClusterSecret secret) throws IOException {
    RawPeer p = RawPeer.connect(port);
    p.authenticate(secret);
    roundTrip(t, p);
    return p;
  }

  private static void roundTrip(Target t, RawPeer p) throws IOException {
    if (t == Target.MASTER) {
      p.send(new Message.HasJars(List.of("0".repeat(64))));
      assertThat(p.read(Message.MissingJars.class).jars()).containsExactly("0".repeat(64));
    } else {
      p.send(new Message.FetchRequest("no-such-job", 0, 1, 0));
      Message.FetchResponse r = p.read(Message.FetchResponse.class);
      assertThat(r.length()).isZero();
      assertThat(r.error()).contains("no-such-job");
    }
  }

  /** What an attack does to one connection; it returns the frames the peer sent until it closed. */
  private interface Attack {
    List<Message> run(RawPeer attacker) throws IOException;
  }

  /**
   * Runs the attack against both targets, each with a well-behaved connection open beside it,
   * checks that the attacked connection closes and the others keep working, then runs a job.
   *
   * @return the messages each target sent on the attacked connection (after its Challenge)
   */
  private List<List<Message>> attackBoth(Attack attack) throws Exception {
    List<List<Message>> answers = new ArrayList<>();
    for (Target t : Target.values()) {
      try (RawPeer bystander = wellBehaved(t, port(t), ClusterSecret.NONE)) {
        List<Message> got;
        try (RawPeer attacker = RawPeer.connect(port(t))) {
          got = new ArrayList<>(attack.run(attacker));
        }
        // Every connection starts with the server's challenge; the test cares about what follows.
        if (!got.isEmpty() && got.get(0) instanceof Message.Challenge) {
          got.remove(0);
        }
        answers.add(got);
        roundTrip(t, bystander);
      }
      try (RawPeer fresh = wellBehaved(t, port(t), ClusterSecret.NONE)) {
        roundTrip(t, fresh);
      }
    }
    assertThat(master.status().workers()).hasSize(2);
    wordCount.runAndCheck(master.port());
    return answers;
  }

  /** Authenticates, then sends the bytes sealed as a real peer would: they reach the frame decoder. */
  private static Attack authenticatedThenReadUntilClosed(byte[] bytes) {
    return p -> {
      p.authenticate(ClusterSecret.NONE);
      p.send(bytes);
      return p.readUntilClosed();
    };
  }

  private static Attack sendThenReadUntilClosed(byte[] bytes) {
    return p -> {
      p.send(bytes);
      return p.readUntilClosed();
    };
  }

  /**
   * For attacks of several frames in one write: a peer that closes with some of them unread resets
   * the connection, which may swallow its ProtocolError; nothing else may come.
   */
  private static void assertAtMostOneProtocolError(List<List<Message>> answers, String... fragments) {
    for (List<Message> a : answers) {
      assertThat(a).hasSizeLessThanOrEqualTo(1).allSatisfy(m -> assertThat(m).isInstanceOfSatisfying(
          Message.ProtocolError.class, e -> assertThat(e.message()).contains(fragments)));
    }
  }

  private static void assertOneProtocolError(List<List<Message>> answers, String... fragments) {
    for (List<Message> a : answers) {
      assertThat(a).hasSize(1);
      assertThat(a.get(0)).isInstanceOf(Message.ProtocolError.class);
      assertThat(((Message.ProtocolError) a.get(0)).message()).contains(fragments);
    }
  }

  private static byte[] kryoPayload(java.util.function.Consumer<Output> write) {
    Output o = new Output(64, -1);
    write.accept(o);
    return o.toBytes();
  }

  // ------------------------------------------------------------------ garbage and broken frames

  @ParameterizedTest
  @ValueSource(longs = {1, 7, 42, 1234, 987654321})
  void fuzz_randomGarbage_closeOnlyThatConnection(long seed) throws Exception {
    Random random = new Random(seed);
    byte[] garbage = new byte[Frames.HEADER_BYTES + random.nextInt(4096)];
    random.nextBytes(garbage);
    List<List<Message>> answers = attackBoth(sendThenReadUntilClosed(garbage));
    for (List<Message> a : answers) {
      // A peer that closes with our garbage still unread resets the connection, which may swallow its
      // ProtocolError; when the error arrives it must say what was wrong.
      assertThat(a).allSatisfy(m -> assertThat(m).isInstanceOfSatisfying(Message.ProtocolError.class,
          e -> assertThat(e.message()).contains("not a mapreduce peer")));
    }
  }

  @ParameterizedTest
  @ValueSource(longs = {3, 99})
  void fuzz_randomPayloadInAValidHeader_closeOnlyThatConnection(long seed) throws Exception {
    Random random = new Random(seed);
    byte[] payload = new byte[1 + random.nextInt(512)];
    random.nextBytes(payload);
    List<List<Message>> answers = attackBoth(sendThenReadUntilClosed(RawPeer.frame(payload)));
    for (List<Message> a : answers) {
      assertThat(a).hasSize(1).first().isInstanceOf(Message.ProtocolError.class);
    }
  }

  @Test
  void fuzz_wrongMagic_refusedNamingTheMagicAndClosed() throws Exception {
    byte[] payload = ProtocolKryo.encode(new Message.Heartbeat(0, 1, 0.5));
    var answers = attackBoth(sendThenReadUntilClosed(RawPeer.frame(0xDEADBEEF, Frames.VERSION, payload.length,
        payload)));
    assertOneProtocolError(answers, "not a mapreduce peer", "0xdeadbeef", "0x4d525043");
  }

  /** Every version but this one: each earlier one, the next, and the extremes. */
  static java.util.stream.Stream<Short> wrongVersions() {
    java.util.stream.Stream.Builder<Short> versions = java.util.stream.Stream.builder();
    for (short v = 0; v < Frames.VERSION; v++) {
      versions.add(v);
    }
    return versions.add((short) (Frames.VERSION + 1)).add(Short.MAX_VALUE).add((short) -1).build();
  }

  @ParameterizedTest
  @org.junit.jupiter.params.provider.MethodSource("wrongVersions")
  void fuzz_wrongVersion_answersProtocolErrorNamingBothVersions(short version) throws Exception {
    byte[] payload = ProtocolKryo.encode(new Message.Heartbeat(0, 1, 0.5));
    var answers = attackBoth(sendThenReadUntilClosed(RawPeer.frame(Frames.MAGIC, version, payload.length, payload)));
    assertOneProtocolError(answers, "version " + version, "speaks " + Frames.VERSION);
  }

  @ParameterizedTest
  @ValueSource(ints = {Frames.HANDSHAKE_MAX_FRAME_BYTES + 1, Frames.DEFAULT_MAX_FRAME_BYTES, Integer.MAX_VALUE, -1,
      Integer.MIN_VALUE})
  void fuzz_oversizedLengthBeforeAuthenticating_closedAtTheLengthWithoutReadingTheBody(int length) throws Exception {
    // Only the header is sent: a peer that waited for the body would never close.
    var answers = attackBoth(sendThenReadUntilClosed(RawPeer.frame(Frames.MAGIC, Frames.VERSION, length,
        new byte[0])));
    assertOneProtocolError(answers, Integer.toUnsignedString(length), "before authentication exceeds the maximum of "
        + Frames.HANDSHAKE_MAX_FRAME_BYTES);
  }

  @ParameterizedTest
  @ValueSource(ints = {Frames.DEFAULT_MAX_FRAME_BYTES + 1, Integer.MAX_VALUE, -1})
  void fuzz_oversizedLengthAfterAuthenticating_closedWithoutReadingTheBody(int length) throws Exception {
    var answers = attackBoth(p -> {
      p.authenticate(ClusterSecret.NONE);
      p.send(RawPeer.frame(Frames.MAGIC, Frames.VERSION, length, new byte[0]));
      return p.readUntilClosed();
    });
    assertOneProtocolError(answers, Integer.toUnsignedString(length), "exceeds the maximum of "
        + Frames.DEFAULT_MAX_FRAME_BYTES);
  }

  @ParameterizedTest
  @ValueSource(ints = {3, Frames.HEADER_BYTES, Frames.HEADER_BYTES + 7})
  void fuzz_truncatedFrameThenHalfClose_closeOnlyThatConnection(int cut) throws Exception {
    byte[] whole = RawPeer.frame(new Message.RegisterWorker("127.0.0.1", 1, 1));
    byte[] part = java.util.Arrays.copyOf(whole, cut);
    var answers = attackBoth(p -> {
      p.send(part);
      p.socket().shutdownOutput();
      return p.readUntilClosed();
    });
    // Nothing was decoded: the peer has nothing to answer but its challenge.
    assertThat(answers).allSatisfy(a -> assertThat(a).isEmpty());
  }

  @Test
  void fuzz_truncatedFrameThenClose_peerKeepsServing() throws Exception {
    byte[] whole = RawPeer.frame(new Message.RegisterWorker("127.0.0.1", 1, 1));
    attackBoth(p -> {
      p.read(Message.Challenge.class);
      p.send(java.util.Arrays.copyOf(whole, whole.length - 1));
      return List.of();
    });
  }

  @Test
  void fuzz_unregisteredKryoClassId_refusedAsUndecodable() throws Exception {
    byte[] payload = kryoPayload(o -> {
      o.writeVarInt(999 + 2, true); // Kryo writes a class id plus 2
      o.writeInt(0);
    });
    var answers = attackBoth(authenticatedThenReadUntilClosed(RawPeer.frame(payload)));
    assertOneProtocolError(answers, "undecodable frame", "999");
  }

  @Test
  void fuzz_classByName_refusedAsUndecodable() throws Exception {
    // Kryo's "class by name" form (id 1, a name id, the name) must not get past registration.
    byte[] payload = kryoPayload(o -> {
      o.writeVarInt(1, true);
      o.writeVarInt(0, true);
      o.writeString("java.lang.ProcessBuilder");
    });
    var answers = attackBoth(authenticatedThenReadUntilClosed(RawPeer.frame(payload)));
    assertOneProtocolError(answers, "undecodable frame", "only registered classes cross the wire");
  }

  @Test
  void fuzz_registeredClassThatIsNotAMessage_refused() throws Exception {
    for (Object notAMessage : List.of("hello", new Message.Failure("x", "y", "z"))) {
      byte[] payload = kryoPayload(o -> ProtocolKryo.newKryo().writeClassAndObject(o, notAMessage));
      var answers = attackBoth(authenticatedThenReadUntilClosed(RawPeer.frame(payload)));
      assertOneProtocolError(answers, "not a message", notAMessage.getClass().getName());
    }
  }

  @Test
  void fuzz_bytesAfterTheMessage_refused() throws Exception {
    byte[] m = ProtocolKryo.encode(new Message.Heartbeat(1, 1, 1));
    byte[] payload = java.util.Arrays.copyOf(m, m.length + 5);
    var answers = attackBoth(authenticatedThenReadUntilClosed(RawPeer.frame(payload)));
    assertOneProtocolError(answers, "bytes after its message");
  }

  @Test
  void fuzz_manyFramesInOneWriteAfterAnError_onlyOneErrorAndClosed() throws Exception {
    short wrong = (short) (Frames.VERSION + 1);
    byte[] bad = RawPeer.frame(Frames.MAGIC, wrong, 0, new byte[0]);
    byte[] good = RawPeer.frame(new Message.Heartbeat(1, 1, 1));
    ByteArrayOutputStream all = new ByteArrayOutputStream();
    all.write(bad);
    for (int i = 0; i < 50; i++) {
      all.write(good);
    }
    var answers = attackBoth(sendThenReadUntilClosed(all.toByteArray()));
    assertAtMostOneProtocolError(answers, "version " + wrong);
  }

  // ------------------------------------------------------------------ before authenticating

  @Test
  void fuzz_registerWorkerWithoutAnsweringTheChallenge_refused() throws Exception {
    int before = master.status().workers().size();
    var answers = attackBoth(sendThenReadUntilClosed(RawPeer.frame(new Message.RegisterWorker("127.0.0.1", 1, 4))));
    assertOneProtocolError(answers, "not a handshake frame (type 0x7d)");
    assertThat(master.status().workers()).hasSize(before);
  }

  @Test
  void fuzz_requestsWithoutAnsweringTheChallenge_refused() throws Exception {
    var answers = attackBoth(sendThenReadUntilClosed(RawPeer.frame(new Message.FetchRequest("job", 0, 1, 0))));
    assertOneProtocolError(answers, "not a handshake frame (type 0x8e)");
    answers = attackBoth(sendThenReadUntilClosed(RawPeer.frame(new Message.HasJars(List.of()))));
    assertOneProtocolError(answers, "not a handshake frame (type 0x90)");
  }

  @Test
  void fuzz_authenticateAndRegisterInOneWriteWithAWrongMac_refused() throws Exception {
    var answers = attackBoth(p -> {
      p.read(Message.Challenge.class);
      ByteArrayOutputStream b = new ByteArrayOutputStream();
      b.write(Handshakes.encode(new Message.Authenticate(new byte[32], "forger", new byte[32])));
      b.write(RawPeer.frame(new Message.RegisterWorker("127.0.0.1", 1, 4)));
      p.send(b.toByteArray());
      return p.readUntilClosed();
    });
    assertAtMostOneProtocolError(answers, "authentication failed");
    assertThat(master.status().workers()).hasSize(2);
  }

  @Test
  void fuzz_authenticateWithoutItsNonce_refusedWithoutAProof() throws Exception {
    var answers = attackBoth(p -> {
      Message.Challenge c = p.read(Message.Challenge.class);
      byte[] whole = Handshakes.encode(new Message.Authenticate(ClusterSecret.NONE.clientProof(c.nonce()), "",
          new byte[32]));
      byte[] cut = java.util.Arrays.copyOf(whole, whole.length - 32);
      java.nio.ByteBuffer.wrap(cut).putInt(6, cut.length - Frames.HEADER_BYTES);
      p.send(cut);
      return p.readUntilClosed();
    });
    // Above all no Welcome, no MissingJars and no FetchResponse: a refused connection is served nothing.
    assertOneProtocolError(answers, "malformed Authenticate");
  }

  @Test
  void handshake_bothTargetsWelcomeWithTheirProofOverTheClientsNonce() throws Exception {
    for (Target t : Target.values()) {
      try (RawPeer p = RawPeer.connect(port(t))) {
        byte[] nonce = p.answerChallenge(ClusterSecret.NONE);
        byte[] proof = p.read(Message.Welcome.class).mac();
        p.seal(ClusterSecret.NONE);
        assertThat(ClusterSecret.NONE.verifiesServer(nonce, proof)).as(t.name()).isTrue();
        assertThat(ClusterSecret.NONE.verifiesClient(nonce, proof)).as(t.name()).isFalse();
        assertThat(ClusterSecret.of("s3cret s3cret s3cret").verifiesServer(nonce, proof)).as(t.name()).isFalse();
        roundTrip(t, p);
      }
    }
  }

  @Test
  void fuzz_manyFramesBeforeAuthenticating_refusedOnceAndClosed() throws Exception {
    ByteArrayOutputStream all = new ByteArrayOutputStream();
    for (int i = 0; i < 50; i++) {
      all.write(RawPeer.frame(new Message.Heartbeat(i, 1, 0)));
    }
    var answers = attackBoth(sendThenReadUntilClosed(all.toByteArray()));
    assertAtMostOneProtocolError(answers, "not a handshake frame");
  }

  @Test
  void fuzz_refusedThenAnsweringTheChallengeInTheSameWrite_nothingServedAfterTheRefusal() throws Exception {
    var answers = attackBoth(p -> {
      Message.Challenge c = p.read(Message.Challenge.class);
      ByteArrayOutputStream b = new ByteArrayOutputStream();
      b.write(Handshakes.encode(new Message.Authenticate(new byte[32], "first guess", new byte[32])));
      b.write(Handshakes.encode(new Message.Authenticate(ClusterSecret.NONE.clientProof(c.nonce()), "second guess",
          new byte[32])));
      b.write(RawPeer.frame(new Message.HasJars(List.of("1".repeat(64)))));
      b.write(RawPeer.frame(new Message.FetchRequest("after-refusal", 0, 1, 0)));
      p.send(b.toByteArray());
      return p.readUntilClosed();
    });
    assertOneProtocolError(answers, "authentication failed");
  }

  // ------------------------------------------------------------------ after authenticating

  @Test
  void fuzz_wrongMessageAfterAuthenticating_closeOnlyThatConnection() throws Exception {
    var answers = attackBoth(p -> {
      p.authenticate(ClusterSecret.NONE);
      p.send(new Message.Registered("worker-99", 1));
      return p.readUntilClosed();
    });
    assertOneProtocolError(answers, "unexpected Registered");
  }

  @Test
  void fuzz_jarChunkWithAPathForAName_refusedAndNothingWritten() throws Exception {
    try (RawPeer p = RawPeer.connect(master.port())) {
      p.authenticate(ClusterSecret.NONE);
      p.send(new Message.JarChunk("../../escaped", 1, 0, new byte[] {1}));
      List<Message> got = p.readUntilClosed();
      assertThat(got).hasSize(1);
      assertThat(((Message.ProtocolError) got.get(0)).message()).contains("not a SHA-256 jar name");
    }
    assertThat(Files.exists(master.workDirectory().resolve("escaped.partial"))).isFalse();
    assertThat(Files.exists(master.workDirectory().getParent().resolve("escaped.partial"))).isFalse();
    wordCount.runAndCheck(master.port());
  }

  @Test
  void fuzz_jarChunkWithoutAName_refusedWithAReason() throws Exception {
    try (RawPeer p = RawPeer.connect(master.port())) {
      p.authenticate(ClusterSecret.NONE);
      p.send(new Message.JarChunk(null, 1, 0, new byte[] {1}));
      List<Message> got = p.readUntilClosed();
      assertThat(got).hasSize(1).first().isInstanceOf(Message.ProtocolError.class);
    }
    wordCount.runAndCheck(master.port());
  }

  /** A master of its own, with no workers: a fake worker on it cannot take the shared cluster's tasks. */
  private Master lonelyMaster(String name) throws Exception {
    return Master.start(new Master.Config("127.0.0.1", 0,
        io.mapreduce.netty.master.SchedulingPolicy.named("card-dealing"), ClusterSecret.NONE,
        Frames.DEFAULT_MAX_FRAME_BYTES, MasterState.Settings.defaults(), dir.resolve(name), -1));
  }

  private static RawPeer fakeWorker(Master m) throws IOException {
    RawPeer p = RawPeer.connect(m.port());
    p.authenticate(ClusterSecret.NONE);
    p.send(new Message.RegisterWorker("127.0.0.1", 1, 1));
    p.read(Message.Registered.class);
    return p;
  }

  @Test
  void fuzz_workerAsksForAnUnknownJar_closed() throws Exception {
    try (Master m = lonelyMaster("lonely-1"); RawPeer p = fakeWorker(m)) {
      p.send(new Message.GetJar("a".repeat(64)));
      // Heartbeats are not expected from the master; anything but a close within the timeout fails.
      assertThat(p.readUntilClosed()).allSatisfy(x -> assertThat(x).isNotInstanceOf(Message.JarChunk.class));
    }
  }

  @Test
  void fuzz_workerAsksForAJarWithABadName_refusedOrClosed() throws Exception {
    try (Master m = lonelyMaster("lonely-2"); RawPeer p = fakeWorker(m)) {
      p.send(new Message.GetJar("../x"));
      List<Message> got = p.readUntilClosed();
      assertThat(got).anySatisfy(x -> assertThat(x).isInstanceOf(Message.ProtocolError.class));
    }
  }

  // ------------------------------------------------------------------ secrets and bind addresses

  @Test
  void secret_clientWithAnotherSecret_refusedSayingAuthenticationFailed() throws Exception {
    try (SecretCluster c = new SecretCluster(dir.resolve("secret-1"))) {
      try (RawPeer p = RawPeer.connect(c.master.port())) {
        p.answerChallenge(ClusterSecret.of("not the secret not the secret"));
        List<Message> got = p.readUntilClosed();
        assertThat(got).hasSize(1);
        assertThat(((Message.ProtocolError) got.get(0)).message()).contains("authentication failed");
      }
      try (RawPeer p = RawPeer.connect(c.master.port())) {
        p.answerChallenge(ClusterSecret.NONE);
        assertThat(((Message.ProtocolError) p.readUntilClosed().get(0)).message()).contains("authentication failed");
      }
      try (RawPeer p = wellBehaved(Target.MASTER, c.master.port(), SecretCluster.SECRET)) {
        roundTrip(Target.MASTER, p);
      }
      // The workers' shuffle ports want the secret too.
      try (RawPeer p = RawPeer.connect(c.workers.get(0).shufflePort())) {
        p.answerChallenge(ClusterSecret.NONE);
        assertThat(((Message.ProtocolError) p.readUntilClosed().get(0)).message()).contains("authentication failed");
      }
      try (RawPeer p = wellBehaved(Target.SHUFFLE, c.workers.get(0).shufflePort(), SecretCluster.SECRET)) {
        roundTrip(Target.SHUFFLE, p);
      }
    }
  }

  @Test
  void secret_jobSubmittedWithoutTheSecret_failsSayingTheMasterRefusedIt() throws Exception {
    try (SecretCluster c = new SecretCluster(dir.resolve("secret-2"))) {
      // ClusterEngine reads the secret from MAPREDUCE_SECRET only, which this JVM does not set.
      assertThat(System.getenv("MAPREDUCE_SECRET")).isNull();
      for (int i = 0; i < Integer.getInteger("fuzz.secretTries", 5); i++) {
        var job = io.mapreduce.MapReduce.exec(c.wordCount.spec(c.master.port()));
        assertThatThrownBy(() -> job.get(15, TimeUnit.SECONDS))
            .isInstanceOf(java.util.concurrent.ExecutionException.class)
            .cause()
            .hasMessageContaining("refused")
            .hasMessageContaining("authentication failed");
      }
      assertThat(c.master.status().jobs()).isEmpty();
    }
  }

  @Test
  void secret_workersWithTheSecret_registerAndRunAJobSubmittedWithTheSecret() throws Exception {
    try (SecretCluster c = new SecretCluster(dir.resolve("secret-3"))) {
      assertThat(c.master.status().workers()).hasSize(2);
      // MapReduce.exec cannot be given the secret in a test: submit as ClusterEngine would, by hand.
      var spec = c.wordCount.spec(c.master.port());
      try (RawPeer p = RawPeer.connect(c.master.port())) {
        p.authenticate(SecretCluster.SECRET);
        String jobId = java.util.UUID.randomUUID().toString();
        var shipped = io.mapreduce.internal.engine.ShippedJob.of(spec);
        p.send(new Message.SubmitJob(jobId, shipped, List.of(),
            io.mapreduce.netty.client.ClusterEngine.splits(spec, shipped.inputs())));
        Message.JobSucceeded done = null;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (done == null && System.nanoTime() < deadline) {
          Message m = p.read();
          assertThat(m).isNotInstanceOfAny(Message.JobFailed.class, Message.ProtocolError.class);
          if (m instanceof Message.JobSucceeded s) {
            done = s;
          }
        }
        assertThat(done).isNotNull();
        java.util.Map<String, Long> counts = new java.util.TreeMap<>();
        for (String f : done.outputFiles()) {
          for (String line : Files.readAllLines(Path.of(java.net.URI.create(f)))) {
            String[] kv = line.split("\t");
            counts.put(kv[0], Long.parseLong(kv[1]));
          }
        }
        assertThat(counts).isEqualTo(c.wordCount.expected());
      }
    }
  }

  /** A master and two workers that share the secret "s3cret s3cret s3cret". */
  private static final class SecretCluster implements AutoCloseable {
    static final ClusterSecret SECRET = ClusterSecret.of("s3cret s3cret s3cret");
    final Master master;
    final List<Worker> workers = new ArrayList<>();
    final WordCountCluster wordCount;

    SecretCluster(Path dir) throws Exception {
      master = Master.start(new Master.Config("127.0.0.1", 0,
          io.mapreduce.netty.master.SchedulingPolicy.named("card-dealing"), SECRET, Frames.DEFAULT_MAX_FRAME_BYTES,
          MasterState.Settings.defaults(), Files.createDirectories(dir.resolve("master")), -1));
      try {
        for (int i = 0; i < 2; i++) {
          workers.add(Worker.start(new Worker.Config("127.0.0.1", master.port(), 2, dir.resolve("worker-" + i),
              "127.0.0.1", 0, "127.0.0.1", SECRET, Frames.DEFAULT_MAX_FRAME_BYTES)));
        }
        awaitWorkers(master, 2);
        wordCount = new WordCountCluster(Files.createDirectories(dir.resolve("wordcount")));
      } catch (Exception | AssertionError e) {
        close();
        throw e;
      }
    }

    @Override
    public void close() {
      workers.forEach(Worker::close);
      master.close();
    }
  }

  /** A port nothing listens on (any address) just now. */
  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket()) {
      s.bind(new InetSocketAddress("0.0.0.0", 0));
      return s.getLocalPort();
    }
  }

  private static void assertNothingListensOn(int port) throws IOException {
    try (ServerSocket s = new ServerSocket()) {
      s.bind(new InetSocketAddress("0.0.0.0", port));
    }
  }

  @Test
  void bind_masterOnAnyAddressWithoutASecret_refusesBeforeBinding() throws Exception {
    int port = freePort();
    Path work = dir.resolve("bind-master");
    assertThatThrownBy(() -> Master.start(new Master.Config("0.0.0.0", port,
        io.mapreduce.netty.master.SchedulingPolicy.named("card-dealing"), ClusterSecret.NONE,
        Frames.DEFAULT_MAX_FRAME_BYTES, MasterState.Settings.defaults(), work, -1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("0.0.0.0")
        .hasMessageContaining("secret");
    assertNothingListensOn(port);
  }

  @Test
  void bind_workerOnAnyAddressWithoutASecret_refusesBeforeBinding() throws Exception {
    int port = freePort();
    Path work = dir.resolve("bind-worker");
    assertThatThrownBy(() -> Worker.start(new Worker.Config("127.0.0.1", master.port(), 1, work, "0.0.0.0", port,
        "127.0.0.1", ClusterSecret.NONE, Frames.DEFAULT_MAX_FRAME_BYTES)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("0.0.0.0")
        .hasMessageContaining("secret");
    assertNothingListensOn(port);
    assertThat(work).doesNotExist();
    assertThat(master.status().workers()).hasSize(2);
  }

  @Test
  void bind_masterOnAnyAddressWithASecret_starts() throws Exception {
    // The check is about the secret, not the address: with one, any address is allowed.
    try (Master m = Master.start(new Master.Config("0.0.0.0", 0,
        io.mapreduce.netty.master.SchedulingPolicy.named("card-dealing"), ClusterSecret.of("s3cret s3cret s3cret"),
        Frames.DEFAULT_MAX_FRAME_BYTES, MasterState.Settings.defaults(), dir.resolve("bind-ok"), -1))) {
      try (RawPeer p = RawPeer.connect(m.port())) {
        p.read(Message.Challenge.class);
      }
    }
  }
}

package io.mapreduce.netty;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mapreduce.MapReduce;
import io.mapreduce.netty.fault.MasterProcess;
import io.mapreduce.netty.protocol.ClusterSecret;
import io.mapreduce.netty.protocol.Message;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Finding 3 of issue 14, against daemons in their own JVMs: a worker with no secret of its
 * cluster's takes jobs from no master on another machine, and a cluster on loopback without a
 * configured secret uses its user's own secret, so another local user (here: another
 * {@code XDG_CONFIG_HOME}, whose secret is another) can neither submit nor pose as its master.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class LocalSecretIT {
  /** The key daemons without a secret used before: public, in the source. */
  private static final ClusterSecret OLD_PUBLIC_KEY = ClusterSecret.of("mapreduce: no cluster secret");

  @TempDir Path dir;
  private final List<Process> started = new ArrayList<>();

  @AfterEach
  void stop() throws InterruptedException {
    for (Process p : started) {
      p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
  }

  /** A JVM on the test class path run as a user whose configuration lives in {@code home}. */
  private Process java(Path home, Path log, Class<?> main, String... args) throws IOException {
    List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx128m", "-cp", System.getProperty("java.class.path"), main.getName()));
    cmd.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
    pb.environment().put("XDG_CONFIG_HOME", home.toString());
    pb.environment().remove("MAPREDUCE_SECRET");
    Process p = pb.start();
    started.add(p);
    return p;
  }

  /** A user's own secret, made as a daemon would make it. */
  private static ClusterSecret secretOf(Path home) throws IOException {
    Path file = home.resolve("mapreduce/local-secret");
    if (!Files.exists(file)) {
      Files.createDirectories(file.getParent(), PosixFilePermissions.asFileAttribute(
          PosixFilePermissions.fromString("rwx------")));
      ClusterSecret.writeNew(file);
    }
    return ClusterSecret.fromFile(file);
  }

  @Test
  void worker_noSecret_masterOnAnotherAddress_refusedAtOnce_neverConnects() throws Exception {
    Path home = dir.resolve("user-a");
    ClusterSecret own = secretOf(home);
    // A fake master that would complete the handshake even with the worker's own secret (nothing
    // on another machine can know it). Linux takes a connection to 0.0.0.0 to this machine, so the
    // worker would reach it there if it tried; 10.255.255.1 it never tries.
    AtomicInteger connections = new AtomicInteger();
    try (ServerSocket fake = new ServerSocket()) {
      fake.bind(new InetSocketAddress("127.0.0.1", 0));
      Thread master = new Thread(() -> {
        while (!fake.isClosed()) {
          try (RawPeer p = RawPeer.accept(fake)) {
            connections.incrementAndGet();
            p.send(new Message.Challenge(new byte[32]));
            Message.Authenticate a = p.read(Message.Authenticate.class);
            p.send(new Message.Welcome(own.serverProof(a.nonce())));
            p.seal(io.mapreduce.netty.protocol.SessionKeys.derive(own, new byte[32], a.nonce()), true);
            p.send(new Message.Registered("worker-1", 50));
            p.readUntilClosed();
          } catch (IOException | RuntimeException e) {
            // closed, or the peer went away
          }
        }
      }, "fake-master");
      master.setDaemon(true);
      master.start();
      for (String host : new String[] {"0.0.0.0", "10.255.255.1"}) {
        Path log = dir.resolve("worker-" + host + ".log");
        long start = System.nanoTime();
        Process w = java(home, log, WorkerProcess.class, Integer.toString(fake.getLocalPort()), "1",
            dir.resolve("work-" + host).toString(), host);
        assertThat(w.waitFor(30, TimeUnit.SECONDS)).as("the worker exits by itself").isTrue();
        assertThat(w.exitValue()).isNotZero();
        assertThat(Files.readAllLines(log)).filteredOn(l -> l.contains("refusing")).singleElement().asString()
            .endsWith("refusing to take jobs from the master at " + host + ":" + fake.getLocalPort()
                + " without a cluster secret: set --secret-file or MAPREDUCE_SECRET (only a master on 127.0.0.1 can"
                + " do without)");
        assertThat(Files.exists(dir.resolve("work-" + host))).as("nothing made before the refusal").isFalse();
        assertThat(TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start)).isLessThan(30);
      }
      assertThat(connections).hasValue(0);
    }
  }

  @Test
  void worker_noSecret_loopbackImpostorWithoutThisUsersSecret_refusedBeforeAnyJob() throws Exception {
    Path home = dir.resolve("user-a");
    ClusterSecret otherUsers = secretOf(dir.resolve("user-b"));
    try (ServerSocket fake = new ServerSocket()) {
      fake.bind(new InetSocketAddress("127.0.0.1", 0));
      fake.setSoTimeout(30_000);
      Path log = dir.resolve("worker.log");
      java(home, log, WorkerProcess.class, Integer.toString(fake.getLocalPort()), "1", dir.resolve("work").toString());
      for (ClusterSecret impostor : new ClusterSecret[] {otherUsers, OLD_PUBLIC_KEY}) {
        try (RawPeer p = RawPeer.accept(fake)) {
          byte[] challenge = new byte[32];
          new java.security.SecureRandom().nextBytes(challenge);
          p.send(new Message.Challenge(challenge.clone()));
          Message.Authenticate a = p.read(Message.Authenticate.class);
          // The worker answers under its user's own secret, made on its first start, private to its user.
          Path file = home.resolve("mapreduce/local-secret");
          assertThat(perms(file.getParent())).isEqualTo("rwx------");
          assertThat(perms(file)).isEqualTo("rw-------");
          assertThat(Files.readString(file)).matches("[0-9a-f]{64}\n");
          assertThat(ClusterSecret.fromFile(file).verifiesClient(challenge, a.mac())).isTrue();
          assertThat(OLD_PUBLIC_KEY.verifiesClient(challenge, a.mac())).isFalse();
          // What a master says after its proof, in the same write: the worker must take none of it.
          java.io.ByteArrayOutputStream b = new java.io.ByteArrayOutputStream();
          b.write(RawPeer.wire(new Message.Welcome(impostor.serverProof(a.nonce()))));
          b.write(RawPeer.frame(new Message.Registered("worker-1", 50)));
          p.send(b.toByteArray());
          assertThat(p.readUntilClosed()).hasSizeLessThanOrEqualTo(1).allSatisfy(m -> assertThat(m)
              .isInstanceOfSatisfying(Message.ProtocolError.class,
                  e -> assertThat(e.message()).contains("does not know the cluster secret")));
        }
      }
      assertThat(Files.readString(log)).doesNotContain("registered with master");
    }
  }

  @Test
  void localCluster_noConfiguredSecret_takesOnlyThisUsersSecret() throws Exception {
    Path home = dir.resolve("user-a");
    int port;
    try (ServerSocket free = new ServerSocket(0)) {
      port = free.getLocalPort();
    }
    Path ready = dir.resolve("master.ready");
    java(home, dir.resolve("master.log"), MasterProcess.class, Integer.toString(port), dir.resolve("master").toString(),
        ready.toString());
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (!Files.exists(ready)) {
      assertThat(System.nanoTime()).as("the master is ready within 60 s").isLessThan(deadline);
      Thread.sleep(50);
    }
    ClusterSecret own = ClusterSecret.fromFile(home.resolve("mapreduce/local-secret"));
    // Its user's own secret: the whole handshake, both proofs checked.
    try (RawPeer p = RawPeer.connect(port)) {
      p.authenticate(own);
    }
    // Anyone else (another user's secret, the old public key) is refused before a word of theirs is read.
    for (ClusterSecret other : new ClusterSecret[] {secretOf(dir.resolve("user-b")), OLD_PUBLIC_KEY}) {
      try (RawPeer p = RawPeer.connect(port)) {
        p.answerChallenge(other);
        p.send(new Message.RegisterWorker("127.0.0.1", 1, 2, List.of(), List.of()));
        assertThat(p.readUntilClosed()).singleElement().isInstanceOfSatisfying(Message.ProtocolError.class,
            e -> assertThat(e.message()).contains("authentication failed"));
      }
    }
    // A client of another user (this JVM has a home of its own): its job is refused.
    WordCountCluster wordCount = new WordCountCluster(Files.createDirectories(dir.resolve("wordcount")));
    assertThat(System.getenv("MAPREDUCE_SECRET")).isNull();
    assertThat(ClusterSecret.perUserFile()).isNotEqualTo(home.resolve("mapreduce/local-secret"));
    assertThatThrownBy(() -> MapReduce.exec(wordCount.spec(port)).get(60, TimeUnit.SECONDS))
        .isInstanceOf(ExecutionException.class).hasMessageContaining("secret");
  }

  private static String perms(Path p) throws IOException {
    return PosixFilePermissions.toString(Files.getPosixFilePermissions(p, LinkOption.NOFOLLOW_LINKS));
  }
}

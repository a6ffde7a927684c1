package io.mapreduce.netty.master;

import static io.mapreduce.netty.master.JobIdsIT.assertRefused;
import static io.mapreduce.netty.master.JobIdsIT.awaitEnd;
import static io.mapreduce.netty.master.JobIdsIT.counts;
import static io.mapreduce.netty.master.JobIdsIT.submit;
import static org.assertj.core.api.Assertions.assertThat;

import io.mapreduce.MapReduceSpecification;
import io.mapreduce.netty.RawPeer;
import io.mapreduce.netty.WordCountCluster;
import io.mapreduce.netty.WorkerProcess;
import io.mapreduce.netty.fault.MasterProcess;
import io.mapreduce.netty.protocol.ClusterSecret;
import io.mapreduce.netty.protocol.Message;
import io.mapreduce.s3.S3ProxyServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Job ids against map outputs in S3 (s3proxy on 127.0.0.1): a master (in its own JVM: a JVM's S3
 * client is made once, and this one's may serve another test) and a worker, sent an empty id, ids
 * that are paths, and an id whose prefix holds objects already, with {@code intermediate
 * s3://scratch/tmp/}. Each is refused in one line, and no object outside a job's own prefix is
 * deleted, also when the master restarts on its journal; a job under a fresh id still runs, and
 * its prefix goes when it ends.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class S3JobIdsIT {
  private static final List<String> CANARIES = List.of("keep", "tmp/keep", "tmp/victim/keep", "other/keep");

  @TempDir Path dir;
  private final List<Process> processes = new ArrayList<>();

  @AfterEach
  void stop() throws InterruptedException {
    for (Process p : processes) {
      p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
  }

  private Process start(String name, List<String> jvmOptions, String main, String... args) throws IOException {
    List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1"));
    cmd.addAll(jvmOptions);
    cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), main));
    cmd.addAll(List.of(args));
    Path logs = Files.createDirectories(Path.of("target", "s3-job-ids-it-logs"));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(logs.resolve(name + ".log").toFile())).start();
    processes.add(p);
    return p;
  }

  /** A master JVM on this port and work directory, once it listens. */
  private Process startMaster(int port, S3ProxyServer s3) throws Exception {
    Path ready = dir.resolve("master-ready");
    Files.deleteIfExists(ready);
    Process p = start("master", s3.jvmOptions(), MasterProcess.class.getName(), Integer.toString(port),
        dir.resolve("master").toString(), ready.toString());
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (!Files.exists(ready)) {
      assertThat(p.isAlive()).as("the master JVM is running (log in target/s3-job-ids-it-logs)").isTrue();
      assertThat(System.nanoTime()).as("the master listens within 60 s").isLessThan(deadline);
      Thread.sleep(50);
    }
    return p;
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket()) {
      s.bind(new InetSocketAddress("127.0.0.1", 0));
      return s.getLocalPort();
    }
  }

  private static RawPeer client(int port) throws IOException {
    RawPeer p = RawPeer.connect(port);
    p.authenticate(ClusterSecret.NONE);
    p.socket().setSoTimeout(30_000);
    return p;
  }

  private MapReduceSpecification<?, ?> wordCount(Path in, String output, int port) {
    return MapReduceSpecification.builder().mapper(new WordCountCluster.SplitMapper())
        .reducer(new WordCountCluster.Sum()).input(in.toString()).output(dir.resolve(output).toString())
        .reduceTasks(2).splitSize(4 << 10).intermediate("s3://scratch/tmp/").cluster("127.0.0.1:" + port).build();
  }

  @Test
  void hostileJobIds_deleteNoObjectOutsideTheJobsPrefix_alsoAfterARestart() throws Exception {
    try (S3ProxyServer s3 = S3ProxyServer.start(Files.createDirectories(dir.resolve("s3")))) {
      s3.createBucket("scratch");
      for (String key : CANARIES) {
        s3.client().putObject(b -> b.bucket("scratch").key(key),
            software.amazon.awssdk.core.sync.RequestBody.fromString("canary " + key));
      }
      Path in = WordCountCluster.writeWords(dir.resolve("in"), 3, 200, 9);
      Map<String, Long> oracle = WordCountCluster.sequentialCount(in);
      int port = freePort();
      Process master = startMaster(port, s3);
      start("worker", s3.jvmOptions(), WorkerProcess.class.getName(), Integer.toString(port), "2",
          dir.resolve("worker").toString());

      List<Message> ends = new ArrayList<>();
      List<String> ids = List.of("", "..", "../other", "victim");
      try (RawPeer p = client(port)) {
        for (int i = 0; i < ids.size(); i++) {
          submit(p, ids.get(i), wordCount(in, "out-hostile-" + i, port));
          ends.add(awaitEnd(p, ids.get(i), true));
        }
      }
      assertThat(s3.keys("scratch", "")).as("the bucket's objects").containsExactlyInAnyOrderElementsOf(CANARIES);
      for (int i = 0; i < 3; i++) {
        assertRefused(ends.get(i), "job id '", "refused");
      }
      assertRefused(ends.get(3), "s3://scratch/tmp/victim", "holds objects already");

      master.destroy();
      assertThat(master.waitFor(30, TimeUnit.SECONDS)).as("the master stopped").isTrue();
      startMaster(port, s3);
      String id = UUID.randomUUID().toString();
      try (RawPeer p = client(port)) {
        submit(p, id, wordCount(in, "out-good", port));
        Message end = awaitEnd(p, id, false);
        assertThat(end).isInstanceOf(Message.JobSucceeded.class);
        assertThat(counts((Message.JobSucceeded) end)).isEqualTo(oracle);
      }
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (!s3.keys("scratch", "tmp/" + id + "/").isEmpty()) {
        assertThat(System.nanoTime()).as("job %s's map outputs deleted within 30 s", id).isLessThan(deadline);
        Thread.sleep(50);
      }
      assertThat(s3.keys("scratch", "")).as("the bucket's objects").containsExactlyInAnyOrderElementsOf(CANARIES);
    }
  }
}

package io.mapreduce.netty.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mapreduce.Emitter;
import io.mapreduce.internal.shuffle.RunIndex;
import io.mapreduce.internal.shuffle.RunWriter;
import io.mapreduce.JobResult;
import io.mapreduce.MapReduce;
import io.mapreduce.MapReduceSpecification;
import io.mapreduce.Reducer;
import io.mapreduce.netty.RawPeer;
import io.mapreduce.netty.WordCountCluster;
import io.mapreduce.netty.master.Master;
import io.mapreduce.netty.protocol.ClusterSecret;
import io.mapreduce.netty.protocol.Frames;
import io.mapreduce.netty.protocol.Message;
import io.mapreduce.thirdparty.io.netty.channel.nio.NioEventLoopGroup;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A live worker's shuffle port, spoken to over a plain socket after a proper handshake: answers
 * come one per request, in order, each followed by exactly its bytes, and a request it cannot
 * serve gets an error and no bytes, on a connection that stays open; and the {@link Fetcher}
 * reducers use gets the same answers over one kept connection.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ShuffleServerIT {
  @TempDir static Path dir;
  private Master master;
  private Worker worker;
  private WordCountCluster wordCount;

  @BeforeAll
  void start() throws Exception {
    master = Master.start(Master.Config.local());
    // One worker: every map output of a job lives on it.
    worker = Worker.start(Worker.Config.local(master.port(), 2, dir.resolve("worker")));
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (master.status().workers().isEmpty() && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    assertThat(master.status().workers()).hasSize(1);
    wordCount = new WordCountCluster(Files.createDirectories(dir.resolve("wordcount")));
  }

  @AfterAll
  void stop() {
    if (worker != null) {
      worker.close();
    }
    if (master != null) {
      master.close();
    }
  }

  private RawPeer authenticated() throws Exception {
    RawPeer p = RawPeer.connect(worker.shufflePort());
    p.authenticate(ClusterSecret.NONE);
    return p;
  }

  @Test
  void fetch_unknownJob_answersErrorAndNoBytesAndKeepsTheConnection() throws Exception {
    try (RawPeer p = authenticated()) {
      p.send(new Message.FetchRequest("no-such-job", 4, 1, 2));
      Message.FetchResponse r = p.read(Message.FetchResponse.class);
      assertThat(r.length()).isZero();
      assertThat(r.records()).isZero();
      assertThat(r.error()).contains("no-such-job", "map 4", "attempt 1");
      assertThat(p.silentFor(300)).as("no bytes after an error response").isTrue();
      // The connection still serves.
      p.send(new Message.FetchRequest("another-job", 0, 1, 0));
      assertThat(p.read(Message.FetchResponse.class).error()).contains("another-job");
    }
  }

  @Test
  void fetch_twoRequestsPipelined_answeredInOrder() throws Exception {
    try (RawPeer p = authenticated()) {
      ByteArrayOutputStream both = new ByteArrayOutputStream();
      both.write(RawPeer.frame(new Message.FetchRequest("job-a", 3, 1, 0)));
      both.write(RawPeer.frame(new Message.FetchRequest("job-b", 5, 2, 1)));
      p.send(both.toByteArray());
      Message.FetchResponse first = p.read(Message.FetchResponse.class);
      Message.FetchResponse second = p.read(Message.FetchResponse.class);
      assertThat(first.error()).contains("job-a", "map 3");
      assertThat(second.error()).contains("job-b", "map 5");
      assertThat(p.silentFor(200)).isTrue();
    }
  }

  @Test
  void fetch_manyRequestsPipelined_answeredInOrder() throws Exception {
    try (RawPeer p = authenticated()) {
      ByteArrayOutputStream all = new ByteArrayOutputStream();
      for (int i = 0; i < 200; i++) {
        all.write(RawPeer.frame(new Message.FetchRequest("job-" + i, i, 1, 0)));
      }
      p.send(all.toByteArray());
      for (int i = 0; i < 200; i++) {
        assertThat(p.read(Message.FetchResponse.class).error()).contains("job-" + i + " ");
      }
    }
  }

  @Test
  void fetch_nullJobId_answeredOrRefusedAndTheServerKeepsServing() throws Exception {
    try (RawPeer p = authenticated()) {
      p.send(new Message.FetchRequest(null, 0, 1, 0));
      Message m;
      try {
        m = p.read();
      } catch (EOFException e) {
        m = null;
      }
      // Either answer will do (an error response, or a ProtocolError before closing); a silent close won't.
      assertThat(m).as("the shuffle server's answer to a FetchRequest without a job id")
          .isInstanceOfAny(Message.FetchResponse.class, Message.ProtocolError.class);
    }
    try (RawPeer p = authenticated()) {
      p.send(new Message.FetchRequest("still-here", 0, 1, 0));
      assertThat(p.read(Message.FetchResponse.class).error()).contains("still-here");
    }
  }

  /** Holds each reduce call until a file appears, so the map outputs stay on the worker meanwhile. */
  static final class GateReducer extends Reducer<String, Long> {
    private final String gate;

    GateReducer(String gate) {
      this.gate = gate;
    }

    @Override
    public void reduce(String key, Iterable<Long> values, Emitter<String, Long> emitter) throws Exception {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (!Files.exists(Path.of(gate)) && System.nanoTime() < deadline) {
        Thread.sleep(10);
      }
      long s = 0;
      for (long v : values) {
        s += v;
      }
      emitter.emit(key, s);
    }
  }

  @Test
  void fetch_realOutputsPipelinedWithErrors_eachAnswerFollowedByExactlyItsBytes() throws Exception {
    Path gate = dir.resolve("gate");
    // Counted from before the job: its own reducers may open the files before this test asks.
    long openedBefore = worker.shuffleFilesOpened();
    var job = MapReduce.exec(MapReduceSpecification.builder()
        .mapper(new WordCountCluster.SplitMapper()).reducer(new GateReducer(gate.toString()))
        .input(wordCount.input().toString()).output(dir.resolve("out-real").toString())
        .reduceTasks(2).cluster("127.0.0.1:" + master.port()).build());
    try {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
      int maps = -1;
      while (System.nanoTime() < deadline) {
        var st = master.status().jobs().stream().filter(j -> j.id().equals(job.id())).findFirst();
        if (st.isPresent() && st.get().mapsTotal() > 0 && st.get().mapsDone() == st.get().mapsTotal()) {
          maps = st.get().mapsTotal();
          break;
        }
        Thread.sleep(20);
      }
      assertThat(maps).as("maps done").isPositive();

      // Every partition of every map output, with requests it cannot serve in between, in one write.
      List<Message.FetchRequest> requests = new ArrayList<>();
      for (int m = 0; m < maps; m++) {
        requests.add(new Message.FetchRequest(job.id(), m, 1, 0));
        requests.add(new Message.FetchRequest(job.id(), m, 1, 7));
        requests.add(new Message.FetchRequest(job.id(), m, 1, 1));
        requests.add(new Message.FetchRequest(job.id(), m, 2, 0));
        requests.add(new Message.FetchRequest(job.id(), m, 1, -1));
      }
      ByteArrayOutputStream all = new ByteArrayOutputStream();
      for (var r : requests) {
        all.write(RawPeer.frame(r));
      }
      long records = 0;
      try (RawPeer p = authenticated()) {
        p.send(all.toByteArray());
        for (var r : requests) {
          Message.FetchResponse resp = p.read(Message.FetchResponse.class);
          boolean servable = r.attempt() == 1 && (r.partition() == 0 || r.partition() == 1);
          if (!servable) {
            assertThat(resp.error()).as("answer to %s", r).isNotNull().contains("map " + r.mapIndex());
            assertThat(resp.length()).isZero();
            continue;
          }
          assertThat(resp.error()).as("answer to %s", r).isNull();
          byte[] bytes = p.readRaw(resp.length());
          CRC32C crc = new CRC32C();
          crc.update(bytes);
          assertThat((int) crc.getValue()).as("checksum of %s", r).isEqualTo(resp.checksum());
          records += resp.records();
        }
        assertThat(p.silentFor(200)).isTrue();
      }
      long words = wordCount.expected().values().stream().mapToLong(Long::longValue).sum();
      assertThat(records).as("records over all partitions of all maps (no combiner)").isEqualTo(words);

      // The same requests through the Fetcher, all at once: one kept connection, pipelined; every
      // other answer into memory, the rest into files with their index; errors fail only their own.
      NioEventLoopGroup group = new NioEventLoopGroup(1);
      try {
        Fetcher fetcher = new Fetcher(group, ClusterSecret.NONE, Frames.DEFAULT_MAX_FRAME_BYTES);
        List<CompletableFuture<Fetcher.Fetched>> answers = new ArrayList<>();
        for (int k = 0; k < requests.size(); k++) {
          answers.add(fetcher.fetch("127.0.0.1", worker.shufflePort(), requests.get(k), dir.resolve("fetched-" + k),
              k % 2 == 0 ? Integer.MAX_VALUE : -1));
        }
        long fetchedRecords = 0;
        for (int k = 0; k < requests.size(); k++) {
          Message.FetchRequest r = requests.get(k);
          CompletableFuture<Fetcher.Fetched> answer = answers.get(k);
          if (!(r.attempt() == 1 && (r.partition() == 0 || r.partition() == 1))) {
            assertThatThrownBy(() -> answer.get(10, TimeUnit.SECONDS)).as("fetch of %s", r)
                .hasCauseInstanceOf(IOException.class).hasMessageContaining("map " + r.mapIndex());
            continue;
          }
          Fetcher.Fetched f = answer.get(10, TimeUnit.SECONDS);
          Path file = dir.resolve("fetched-" + k);
          assertThat(f.bytes() != null).as("in memory: %s", r).isEqualTo(k % 2 == 0);
          byte[] bytes = f.bytes() != null ? f.bytes() : Files.readAllBytes(file);
          if (f.bytes() == null) {
            assertThat(RunIndex.read(RunWriter.indexOf(file)).records()[0]).isEqualTo(f.records());
          }
          CRC32C crc = new CRC32C();
          crc.update(bytes);
          assertThat((int) crc.getValue()).as("checksum of %s", r).isEqualTo(f.checksum());
          fetchedRecords += f.records();
        }
        assertThat(fetchedRecords).isEqualTo(words);
        assertThat(fetcher.connections()).as("connections to the one worker").isEqualTo(1);
        // Each map output file opened once for all its partitions, asked for by the job's reducers
        // and twice over here.
        assertThat(worker.shuffleFilesOpened() - openedBefore).as("map output files opened").isBetween(1L,
            (long) maps);
      } finally {
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
      }

      // A reducer that asks and goes away before reading the bytes does not hurt the server.
      try (RawPeer p = authenticated()) {
        p.send(new Message.FetchRequest(job.id(), 0, 1, 0));
        p.socket().setSoLinger(true, 0);
      }
    } finally {
      Files.createFile(gate);
    }
    JobResult result = job.get(30, TimeUnit.SECONDS);
    assertThat(WordCountCluster.readOutput(result)).isEqualTo(wordCount.expected());
    // After the job the worker drops its outputs.
    try (RawPeer p = authenticated()) {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
      String error;
      do {
        p.send(new Message.FetchRequest(job.id(), 0, 1, 0));
        Message.FetchResponse r = p.read(Message.FetchResponse.class);
        error = r.error();
        if (error == null) {
          p.readRaw(r.length());
          Thread.sleep(20);
        }
      } while (error == null && System.nanoTime() < deadline);
      assertThat(error).contains(job.id());
    }
  }
}

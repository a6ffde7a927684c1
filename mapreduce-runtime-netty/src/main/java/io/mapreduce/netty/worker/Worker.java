package io.mapreduce.netty.worker;

import io.mapreduce.internal.engine.CommitGate;
import io.mapreduce.internal.engine.SharedMapOutputs;
import io.mapreduce.internal.engine.ShippedJob;
import io.mapreduce.internal.engine.WorkerJob;
import io.mapreduce.spi.InputSplit;
import io.mapreduce.internal.io.LocalStorage;
import io.mapreduce.internal.io.PrivateDirectories;
import io.mapreduce.netty.protocol.Authenticated;
import io.mapreduce.netty.protocol.ClusterSecret;
import io.mapreduce.netty.protocol.ClusterTls;
import io.mapreduce.netty.protocol.Frames;
import io.mapreduce.netty.protocol.HandshakeFailed;
import io.mapreduce.netty.protocol.JarStore;
import io.mapreduce.netty.protocol.JobIds;
import io.mapreduce.netty.protocol.Message;
import io.mapreduce.netty.protocol.Message.Failure;
import io.mapreduce.netty.protocol.Message.MapLocation;
import io.mapreduce.netty.protocol.Message.TaskKind;
import io.mapreduce.netty.protocol.Pipelines;
import io.mapreduce.netty.protocol.ProtocolException;
import io.mapreduce.spi.InputFile;
import io.mapreduce.thirdparty.io.netty.bootstrap.Bootstrap;
import io.mapreduce.thirdparty.io.netty.channel.Channel;
import io.mapreduce.thirdparty.io.netty.channel.ChannelHandlerContext;
import io.mapreduce.thirdparty.io.netty.channel.ChannelInitializer;
import io.mapreduce.thirdparty.io.netty.channel.ChannelOption;
import io.mapreduce.thirdparty.io.netty.channel.EventLoopGroup;
import io.mapreduce.thirdparty.io.netty.channel.SimpleChannelInboundHandler;
import io.mapreduce.thirdparty.io.netty.channel.nio.NioEventLoopGroup;
import io.mapreduce.thirdparty.io.netty.channel.socket.SocketChannel;
import io.mapreduce.thirdparty.io.netty.channel.socket.nio.NioSocketChannel;
import io.mapreduce.thirdparty.io.netty.util.concurrent.DefaultThreadFactory;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The worker daemon: registers with the master (retrying with backoff until it answers, and again
 * whenever the connection drops), heartbeats, runs the map and reduce attempts it is given in
 * {@code slots} threads, keeps map outputs on its own disk and serves them to reducers (or, for a
 * job with shared intermediate storage, publishes them there, where reducers read them).
 *
 * <p>Workers are blind to what they run: a job's mapper, reducer and combiner arrive Kryo-encoded
 * with the job and are decoded in the job's own class loader, over the jars the client shipped
 * (fetched from the master once per content hash and cached).
 */
public final class Worker implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Worker.class);
  /**
   * Fetches of one reduce attempt in flight at once. Above Hadoop's 5 parallel copies because a
   * fetch here is one partition of one map output on a kept connection, where Hadoop's asks a host
   * for several map outputs at once.
   */
  private static final int PARALLEL_FETCHES = 32;
  private static final long MAX_BACKOFF_MILLIS = 5_000;
  private static final long COMMIT_TIMEOUT_SECONDS = 60;

  /** How a worker is started. */
  public record Config(String masterHost, int masterPort, int slots, Path workDirectory, String bindAddress,
      int shufflePort, String advertisedHost, ClusterSecret secret, int maxFrameBytes, ClusterTls tls,
      String location) {
    /** Saying nothing of where it runs. */
    public Config(String masterHost, int masterPort, int slots, Path workDirectory, String bindAddress,
        int shufflePort, String advertisedHost, ClusterSecret secret, int maxFrameBytes, ClusterTls tls) {
      this(masterHost, masterPort, slots, workDirectory, bindAddress, shufflePort, advertisedHost, secret,
          maxFrameBytes, tls, null);
    }

    /** Without TLS. */
    public Config(String masterHost, int masterPort, int slots, Path workDirectory, String bindAddress,
        int shufflePort, String advertisedHost, ClusterSecret secret, int maxFrameBytes) {
      this(masterHost, masterPort, slots, workDirectory, bindAddress, shufflePort, advertisedHost, secret,
          maxFrameBytes, ClusterTls.NONE);
    }

    public Config {
      Objects.requireNonNull(tls, "tls");
      Objects.requireNonNull(masterHost, "masterHost");
      Objects.requireNonNull(workDirectory, "workDirectory");
      Objects.requireNonNull(bindAddress, "bindAddress");
      Objects.requireNonNull(advertisedHost, "advertisedHost");
      Objects.requireNonNull(secret, "secret");
      if (slots < 1) {
        throw new IllegalArgumentException("slots must be at least 1 but was " + slots);
      }
      if (location != null && (location.length() > Message.RegisterWorker.MAX_LOCATION_CHARS
          || !location.chars().allMatch(c -> c >= 0x20 && c != 0x7f))) {
        throw new IllegalArgumentException("the location must be at most "
            + Message.RegisterWorker.MAX_LOCATION_CHARS + " printable characters");
      }
    }

    public Config withTls(ClusterTls t) {
      return new Config(masterHost, masterPort, slots, workDirectory, bindAddress, shufflePort, advertisedHost, secret,
          maxFrameBytes, t, location);
    }

    /** Where it runs, in its launcher's words (such as "ec2 i-0abc eu-west-1a"): shown on the status page. */
    public Config withLocation(String where) {
      return new Config(masterHost, masterPort, slots, workDirectory, bindAddress, shufflePort, advertisedHost, secret,
          maxFrameBytes, tls, where);
    }

    /** A worker on loopback with an ephemeral shuffle port and no configured secret (this user's). */
    public static Config local(int masterPort, int slots, Path workDirectory) {
      return new Config("127.0.0.1", masterPort, slots, workDirectory, "127.0.0.1", 0, "127.0.0.1", ClusterSecret.NONE,
          Frames.DEFAULT_MAX_FRAME_BYTES);
    }
  }

  private final Config config;
  private final EventLoopGroup group = new NioEventLoopGroup(2, new DefaultThreadFactory("worker-io", true));
  private final ExecutorService tasks;
  private final Map<String, JobOnWorker> jobs = new ConcurrentHashMap<>();
  private final ShuffleServer shuffle;
  private final Fetcher fetcher;
  private final JarStore jars;
  /** Reads of map outputs from shared storage: blocking calls, off the event loop. */
  private final ExecutorService sharedReads = Executors.newCachedThreadPool(
      new DefaultThreadFactory("worker-shared-read", true));
  private final ExecutorService cleanup = Executors.newSingleThreadExecutor(
      new DefaultThreadFactory("worker-cleanup", true));
  private volatile boolean closed;
  private volatile Channel master;
  private volatile String workerId;
  private ScheduledFuture<?> heartbeats;
  private long backoffMillis = 100;

  private Worker(Config config) throws InterruptedException, IOException {
    this.config = config;
    this.tasks = Executors.newFixedThreadPool(config.slots(), new DefaultThreadFactory("worker-task", true));
    this.shuffle = new ShuffleServer(group, config.bindAddress(), config.shufflePort(), config.tls(), config.secret(),
        config.maxFrameBytes(), this::findOutput);
    this.fetcher = new Fetcher(group, config.tls(), config.secret(), config.maxFrameBytes());
    this.jars = new JarStore(config.workDirectory().resolve("jars"));
  }

  /**
   * Starts the worker: its shuffle server listens at once; it connects to the master in the
   * background, retrying until it answers.
   */
  public static Worker start(Config config) throws IOException, InterruptedException {
    config.secret().checkCanListenOn(config.bindAddress(), "serve map outputs");
    config.secret().checkCanConnectTo(config.masterHost(), config.masterPort(), "take jobs from the master at");
    PrivateDirectories.ensure(config.workDirectory());
    Worker w = new Worker(config);
    log.info("worker serving map outputs on port {}, {} slots, work directory {}", w.shuffle.port(), config.slots(),
        config.workDirectory());
    w.connect();
    return w;
  }

  /** The port reducers fetch from. */
  public int shufflePort() {
    return shuffle.port();
  }

  /** The id the master gave this worker, or null before it registered and while it is disconnected. */
  public String id() {
    return workerId;
  }

  /**
   * Whether it is registered with the master now: false before the master first answers, and
   * from a lost connection until it registers again (its readiness, for a health endpoint).
   */
  public boolean registered() {
    return workerId != null;
  }

  private void connect() {
    if (closed) {
      return;
    }
    new Bootstrap()
        .group(group)
        .channel(NioSocketChannel.class)
        .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 5_000)
        .handler(new ChannelInitializer<SocketChannel>() {
          @Override
          protected void initChannel(SocketChannel ch) {
            Pipelines.client(ch, config.tls(), config.secret(), config.maxFrameBytes(), "worker", new MasterConnection());
          }
        })
        .connect(config.masterHost(), config.masterPort())
        .addListener(f -> {
          if (!f.isSuccess()) {
            log.debug("master {}:{} not reachable ({}); retrying in {} ms", config.masterHost(), config.masterPort(),
                f.cause().toString(), backoffMillis);
            reconnectLater();
          }
        });
  }

  private void reconnectLater() {
    if (closed) {
      return;
    }
    long delay = backoffMillis;
    backoffMillis = Math.min(MAX_BACKOFF_MILLIS, backoffMillis * 2);
    group.schedule(this::connect, delay, TimeUnit.MILLISECONDS);
  }

  private void send(Message m) {
    Channel ch = master;
    if (ch != null) {
      ch.writeAndFlush(m);
    }
  }

  /** Map output files its shuffle server opened so far (for tests). */
  long shuffleFilesOpened() {
    return shuffle.filesOpened();
  }

  private ShuffleServer.Served findOutput(String jobId, int mapIndex, int attempt) {
    JobOnWorker job = jobs.get(jobId);
    return job == null ? null : job.outputs.get(new JobOnWorker.AttemptKey(mapIndex, attempt));
  }

  @Override
  public void close() {
    closed = true;
    Channel ch = master;
    if (ch != null) {
      ch.close().awaitUninterruptibly();
    }
    dropAllJobs();
    tasks.shutdownNow();
    try {
      tasks.awaitTermination(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    shuffle.close();
    sharedReads.shutdownNow();
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly();
    dropAllJobs();
    cleanup.shutdown();
    try {
      cleanup.awaitTermination(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void dropAllJobs() {
    for (String id : new ArrayList<>(jobs.keySet())) {
      endJob(id);
    }
  }

  private void endJob(String jobId) {
    JobOnWorker job = jobs.remove(jobId);
    if (job != null) {
      job.stopAll();
      shuffle.closeFilesUnder(job.directory);
      // Off the event loop: closing waits for a task that may be opening the job's code. The files
      // go once the job's stopped attempts have unwound (JobOnWorker.close).
      cleanup.execute(job::close);
    }
  }

  // ------------------------------------------------------------------ tasks

  private void runMap(Message.RunMap m) {
    JobOnWorker job = jobs.get(m.jobId());
    if (job == null) {
      send(new Message.TaskFailed(m.jobId(), TaskKind.MAP, m.index(), m.attempt(), null,
          new Failure(IllegalStateException.class.getName(), "job " + m.jobId() + " was not started here", null)));
      return;
    }
    RunningAttempt r = job.started(TaskKind.MAP, m.index(), m.attempt());
    tasks.execute(() -> {
      if (!job.enter()) {
        return; // the job ended before this attempt began: it was stopped, and nobody waits for it
      }
      Thread self = Thread.currentThread();
      ClassLoader before = self.getContextClassLoader();
      try {
        WorkerJob wj = job.open();
        InputSplit split = m.split().toInputSplit(m.index());
        WorkerJob.MapOutput out = wj.runMap(split, m.attempt(), () -> r.stopped, commitGate(job, r),
            java.util.Set.copyOf(m.skip()));
        if (out.data() != null) {
          job.outputs.put(new JobOnWorker.AttemptKey(m.index(), m.attempt()), new ShuffleServer.Served(out.data(), out.index()));
        }
        succeeded(job, r, out.counters());
      } catch (Throwable t) {
        failed(job, r, t);
      } finally {
        self.setContextClassLoader(before);
        job.exit();
      }
    });
  }

  private void runReduce(Message.RunReduce m) {
    JobOnWorker job = jobs.get(m.jobId());
    if (job == null) {
      send(new Message.TaskFailed(m.jobId(), TaskKind.REDUCE, m.partition(), m.attempt(), null,
          new Failure(IllegalStateException.class.getName(), "job " + m.jobId() + " was not started here", null)));
      return;
    }
    RunningAttempt r = job.started(TaskKind.REDUCE, m.partition(), m.attempt());
    tasks.execute(() -> {
      if (!job.enter()) {
        return; // as for a map attempt
      }
      Thread self = Thread.currentThread();
      ClassLoader before = self.getContextClassLoader();
      try {
        WorkerJob wj = job.open();
        Path dir = job.directory.resolve(r.name()).resolve("attempt-" + m.attempt());
        Files.createDirectories(dir);
        List<WorkerJob.SegmentFile> segments = fetchAll(job, r, m, dir, wj.sharedMapOutputs());
        Map<String, Long> counters = wj.runReduceOnSegments(m.partition(), m.attempt(), segments, () -> r.stopped,
            commitGate(job, r), java.util.Set.copyOf(m.skip()));
        LocalStorage.deleteRecursively(dir);
        succeeded(job, r, counters);
      } catch (Throwable t) {
        failed(job, r, t);
      } finally {
        self.setContextClassLoader(before);
        job.exit();
      }
    });
  }

  /**
   * Fetches partition {@code m.partition()} of every map output as the master announces where
   * they are: from the worker that ran the map, or, when the job keeps map outputs in shared
   * storage, from there (see {@link ReduceFetch}).
   */
  private List<WorkerJob.SegmentFile> fetchAll(JobOnWorker job, RunningAttempt r, Message.RunReduce m, Path dir, SharedMapOutputs shared)
      throws Exception {
    ReduceFetch.Source source = shared == null ? peerSource(job.id, m.partition()) : sharedSource(shared, m, r);
    ReduceFetch fetch = new ReduceFetch("job " + job.id + " reduce " + m.partition() + " attempt " + m.attempt(),
        m.maps(), dir, source,
        (mapIndex, loc) -> send(new Message.FetchFailed(job.id, mapIndex, loc.attempt(), m.partition())),
        PARALLEL_FETCHES, System::nanoTime, () -> r.stopped);
    job.follow(fetch);
    try {
      return fetch.run();
    } finally {
      job.unfollow(fetch);
    }
  }

  private ReduceFetch.Source peerSource(String jobId, int partition) {
    return new ReduceFetch.Source() {
      @Override
      public CompletableFuture<Fetcher.Fetched> fetch(int mapIndex, MapLocation loc, Path target, int inMemoryLimit) {
        return fetcher.fetch(loc.host(), loc.port(), new Message.FetchRequest(jobId, mapIndex, loc.attempt(),
            partition), target, inMemoryLimit);
      }

      @Override
      public String describe(MapLocation loc) {
        return loc.host() + ":" + loc.port();
      }
    };
  }

  private ReduceFetch.Source sharedSource(SharedMapOutputs shared, Message.RunReduce m, RunningAttempt r) {
    return new ReduceFetch.Source() {
      @Override
      public CompletableFuture<Fetcher.Fetched> fetch(int mapIndex, MapLocation loc, Path target, int inMemoryLimit) {
        return CompletableFuture.supplyAsync(() -> {
          try {
            return Fetcher.Fetched.inFile(shared.fetch(mapIndex, loc.attempt(), m.partition(), target,
                () -> r.stopped));
          } catch (IOException e) {
            IOException refusal = refusal(e);
            throw new CompletionException(refusal == null ? e : new ReduceFetch.FetchRefused(refusal.getMessage(), refusal));
          }
        }, sharedReads);
      }

      @Override
      public String describe(MapLocation loc) {
        return "shared storage";
      }
    };
  }

  /**
   * The first I/O failure among the causes of a failed read that was refused for want of
   * permission (its own cause, or itself, an {@link java.nio.file.AccessDeniedException}), or null.
   */
  private static IOException refusal(Throwable t) {
    IOException first = null;
    for (Throwable c = t; c != null; c = c.getCause()) {
      if (first == null && c instanceof IOException io) {
        first = io;
      }
      if (c instanceof java.nio.file.AccessDeniedException) {
        return first;
      }
    }
    return null;
  }

  /** Asks the master whether the attempt may publish its output; waits for the answer. */
  private CommitGate commitGate(JobOnWorker job, RunningAttempt r) {
    return new CommitGate() {
      @Override
      public boolean mayCommit() throws Exception {
        CompletableFuture<Boolean> answer = new CompletableFuture<>();
        r.commitAnswer = answer;
        if (r.stopped) {
          return false; // killed before it could ask
        }
        send(new Message.CommitRequest(job.id, r.kind, r.index, r.attempt));
        try {
          return answer.get(COMMIT_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
          throw new IOException("the master did not answer the commit request of " + r.name() + " attempt "
              + r.attempt + " within " + COMMIT_TIMEOUT_SECONDS + " s");
        }
      }

      @Override
      public boolean arbitrated() {
        return true;
      }
    };
  }

  private void succeeded(JobOnWorker job, RunningAttempt r, Map<String, Long> counters) {
    if (job.finished(r)) {
      send(new Message.TaskSucceeded(job.id, r.kind, r.index, r.attempt, counters));
    }
  }

  private void failed(JobOnWorker job, RunningAttempt r, Throwable t) {
    boolean stopped = r.stopped || WorkerJob.isStop(t);
    if (!job.finished(r) || stopped) {
      return; // killed: the master no longer waits for it
    }
    String position = t instanceof WorkerJob.TaskError e ? e.position() : null;
    long record = t instanceof WorkerJob.TaskError e ? e.record() : -1;
    Throwable cause = t instanceof WorkerJob.TaskError && t.getCause() != null ? t.getCause() : t;
    log.warn("job {} task {} attempt {} failed{}: {}", job.id, r.name(), r.attempt,
        position == null ? "" : " at " + position, cause.toString());
    send(new Message.TaskFailed(job.id, r.kind, r.index, r.attempt, position, Failure.of(cause), record));
  }

  /** A jar from the cache, or from the master into the cache. */
  private Path fetchJar(String sha256) throws Exception {
    var arrival = jars.await(sha256);
    if (!arrival.isDone()) {
      send(new Message.GetJar(sha256));
    }
    try {
      return arrival.get(120, TimeUnit.SECONDS);
    } catch (java.util.concurrent.TimeoutException e) {
      throw new IOException("jar " + sha256 + " did not arrive from the master within 120 s");
    }
  }

  /** What jobs get from this worker: jars, and their code with this worker's slots and memory. */
  private final JobOnWorker.Host jobHost = new JobOnWorker.Host() {
    @Override
    public Path jar(String sha256) throws Exception {
      return fetchJar(sha256);
    }

    @Override
    public WorkerJob open(String jobId, ShippedJob shipped, Path directory) throws IOException {
      return new WorkerJob(jobId, shipped.toSpecification(config.slots(), sortBufferPerTask(shipped.sortBufferSize()),
          config.workDirectory()), directory);
    }
  };

  /**
   * A map task's sort buffer: the job's choice (0: none), up to half the heap over the slots (a
   * buffer the heap cannot hold would fail every map); else a quarter of the heap over the slots,
   * between 1 and 256 MiB.
   */
  private long sortBufferPerTask(long chosen) {
    long heap = Runtime.getRuntime().maxMemory();
    if (chosen > 0) {
      return Math.min(chosen, Math.max(64L << 10, heap / 2 / config.slots()));
    }
    return Math.max(1L << 20, Math.min(256L << 20, heap / 4 / config.slots()));
  }

  // ------------------------------------------------------------------ the master connection

  private final class MasterConnection extends SimpleChannelInboundHandler<Message> {
    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
      if (evt instanceof Authenticated) {
        master = ctx.channel();
        List<String> held = new ArrayList<>();
        List<Integer> known = new ArrayList<>();
        jobs.forEach((id, job) -> {
          held.add(id);
          known.add(job.locationsKnown());
        });
        ctx.writeAndFlush(new Message.RegisterWorker(config.advertisedHost(), shuffle.port(), config.slots(), held,
            known, config.location()));
      } else if (evt instanceof HandshakeFailed f) {
        // The connection closes next, and the worker tries again with backoff.
        log.error("cannot register with master {}:{}: {}", config.masterHost(), config.masterPort(), f.reason());
      } else {
        super.userEventTriggered(ctx, evt);
      }
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, Message msg) {
      // Job ids name directories this worker makes and deletes: a malformed one closes the connection.
      JobIds.checkFromMaster(msg);
      if (msg instanceof Message.Registered r) {
        workerId = r.workerId();
        backoffMillis = 100;
        log.info("registered with master {}:{} as {}", config.masterHost(), config.masterPort(), r.workerId());
        long every = Math.max(50, r.heartbeatMillis());
        heartbeats = ctx.executor().scheduleAtFixedRate(() -> ctx.writeAndFlush(heartbeat()), every, every,
            TimeUnit.MILLISECONDS);
      } else if (msg instanceof Message.StartJob s) {
        jobs.putIfAbsent(s.jobId(), new JobOnWorker(s.jobId(), s.job(), s.jars(),
            config.workDirectory().resolve("jobs").resolve(s.jobId()), jobHost));
      } else if (msg instanceof Message.JarChunk c) {
        try {
          jars.accept(c);
        } catch (IOException e) {
          throw new java.io.UncheckedIOException("cannot store jar " + c.sha256(), e);
        }
      } else if (msg instanceof Message.RunMap m) {
        runMap(m);
      } else if (msg instanceof Message.RunReduce m) {
        runReduce(m);
      } else if (msg instanceof Message.MapOutputs o) {
        JobOnWorker job = jobs.get(o.jobId());
        if (job != null) {
          job.addOutputs(o);
        }
      } else if (msg instanceof Message.CommitResponse c) {
        JobOnWorker job = jobs.get(c.jobId());
        if (job != null) {
          job.commitAnswered(c);
        }
      } else if (msg instanceof Message.KillTask k) {
        JobOnWorker job = jobs.get(k.jobId());
        if (job != null) {
          job.kill(k.kind(), k.index(), k.attempt());
        }
      } else if (msg instanceof Message.EndJob e) {
        endJob(e.jobId());
      } else if (msg instanceof Message.ProtocolError e) {
        log.error("master {}:{} refused this worker: {}", config.masterHost(), config.masterPort(), e.message());
        ctx.close();
      } else {
        throw new ProtocolException("unexpected " + msg.getClass().getSimpleName() + " from the master");
      }
    }

    private Message.Heartbeat heartbeat() {
      int runningTasks = 0;
      for (JobOnWorker j : jobs.values()) {
        runningTasks += j.runningCount();
      }
      double load = ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
      double perCore = load < 0 ? -1 : load / Runtime.getRuntime().availableProcessors();
      return new Message.Heartbeat(runningTasks, Math.max(0, config.slots() - runningTasks), perCore);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      if (heartbeats != null) {
        heartbeats.cancel(false);
      }
      if (master == ctx.channel()) {
        master = null;
        workerId = null;
        // The master re-runs this worker's running attempts elsewhere when it loses it: stop them.
        // Finished map outputs stay, and are announced when registering again: a restarted
        // master resumes its jobs and finds them here; a master that does not know a job ends it.
        jobs.values().forEach(JobOnWorker::stopAll);
        if (!closed) {
          log.warn("lost the master {}:{}; reconnecting", config.masterHost(), config.masterPort());
        }
      }
      reconnectLater();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      Pipelines.closeOnError(ctx, cause, log);
    }
  }
}

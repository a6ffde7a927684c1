package io.mapreduce.netty.master;

import io.mapreduce.MapReduceException;
import io.mapreduce.internal.engine.JobFiles;
import io.mapreduce.internal.engine.ShippedJob;
import io.mapreduce.spi.InputSplit;
import io.mapreduce.netty.protocol.Authenticated;
import io.mapreduce.netty.protocol.ClusterSecret;
import io.mapreduce.netty.protocol.ClusterTls;
import io.mapreduce.netty.protocol.Frames;
import io.mapreduce.netty.protocol.JarStore;
import io.mapreduce.netty.protocol.JobIds;
import io.mapreduce.internal.io.LocalStorage;
import io.mapreduce.internal.io.PrivateDirectories;
import io.mapreduce.internal.io.Storages;
import io.mapreduce.netty.protocol.Message;
import io.mapreduce.netty.protocol.Pipelines;
import io.mapreduce.spi.JobOutput;
import io.mapreduce.spi.SharedDirectory;
import io.mapreduce.spi.Storage;
import io.mapreduce.thirdparty.io.netty.bootstrap.ServerBootstrap;
import io.mapreduce.thirdparty.io.netty.channel.Channel;
import io.mapreduce.thirdparty.io.netty.channel.ChannelFutureListener;
import io.mapreduce.thirdparty.io.netty.channel.ChannelOption;
import io.mapreduce.thirdparty.io.netty.channel.ChannelHandlerContext;
import io.mapreduce.thirdparty.io.netty.channel.ChannelInitializer;
import io.mapreduce.thirdparty.io.netty.channel.EventLoopGroup;
import io.mapreduce.thirdparty.io.netty.channel.SimpleChannelInboundHandler;
import io.mapreduce.thirdparty.io.netty.channel.nio.NioEventLoopGroup;
import io.mapreduce.thirdparty.io.netty.channel.socket.SocketChannel;
import io.mapreduce.thirdparty.io.netty.channel.socket.nio.NioServerSocketChannel;
import io.mapreduce.thirdparty.io.netty.util.concurrent.DefaultThreadFactory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The master daemon: accepts workers and clients, and feeds what they say to {@link MasterState}
 * on one thread. Input listing, output creation and commits run on a separate thread, so the
 * state machine never waits for a disk.
 */
public final class Master implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Master.class);

  /** How a master is started. */
  /**
   * @param workDirectory where the journal and jars live, kept for a restart; null: a fresh private
   *     temporary directory, removed on close
   * @param httpPort the status page's port (0: any free one), or -1 for none
   * @param statusPage who may read the status page (by default loopback only, whatever {@code
   *     bindAddress} is)
   */
  public record Config(String bindAddress, int port, SchedulingPolicy policy, ClusterSecret secret,
      int maxFrameBytes, MasterState.Settings settings, Path workDirectory, int httpPort, ClusterTls tls,
      StatusPageAccess statusPage) {
    /** Without TLS. */
    public Config(String bindAddress, int port, SchedulingPolicy policy, ClusterSecret secret, int maxFrameBytes,
        MasterState.Settings settings, Path workDirectory, int httpPort) {
      this(bindAddress, port, policy, secret, maxFrameBytes, settings, workDirectory, httpPort, ClusterTls.NONE);
    }

    /** With the status page on loopback. */
    public Config(String bindAddress, int port, SchedulingPolicy policy, ClusterSecret secret, int maxFrameBytes,
        MasterState.Settings settings, Path workDirectory, int httpPort, ClusterTls tls) {
      this(bindAddress, port, policy, secret, maxFrameBytes, settings, workDirectory, httpPort, tls,
          StatusPageAccess.loopback());
    }

    public Config {
      Objects.requireNonNull(tls, "tls");
      Objects.requireNonNull(bindAddress, "bindAddress");
      Objects.requireNonNull(policy, "policy");
      Objects.requireNonNull(secret, "secret");
      Objects.requireNonNull(settings, "settings");
      Objects.requireNonNull(statusPage, "statusPage");
    }

    /**
     * Loopback, an ephemeral port, card dealing, no configured secret (this user's), a temporary
     * work directory: for tests and one-machine clusters.
     */
    public static Config local() {
      return new Config("127.0.0.1", 0, new CardDealingPolicy(), ClusterSecret.NONE, Frames.DEFAULT_MAX_FRAME_BYTES,
          MasterState.Settings.defaults(), null, -1);
    }

    public Config withPort(int p) {
      return new Config(bindAddress, p, policy, secret, maxFrameBytes, settings, workDirectory, httpPort, tls, statusPage);
    }

    public Config withPolicy(SchedulingPolicy p) {
      return new Config(bindAddress, port, p, secret, maxFrameBytes, settings, workDirectory, httpPort, tls, statusPage);
    }

    public Config withWorkDirectory(Path dir) {
      return new Config(bindAddress, port, policy, secret, maxFrameBytes, settings, dir, httpPort, tls, statusPage);
    }

    public Config withTls(ClusterTls t) {
      return new Config(bindAddress, port, policy, secret, maxFrameBytes, settings, workDirectory, httpPort, t, statusPage);
    }

    public Config withHttpPort(int p) {
      return new Config(bindAddress, port, policy, secret, maxFrameBytes, settings, workDirectory, p, tls, statusPage);
    }

    public Config withStatusPage(StatusPageAccess access) {
      return new Config(bindAddress, port, policy, secret, maxFrameBytes, settings, workDirectory, httpPort, tls, access);
    }

    public Config withSettings(MasterState.Settings s) {
      return new Config(bindAddress, port, policy, secret, maxFrameBytes, s, workDirectory, httpPort, tls, statusPage);
    }
  }

  /** How long after a job's end its shared map outputs are deleted a second time. */
  static final java.time.Duration LATE_UPLOAD_GRACE = java.time.Duration.ofMinutes(1);

  private final Config config;
  private final EventLoopGroup boss = new NioEventLoopGroup(1, new DefaultThreadFactory("master-accept", true));
  private final EventLoopGroup io = new NioEventLoopGroup(2, new DefaultThreadFactory("master-io", true));
  /** The one thread that touches {@link #state}. */
  private final ScheduledExecutorService loop = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "master-state");
    t.setDaemon(true);
    return t;
  });
  private final ExecutorService files = Executors.newCachedThreadPool(new DefaultThreadFactory("master-files", true));
  private final Map<String, Channel> workerChannels = new ConcurrentHashMap<>();
  private final JobClients clientChannels = new JobClients();
  private final Map<String, JobOutput> outputs = new ConcurrentHashMap<>();
  /** Each staged output's main file base name: its result lists those files, not side outputs. */
  private final Map<String, String> outputBaseNames = new ConcurrentHashMap<>();
  /** The shared map outputs of jobs that keep them in shared storage, deleted when the job ends. */
  private final Map<String, SharedDirectory> intermediates = new ConcurrentHashMap<>();
  /** Jobs submitted and not yet prepared (or refused): their ids are taken. State thread only. */
  private final java.util.Set<String> preparing = new java.util.HashSet<>();
  private final AtomicInteger workerIds = new AtomicInteger();
  private final MasterState state;
  private final JarStore jars;
  /** The configured work directory, or a temporary one made for this master and removed on close. */
  private final Path workDirectory;
  private final Journal journal;
  private final Outbox outbox = new Outbox();
  private volatile Channel server;
  private StatusHttpServer statusPage;
  /**
   * Set first thing on close: the connections that close after it are not workers lost (their
   * maps must not be journaled as lost: a restarted master finds them where they are).
   */
  private volatile boolean closing;

  private Master(Config config) throws IOException {
    this.config = config;
    // Unpredictable when temporary (another user cannot make it first), and private either way.
    this.workDirectory = config.workDirectory() == null ? PrivateDirectories.createTemporary("mapreduce-master-")
        : PrivateDirectories.ensure(config.workDirectory());
    this.jars = new JarStore(workDirectory.resolve("jars"));
    List<Journal.Entry> entries = Journal.read(workDirectory);
    this.journal = Journal.open(workDirectory, entry -> {
      try {
        loop.execute(() -> outbox.durable(entry));
      } catch (java.util.concurrent.RejectedExecutionException closed) {
        // The master is closing: nothing is sent any more.
      }
    });
    this.state = new MasterState(config.settings(), config.policy(), System::nanoTime, outbox);
    // Before any connection: the state thread is not running events yet.
    List<String> resumed = state.restore(entries);
    for (String jobId : resumed) {
      resumeOutput(jobId, entries);
    }
    deleteIntermediatesOfEndedJobs(entries, resumed);
  }

  /**
   * Deletes, again, the shared map outputs of the journal's jobs that ended: a master stopped
   * between a job's end and that deletion would leave them forever. Idempotent; off this thread.
   */
  private void deleteIntermediatesOfEndedJobs(List<Journal.Entry> entries, List<String> resumed) {
    for (Journal.Entry e : entries) {
      if (e instanceof Journal.JobStarted j && !resumed.contains(j.jobId())) {
        String shared = j.job().intermediateDirectory(j.jobId());
        if (shared != null) {
          files.execute(() -> {
            try {
              deleteShared(j.jobId(), Storages.forPath(shared).sharedDirectory(shared));
            } catch (IOException | RuntimeException ex) {
              log.warn("job {}: cannot delete its map outputs in {}: {}", j.jobId(), shared, ex.getMessage());
            }
          });
        }
      }
    }
  }

  private static void deleteShared(String jobId, SharedDirectory directory) {
    try {
      directory.delete();
    } catch (IOException | RuntimeException e) {
      log.warn("job {}: could not delete its map outputs in {}: {}", jobId, directory.path(), e.getMessage());
    }
  }

  /**
   * Re-opens the staged output (and the shared map outputs) of a job the journal says was
   * running; fails the job if they are gone.
   */
  private void resumeOutput(String jobId, List<Journal.Entry> entries) {
    ShippedJob job = entries.stream().filter(e -> e instanceof Journal.JobStarted j && j.jobId().equals(jobId))
        .map(e -> ((Journal.JobStarted) e).job()).findFirst().orElseThrow();
    String output = job.output();
    String shared = job.intermediateDirectory(jobId);
    if (shared != null) {
      try {
        intermediates.put(jobId, Storages.forPath(shared).sharedDirectory(shared));
      } catch (IOException | RuntimeException e) {
        log.warn("job {} cannot find its map outputs in {}: {}", jobId, shared, e.toString());
      }
    }
    try {
      outputs.put(jobId, Storages.forPath(output).resumeOutput(output, jobId));
      outputBaseNames.put(jobId, job.outputBaseName());
    } catch (IOException | RuntimeException e) {
      log.warn("job {} cannot resume: {}", jobId, e.toString());
      loop.execute(() -> state.commitFailed(jobId, "its staged output is gone: " + e.getMessage()));
    }
  }

  /**
   * Starts a master listening on the configured address.
   *
   * @throws IllegalArgumentException when asked to bind a non-loopback address without a secret,
   *     or the status page on one without a token
   */
  public static Master start(Config config) throws InterruptedException, IOException {
    config.secret().checkCanListenOn(config.bindAddress(), "listen");
    if (config.httpPort() >= 0) {
      config.statusPage().checkCanListen();
    }
    Master m = new Master(config);
    m.bind();
    return m;
  }

  private void bind() throws InterruptedException {
    server = new ServerBootstrap()
        .group(boss, io)
        .channel(NioServerSocketChannel.class)
        // A master restarted on its journal takes its old port back at once.
        .option(ChannelOption.SO_REUSEADDR, true)
        .childHandler(new ChannelInitializer<SocketChannel>() {
          @Override
          protected void initChannel(SocketChannel ch) {
            Pipelines.server(ch, config.tls(), config.secret(), config.maxFrameBytes(), new Connection());
          }
        })
        .bind(config.bindAddress(), config.port())
        .sync()
        .channel();
    loop.execute(state::resumed);
    long tick = Math.max(100, config.settings().heartbeatInterval().toMillis());
    loop.scheduleWithFixedDelay(state::tick, tick, tick, TimeUnit.MILLISECONDS);
    log.info("master listening on {} (scheduler {})", server.localAddress(), config.policy().name());
    if (config.httpPort() >= 0) {
      // The page renders the snapshot the state thread builds each tick: a refresh never waits
      // for the state thread, nor makes it walk the workers and tasks.
      // Its own address and event loop: a flood of page requests takes nothing from the job port.
      statusPage = StatusHttpServer.start(config.statusPage(), config.httpPort(), state::statusSnapshot);
    }
  }

  /** The status page's port, or -1 when it has none. */
  public int httpPort() {
    return statusPage == null ? -1 : statusPage.port();
  }

  /**
   * The CPU time its threads have used, by what they do ("state", "network", "journal", "files"),
   * in nanoseconds: its threads are named {@code master-...}. Threads that ended (an idle file
   * thread after a minute) no longer count.
   */
  public java.util.Map<String, Long> cpuNanos() {
    java.lang.management.ThreadMXBean threads = java.lang.management.ManagementFactory.getThreadMXBean();
    java.util.Map<String, Long> byRole = new java.util.TreeMap<>();
    for (java.lang.management.ThreadInfo t : threads.getThreadInfo(threads.getAllThreadIds())) {
      if (t == null || !t.getThreadName().startsWith("master-")) {
        continue;
      }
      long cpu = threads.getThreadCpuTime(t.getThreadId());
      if (cpu < 0) {
        continue;
      }
      String name = t.getThreadName();
      String role = name.startsWith("master-state") ? "state"
          : name.startsWith("master-io") || name.startsWith("master-accept") ? "network"
          : name.startsWith("master-journal") ? "journal" : name.startsWith("master-files") ? "files" : "other";
      byRole.merge(role, cpu, Long::sum);
    }
    return byRole;
  }

  /** Where its journal and jars live: the configured directory, or the temporary one it made. */
  public Path workDirectory() {
    return workDirectory;
  }

  /**
   * Whether it listens for workers and clients now: from its start until {@link #close()} begins
   * (its readiness, for a health endpoint).
   */
  public boolean listening() {
    Channel s = server;
    return !closing && s != null && s.isActive();
  }

  /** The port it listens on. */
  public int port() {
    return ((InetSocketAddress) server.localAddress()).getPort();
  }

  /**
   * A snapshot of workers and jobs, taken on the state thread now (for tests and tools that must
   * see the latest; the status page reads the one built each tick instead).
   */
  public MasterState.Status status() {
    try {
      return loop.submit(state::status).get(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException("master state did not answer: " + e, e);
    }
  }

  /** Stops listening, closes every connection; running jobs' outputs are removed. */
  @Override
  public void close() {
    closing = true;
    loop.shutdown();
    if (statusPage != null) {
      statusPage.close();
    }
    if (server != null) {
      server.close().awaitUninterruptibly();
    }
    workerChannels.values().forEach(Channel::close);
    clientChannels.closeAll();
    boss.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly();
    io.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly();
    loop.shutdownNow();
    files.shutdown();
    try {
      files.awaitTermination(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    try {
      journal.close();
    } catch (IOException e) {
      log.warn("closing the journal: {}", e.toString());
    }
    // A per-process default directory goes with the process, and so do the running jobs' outputs;
    // a chosen one keeps its journal, jars and the outputs: a master restarted on it resumes them.
    if (config.workDirectory() == null) {
      outputs.values().forEach(JobOutput::abort);
      intermediates.forEach(Master::deleteShared);
      LocalStorage.deleteRecursively(workDirectory);
    }
    outputs.clear();
    intermediates.clear();
  }

  /**
   * A valid submission, on the state thread: refused if its id is taken (a job running, being
   * prepared, or ended and still remembered: its outputs, shared directory and status are the
   * first job's, and a second job under its id would take them over), else prepared.
   */
  private void submitted(Message.SubmitJob s, Channel ch) {
    String jobId = s.jobId();
    if (preparing.contains(jobId) || state.knows(jobId) || !clientChannels.submitted(jobId, ch)) {
      log.warn("job {} submitted again from {}: refused", jobId, ch.remoteAddress());
      refuse(ch, "job id " + jobId + " is already in use on this master: a new job needs a new id");
      return;
    }
    preparing.add(jobId);
    log.info("job {} submitted from {}", jobId, ch.remoteAddress());
    files.execute(() -> prepare(jobId, s));
  }

  /** Tells a client its request is refused, in one line; the connection stays open. */
  private static void refuse(Channel ch, String why) {
    ch.writeAndFlush(new Message.JobFailed(null, why, null, 0, null, null));
  }

  private void prepare(String jobId, Message.SubmitJob submit) {
    try {
      var job = submit.job();
      for (String jar : submit.jars()) {
        if (jars.find(jar) == null) {
          throw new MapReduceException("job " + jobId + " names jar " + jar + ", which the client did not send");
        }
      }
      // The client listed and split the inputs with the job's input format (the master runs no
      // user code); each split is checked as the workers will read it.
      for (Message.Split sp : submit.splits()) {
        sp.toInputSplit(0);
      }
      JobOutput output = JobFiles.createOutput(job.output(), jobId);
      String shared = job.intermediateDirectory(jobId);
      if (shared != null) {
        try {
          intermediates.put(jobId, JobFiles.createIntermediate(shared));
        } catch (RuntimeException e) {
          output.abort();
          throw e;
        }
      }
      outputs.put(jobId, output);
      outputBaseNames.put(jobId, job.outputBaseName());
      long inputBytes = MasterState.inputBytes(submit.splits());
      loop.execute(() -> {
        preparing.remove(jobId);
        state.jobPrepared(jobId, job, submit.splits(), submit.jars(), inputBytes);
      });
    } catch (MapReduceException e) {
      prepareFailed(jobId, e.getMessage());
    } catch (Exception e) {
      prepareFailed(jobId, "job " + jobId + " failed: " + e);
    }
  }

  private void prepareFailed(String jobId, String message) {
    loop.execute(() -> {
      preparing.remove(jobId);
      state.prepareFailed(jobId, message);
    });
  }

  /**
   * Deletes a job's shared map outputs, if it has any: it ended. Once now, and once more after
   * {@link #LATE_UPLOAD_GRACE}: a map attempt on a worker the master gave up on (paused, or cut off)
   * may still finish an upload it started before it learnt that its job ended.
   */
  private void removeIntermediate(String jobId) {
    SharedDirectory shared = intermediates.remove(jobId);
    if (shared != null) {
      files.execute(() -> deleteShared(jobId, shared));
      loop.schedule(() -> files.execute(() -> deleteShared(jobId, shared)), LATE_UPLOAD_GRACE.toSeconds(),
          TimeUnit.SECONDS);
    }
  }

  /**
   * The state machine's outbox: messages go to channels, file work to the files thread, journal
   * entries to the journal's writer. Write-ahead for what outlives a crash: a job's output
   * published or aborted, and what clients are told, take effect only once every entry journaled
   * before them is on disk (in order), so that no client learns what a restarted master would not
   * know. Messages to workers do not wait (a worker waiting for its next task would wait out an
   * {@code fsync} per task): a restarted master forgets the attempts it started after its last
   * entry, and workers stop every attempt of theirs when they lose the master. Called on the state
   * thread only.
   */
  private final class Outbox implements MasterState.Outbox {
    /** Effects waiting for the journal, in order, each with the last entry before it. */
    private final ArrayDeque<Held> held = new ArrayDeque<>();

    private record Held(long entry, Runnable effect) {}

    private void effect(Runnable r) {
      long entry = journal.appended();
      if (held.isEmpty() && journal.durable() >= entry) {
        r.run();
      } else {
        held.add(new Held(entry, r));
      }
    }

    /** The journal is on disk up to {@code entry}: the effects that waited for it happen. */
    void durable(long entry) {
      while (!held.isEmpty() && held.peek().entry <= entry) {
        held.poll().effect.run();
      }
    }

    @Override
    public void toWorker(String workerId, Message message) {
      Channel ch = workerChannels.get(workerId);
      if (ch != null) {
        ch.writeAndFlush(message);
      }
    }

    @Override
    public void toClient(String jobId, Message message) {
      effect(() -> clientChannels.send(jobId, message,
          message instanceof Message.JobSucceeded || message instanceof Message.JobFailed));
    }

    @Override
    public void commit(String jobId) {
      effect(() -> {
        JobOutput out = outputs.get(jobId);
        files.execute(() -> {
          try {
            String base = outputBaseNames.get(jobId);
            List<String> files = out.commit().stream().filter(f -> JobFiles.isMainOutput(f, base)).map(URI::toString)
                .toList();
            outputs.remove(jobId);
            outputBaseNames.remove(jobId);
            removeIntermediate(jobId);
            loop.execute(() -> state.jobCommitted(jobId, files));
          } catch (Exception e) {
            loop.execute(() -> state.commitFailed(jobId, e.toString()));
          }
        });
      });
    }

    @Override
    public void abort(String jobId) {
      effect(() -> {
        JobOutput out = outputs.remove(jobId);
        outputBaseNames.remove(jobId);
        if (out != null) {
          files.execute(out::abort);
        }
        removeIntermediate(jobId);
      });
    }

    @Override
    public void scheduleMore() {
      try {
        loop.execute(state::scheduleMore);
      } catch (java.util.concurrent.RejectedExecutionException closed) {
        // The master is closing: nothing starts any more.
      }
    }

    @Override
    public void dropWorker(String workerId) {
      Channel ch = workerChannels.remove(workerId);
      if (ch != null) {
        ch.close();
      }
    }

    @Override
    public void journal(Journal.Entry entry) {
      if (!closing) {
        journal.appendLater(entry);
      }
    }

    @Override
    public void compactJournal(List<Journal.Entry> keep) {
      if (!closing) {
        journal.compactLater(keep);
      }
    }
  }

  /** One connection: a worker's or a client's, as its first message says. */
  private final class Connection extends SimpleChannelInboundHandler<Message> {
    private String workerId;

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
      if (!(evt instanceof Authenticated)) {
        super.userEventTriggered(ctx, evt);
      }
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, Message msg) {
      if (msg instanceof Message.RegisterWorker r) {
        if (workerId != null) {
          throw new io.mapreduce.netty.protocol.ProtocolException("worker registered twice on one connection");
        }
        String id = "worker-" + workerIds.incrementAndGet();
        workerId = id;
        workerChannels.put(id, ctx.channel());
        loop.execute(() -> {
          state.registerWorker(id, r.host(), r.shufflePort(), r.slots(), r.jobs(), r.locationsKnown(), r.location());
        });
      } else if (msg instanceof Message.Heartbeat h && workerId != null) {
        String id = workerId;
        loop.execute(() -> state.heartbeat(id, h.runningTasks(), h.freeSlots(), h.cpuLoad()));
      } else if (msg instanceof Message.TaskSucceeded s && workerId != null) {
        String id = workerId;
        loop.execute(() -> state.taskSucceeded(id, s));
      } else if (msg instanceof Message.FetchFailed f && workerId != null) {
        String id = workerId;
        loop.execute(() -> state.fetchFailed(id, f));
      } else if (msg instanceof Message.CommitRequest c && workerId != null) {
        String id = workerId;
        loop.execute(() -> state.commitRequested(id, c));
      } else if (msg instanceof Message.TaskFailed f && workerId != null) {
        String id = workerId;
        loop.execute(() -> state.taskFailed(id, f));
      } else if (msg instanceof Message.SubmitJob s && workerId == null) {
        if (!JobIds.isValid(s.jobId())) {
          refuse(ctx.channel(), JobIds.refusal(s.jobId()));
          return;
        }
        Channel ch = ctx.channel();
        loop.execute(() -> submitted(s, ch));
      } else if (msg instanceof Message.HasJars h && workerId == null) {
        ctx.writeAndFlush(new Message.MissingJars(h.jars().stream().filter(j -> jars.find(j) == null).toList()));
      } else if (msg instanceof Message.JarChunk c && workerId == null) {
        try {
          jars.accept(c);
        } catch (IOException e) {
          throw new UncheckedIOException("cannot store jar " + c.sha256(), e);
        }
      } else if (msg instanceof Message.GetJar g && workerId != null) {
        Channel ch = ctx.channel();
        files.execute(() -> {
          try {
            jars.send(ch, g.sha256());
          } catch (IOException | RuntimeException e) {
            // On another thread than the channel's: tell the worker here, or it waits for nothing.
            log.warn("cannot send jar {} to {}: {}", Frames.brief(g.sha256()), workerId, Frames.brief(e.toString()));
            ch.writeAndFlush(new Message.ProtocolError("cannot send jar " + g.sha256() + ": " + e.getMessage()))
                .addListener(ChannelFutureListener.CLOSE);
          }
        });
      } else if (msg instanceof Message.WatchJob w && workerId == null) {
        if (!JobIds.isValid(w.jobId())) {
          refuse(ctx.channel(), JobIds.refusal(w.jobId()));
          return;
        }
        clientChannels.watch(w.jobId(), ctx.channel());
        loop.execute(() -> state.watch(w.jobId()));
      } else if (msg instanceof Message.CancelJob c && workerId == null) {
        if (!JobIds.isValid(c.jobId())) {
          refuse(ctx.channel(), JobIds.refusal(c.jobId()));
          return;
        }
        loop.execute(() -> state.cancel(c.jobId()));
      } else if (msg instanceof Message.ProtocolError e) {
        log.warn("{} reports a protocol error: {}", ctx.channel().remoteAddress(), e.message());
        ctx.close();
      } else {
        throw new io.mapreduce.netty.protocol.ProtocolException("unexpected " + msg.getClass().getSimpleName()
            + (workerId == null ? " from a client" : " from " + workerId));
      }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      if (closing) {
        return;
      }
      if (workerId != null) {
        String id = workerId;
        workerChannels.remove(id, ctx.channel());
        loop.execute(() -> state.workerLost(id, "connection closed"));
      }
      clientChannels.closed(ctx.channel());
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      Pipelines.closeOnError(ctx, cause, log);
    }
  }
}

package io.mapreduce.netty.client;

import io.mapreduce.thirdparty.com.google.common.net.HostAndPort;
import io.mapreduce.Counters;
import io.mapreduce.Job;
import io.mapreduce.JobProgress;
import io.mapreduce.JobResult;
import io.mapreduce.MapReduceException;
import io.mapreduce.MapReduceSpecification;
import io.mapreduce.TaskFailedException;
import io.mapreduce.internal.engine.JobFiles;
import io.mapreduce.internal.engine.ShippedJob;
import io.mapreduce.netty.protocol.Authenticated;
import io.mapreduce.netty.protocol.ClusterSecret;
import io.mapreduce.netty.protocol.ClusterTls;
import io.mapreduce.netty.protocol.Frames;
import io.mapreduce.netty.protocol.HandshakeFailed;
import io.mapreduce.netty.protocol.Message;
import io.mapreduce.netty.protocol.Pipelines;
import io.mapreduce.spi.ExecutionEngine;
import io.mapreduce.spi.InputSplit;
import io.mapreduce.spi.Storage;
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
import java.net.URI;
import java.time.Duration;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Submits jobs to a cluster's master: the engine {@code MapReduce.exec} uses when a
 * specification names a cluster (or a transient one: {@link TransientClusterJob}). Found with
 * {@link java.util.ServiceLoader}. The cluster secret is the specification's
 * {@code clusterSecretFile}, else the environment variable {@code MAPREDUCE_SECRET}, else this user's own (for a
 * master on loopback only, see {@link ClusterSecret#NONE}), and TLS, if on, from
 * {@code MAPREDUCE_TLS_KEYSTORE} and {@code MAPREDUCE_TLS_PASSWORD}.
 */
public final class ClusterEngine implements ExecutionEngine {
  private static final Logger log = LoggerFactory.getLogger(ClusterEngine.class);
  /** How long a client waits for a master that went away mid-job to come back. */
  static final Duration RECONNECT_WINDOW = Duration.ofMinutes(2);
  /** Whether {@link ClientThread} was started: its thread lives as long as the JVM. */
  private static volatile boolean clientThreadStarted;

  /** The client's one network thread, shared by every job of this JVM, started by the first. */
  private static final class ClientThread {
    static final EventLoopGroup GROUP = new NioEventLoopGroup(1, new DefaultThreadFactory("mapreduce-client", true));
  }

  /** Set for good by {@link #stopClientThread()}. */
  private static volatile boolean clientThreadStopped;

  private static EventLoopGroup group() {
    if (clientThreadStopped) {
      throw new IllegalStateException("the cluster client's network thread was stopped"
          + " (ClusterEngine.stopClientThread): this JVM submits no more cluster jobs");
    }
    clientThreadStarted = true;
    return ClientThread.GROUP;
  }

  /**
   * For a process about to exit once its jobs have ended: stops the clients' network thread, if
   * one was started (a thread waiting in the kernel, as a network thread does, holds the JVM's
   * exit for 300 ms). Meant for when no job runs: a job still running loses its connection to the
   * master; a job submitted afterwards fails at once with {@link IllegalStateException}.
   */
  public static void stopClientThread() {
    clientThreadStopped = true;
    if (clientThreadStarted) {
      ClientThread.GROUP.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS).awaitUninterruptibly(2_000);
    }
  }

  @Override
  public String name() {
    return "cluster";
  }

  @Override
  public Job submit(MapReduceSpecification<?, ?> spec) {
    if (spec.clusterLauncher().isPresent()) {
      return TransientClusterJob.start(this, spec);
    }
    return submit(spec, spec.cluster().orElseThrow(), spec.clusterSecretFile().orElse(null));
  }

  /** Submits the job to the master at {@code hostPort}, with the secret in the file (null: the environment's). */
  Job submit(MapReduceSpecification<?, ?> spec, String hostPort, java.nio.file.Path secretFile) {
    ShippedJob shipped = ShippedJob.of(spec);
    HostAndPort master = HostAndPort.fromString(hostPort);
    ClusterSecret secret;
    ClusterTls tls;
    try {
      secret = ClusterSecret.resolve(secretFile);
      secret.checkCanConnectTo(master.getHost(), master.getPort(), "submit a job to the master at");
      tls = ClusterTls.fromEnvironment();
    } catch (IOException | IllegalArgumentException | IllegalStateException e) {
      throw new MapReduceException("cannot set up the connection to the master: " + e.getMessage(), e);
    }
    ClusterJob job = new ClusterJob(UUID.randomUUID().toString(), master, shipped, JobJars.of(spec), secret, tls);
    // Listing and splitting may take a while (S3, a format that reads its files): off the caller's thread.
    Thread planner = new Thread(() -> {
      try {
        job.splits = splits(spec, shipped.inputs());
      } catch (Throwable e) {
        // An Error from a user's format too: nothing else would ever complete the job.
        job.failFromCluster(e instanceof MapReduceException ? e : new MapReduceException("job " + job.id()
            + " failed while splitting its input: " + e, e));
        return;
      }
      job.connect(false);
    }, "mapreduce-client-" + job.id().substring(0, 8) + "-splits");
    planner.setDaemon(true);
    planner.start();
    return job;
  }

  /**
   * Lists and splits the inputs here, with the job's input format, as Hadoop's client does: the
   * application has the format's classes, and the master then runs no user code.
   */
  public static java.util.List<Message.Split> splits(MapReduceSpecification<?, ?> spec,
      java.util.List<String> inputs) {
    Storage storage = JobFiles.storageOf(inputs);
    java.util.List<InputSplit> splits;
    try {
      splits = JobFiles.split(spec.inputFormat(), storage, JobFiles.listInputs(storage, inputs), spec.splitSize());
    } catch (IOException e) {
      throw new MapReduceException("cannot list the input: " + e.getMessage(), e);
    }
    return splits.stream().map(Message.Split::of).toList();
  }

  /** A job running on the cluster, as its client sees it. */
  static final class ClusterJob extends Job {
    private final HostAndPort master;
    private final ShippedJob shipped;
    private final java.util.List<JobJars.Jar> jars;
    private volatile Channel channel;
    private volatile JobProgress progress = new JobProgress(0, 0, 0, 0, 0, 0, 0);
    private volatile boolean cancelRequested;
    /** Whether the master has taken the job (sent its progress): then it can be followed again. */
    private volatile boolean accepted;
    private volatile boolean refused;

    private final ClusterSecret secret;
    private final ClusterTls tls;
    /** Until when the client keeps trying to reach the master again, once it lost it. */
    private volatile long reconnectDeadline;
    private volatile long backoffMillis = 200;
    /** The job's splits, computed before the first connection. */
    volatile java.util.List<Message.Split> splits;

    ClusterJob(String id, HostAndPort master, ShippedJob shipped, java.util.List<JobJars.Jar> jars,
        ClusterSecret secret, ClusterTls tls) {
      super(id);
      this.master = master;
      this.shipped = shipped;
      this.jars = jars;
      this.secret = secret;
      this.tls = tls;
    }

    /** Connects to the master: to submit the job, or (again) to follow it. */
    void connect(boolean follow) {
      new Bootstrap()
          .group(group())
          .channel(NioSocketChannel.class)
          .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 10_000)
          .handler(new ChannelInitializer<SocketChannel>() {
            @Override
            protected void initChannel(SocketChannel ch) {
              Pipelines.client(ch, tls, secret, Frames.DEFAULT_MAX_FRAME_BYTES, "client", new Handler(follow));
            }
          })
          .connect(master.getHost(), master.getPort())
          .addListener(f -> {
            if (!f.isSuccess()) {
              if (follow) {
                reconnectLater(f.cause());
              } else {
                failFromCluster(new MapReduceException("cannot reach the master at " + master + ": "
                    + f.cause().getMessage(), f.cause()));
              }
            }
          });
    }

    /**
     * The master went away before the job ended: it may come back (restarted on its journal), so
     * keep trying for a while, then give up saying so.
     */
    private void reconnectLater(Throwable why) {
      if (isDone()) {
        return;
      }
      if (clientThreadStopped) {
        failFromCluster(new MapReduceException("the cluster client's network thread was stopped before job " + id()
            + " finished"));
        return;
      }
      if (System.nanoTime() > reconnectDeadline) {
        failFromCluster(new MapReduceException("lost the connection to the master at " + master + " before job "
            + id() + " finished, and it did not come back within " + RECONNECT_WINDOW.toSeconds() + " s"
            + (why == null ? "" : ": " + why.getMessage())));
        return;
      }
      long delay = backoffMillis;
      backoffMillis = Math.min(5_000, backoffMillis * 2);
      group().schedule(() -> connect(true), delay, java.util.concurrent.TimeUnit.MILLISECONDS);
    }

    private void submit(Channel ch) {
      ch.writeAndFlush(new Message.SubmitJob(id(), shipped, jars.stream().map(JobJars.Jar::sha256).toList(), splits));
      if (cancelRequested) {
        ch.writeAndFlush(new Message.CancelJob(id()));
      }
    }

    @Override
    public JobProgress progress() {
      return progress;
    }

    @Override
    protected void onCancel() {
      cancelRequested = true;
      Channel ch = channel;
      if (ch != null && ch.isActive()) {
        ch.writeAndFlush(new Message.CancelJob(id()));
      } else {
        terminated();
      }
    }

    void failFromCluster(Throwable t) {
      if (beginFinishing()) {
        fail(t);
      }
      terminated();
    }

    private final class Handler extends SimpleChannelInboundHandler<Message> {
      private final boolean follow;
      /** Why the handshake failed, if it did: the connection is closing. */
      private String handshakeFailure;

      Handler(boolean follow) {
        this.follow = follow;
      }

      @Override
      public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
        if (evt instanceof Authenticated) {
          channel = ctx.channel();
          backoffMillis = 200;
          if (follow) {
            ctx.writeAndFlush(new Message.WatchJob(id()));
            if (cancelRequested) {
              ctx.writeAndFlush(new Message.CancelJob(id()));
            }
          } else if (jars.isEmpty()) {
            submit(ctx.channel());
          } else {
            ctx.writeAndFlush(new Message.HasJars(jars.stream().map(JobJars.Jar::sha256).toList()));
          }
        } else if (evt instanceof HandshakeFailed f) {
          handshakeFailure = f.reason();
        } else {
          super.userEventTriggered(ctx, evt);
        }
      }

      @Override
      protected void channelRead0(ChannelHandlerContext ctx, Message msg) {
        if (msg instanceof Message.MissingJars m) {
          for (JobJars.Jar jar : jars) {
            if (m.jars().contains(jar.sha256())) {
              log.info("sending {} ({} bytes) to the master", jar.source(), jar.bytes().length);
              io.mapreduce.netty.protocol.JarStore.send(ctx.channel(), jar.sha256(), jar.bytes());
            }
          }
          submit(ctx.channel());
        } else if (msg instanceof Message.JobProgressUpdate p) {
          accepted = true;
          // The master counts bytes by finished maps: progress moves map by map.
          long doneBytes = p.mapsTotal() == 0 ? 0 : p.inputBytes() * p.mapsDone() / p.mapsTotal();
          progress = new JobProgress(p.mapsTotal(), p.mapsDone(), p.reducesTotal(), p.reducesDone(), p.inputBytes(),
              doneBytes, 0);
        } else if (msg instanceof Message.JobSucceeded s) {
          if (beginFinishing()) {
            succeed(new JobResult(id(), s.outputFiles().stream().map(URI::create).toList(), Counters.of(s.counters()),
                Duration.ofMillis(s.mapMillis()), Duration.ofMillis(s.reduceMillis()),
                Duration.ofMillis(s.totalMillis())));
          }
          terminated();
          ctx.close();
        } else if (msg instanceof Message.JobFailed f) {
          failFromCluster(f.taskId() != null
              ? new TaskFailedException(id(), f.taskId(), f.attempts(), f.position(), new RemoteException(f.failure()))
              : new MapReduceException(f.message()));
          ctx.close();
        } else if (msg instanceof Message.ProtocolError e) {
          refused = true;
          failFromCluster(new MapReduceException("the master at " + master + " refused the job: " + e.message()));
          ctx.close();
        } else {
          log.warn("unexpected {} from the master", msg.getClass().getSimpleName());
        }
      }

      @Override
      public void channelInactive(ChannelHandlerContext ctx) {
        if (isDone()) {
          terminated();
          return;
        }
        if (refused) {
          return;
        }
        // Nothing was said: to submit, fail at once; to follow, the real master may come back.
        if (handshakeFailure != null && !follow) {
          failFromCluster(new MapReduceException("cannot reach the master at " + master + ": " + handshakeFailure));
          return;
        }
        // Only a job the master accepted can be followed again: before that, fail at once.
        if (!follow && !accepted) {
          failFromCluster(new MapReduceException("lost the connection to the master at " + master
              + " before it took job " + id()));
          return;
        }
        if (reconnectDeadline == 0 || !follow) {
          reconnectDeadline = System.nanoTime() + RECONNECT_WINDOW.toNanos();
        }
        reconnectLater(handshakeFailure == null ? null : new MapReduceException(handshakeFailure));
      }

      @Override
      public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        Pipelines.closeOnError(ctx, cause, log);
      }
    }
  }
}

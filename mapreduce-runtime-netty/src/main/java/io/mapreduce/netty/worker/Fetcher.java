package io.mapreduce.netty.worker;

import io.mapreduce.internal.shuffle.RunIndex;
import io.mapreduce.internal.shuffle.RunWriter;
import io.mapreduce.netty.protocol.Authenticated;
import io.mapreduce.netty.protocol.ClusterSecret;
import io.mapreduce.netty.protocol.ClusterTls;
import io.mapreduce.netty.protocol.FrameDecoder;
import io.mapreduce.netty.protocol.HandshakeFailed;
import io.mapreduce.netty.protocol.Message;
import io.mapreduce.netty.protocol.Pipelines;
import io.mapreduce.thirdparty.io.netty.bootstrap.Bootstrap;
import io.mapreduce.thirdparty.io.netty.buffer.ByteBuf;
import io.mapreduce.thirdparty.io.netty.channel.Channel;
import io.mapreduce.thirdparty.io.netty.channel.ChannelHandlerContext;
import io.mapreduce.thirdparty.io.netty.channel.ChannelInboundHandlerAdapter;
import io.mapreduce.thirdparty.io.netty.channel.ChannelInitializer;
import io.mapreduce.thirdparty.io.netty.channel.ChannelOption;
import io.mapreduce.thirdparty.io.netty.channel.EventLoop;
import io.mapreduce.thirdparty.io.netty.channel.EventLoopGroup;
import io.mapreduce.thirdparty.io.netty.channel.socket.SocketChannel;
import io.mapreduce.thirdparty.io.netty.channel.socket.nio.NioSocketChannel;
import io.mapreduce.thirdparty.io.netty.handler.timeout.IdleStateEvent;
import io.mapreduce.thirdparty.io.netty.handler.timeout.IdleStateHandler;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.TimeUnit;

/**
 * Fetches partitions of map outputs from the workers that hold them, each into a local run file
 * with its index beside it, as the merge reads it, or, when small, into memory (the reduce attempt
 * then packs many into one file: see {@link ReduceFetch}). One authenticated connection per source worker,
 * shared by every reduce attempt of this worker and kept while it has work: requests are pipelined
 * on it (up to {@value #PIPELINED} unanswered), the server answers them in order, and each answer's
 * bytes go to their file as they arrive. (One connection and handshake per fetch, as before, cost a
 * round trip and a key exchange for each of the M x R fetches of a job.) An idle connection closes
 * after {@value #IDLE_SECONDS} s. Public for the benchmarks; not API.
 */
public final class Fetcher {
  /** Requests sent on a connection and not yet answered, at most. */
  static final int PIPELINED = 16;
  static final int IDLE_SECONDS = 30;

  private final EventLoopGroup group;
  private final ClusterTls tls;
  private final ClusterSecret secret;
  private final int maxFrameBytes;
  private final ConcurrentMap<String, Peer> peers = new ConcurrentHashMap<>();

  public Fetcher(EventLoopGroup group, ClusterSecret secret, int maxFrameBytes) {
    this(group, ClusterTls.NONE, secret, maxFrameBytes);
  }

  public Fetcher(EventLoopGroup group, ClusterTls tls, ClusterSecret secret, int maxFrameBytes) {
    this.group = group;
    this.tls = tls;
    this.secret = secret;
    this.maxFrameBytes = maxFrameBytes;
  }

  /**
   * A fetched segment: its bytes when it was kept in memory, or null when it went to its file (and
   * the file's index); its records, checksum and whether it is compressed, as the server described
   * it.
   */
  public record Fetched(byte[] bytes, long length, long records, int checksum, boolean compressed) {
    /** Written to a file of its own, with its index. */
    static Fetched inFile(long length) {
      return new Fetched(null, length, -1, 0, false);
    }
  }

  /** Completes when {@code target} and its index are written; fails with the reason otherwise. */
  public CompletableFuture<Long> fetch(String host, int port, Message.FetchRequest request, Path target) {
    return fetch(host, port, request, target, -1).thenApply(Fetched::length);
  }

  /**
   * Fetches a segment into memory when it is at most {@code inMemoryLimit} bytes long (the limit
   * bounds what a server can make this worker allocate), else into {@code target} and its index.
   */
  public CompletableFuture<Fetched> fetch(String host, int port, Message.FetchRequest request, Path target,
      int inMemoryLimit) {
    Pending p = new Pending(request, target, inMemoryLimit, new CompletableFuture<>());
    enqueue(host, port, p);
    return p.done;
  }

  private void enqueue(String host, int port, Pending p) {
    Peer peer = peers.computeIfAbsent(host + ":" + port, key -> new Peer(host, port, group.next()));
    peer.loop.execute(() -> peer.enqueue(p));
  }

  /** Connections open now, for tests and the benchmarks. */
  public int connections() {
    return peers.size();
  }

  private record Pending(Message.FetchRequest request, Path target, int inMemoryLimit,
      CompletableFuture<Fetched> done) {}

  /**
   * The connection to one source worker. Confined to its event loop: requests are queued there,
   * sent there and answered there.
   */
  private final class Peer extends ChannelInboundHandlerAdapter {
    final String host;
    final int port;
    final EventLoop loop;
    private final ArrayDeque<Pending> queued = new ArrayDeque<>();
    /** Sent, answered in this order. */
    private final ArrayDeque<Pending> sent = new ArrayDeque<>();
    private Channel channel;
    private boolean authenticated;
    private boolean gone;
    /** The answer being received: its header, its file or array, and its bytes so far. */
    private Message.FetchResponse header;
    private FileChannel file;
    private byte[] bytes;
    private long received;

    Peer(String host, int port, EventLoop loop) {
      this.host = host;
      this.port = port;
      this.loop = loop;
    }

    void enqueue(Pending p) {
      if (gone) {
        // Closed since this fetch found it in the map: a new connection takes the request.
        Fetcher.this.enqueue(host, port, p);
        return;
      }
      queued.add(p);
      if (channel == null) {
        connect();
      } else if (authenticated) {
        sendQueued();
      }
    }

    private void connect() {
      channel = new Bootstrap()
          .group(loop)
          .channel(NioSocketChannel.class)
          .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 10_000)
          .handler(new ChannelInitializer<SocketChannel>() {
            @Override
            protected void initChannel(SocketChannel ch) {
              Pipelines.client(ch, tls, secret, maxFrameBytes, "reducer", Peer.this);
              ch.pipeline().addBefore("app", "idle", new IdleStateHandler(0, 0, IDLE_SECONDS, TimeUnit.SECONDS));
              // Requests sent as answers come in (or as fetches are queued) go out together.
              ch.pipeline().addFirst("flush-consolidation",
                  new io.mapreduce.thirdparty.io.netty.handler.flush.FlushConsolidationHandler(256, true));
            }
          })
          .connect(host, port)
          .addListener(f -> {
            if (!f.isSuccess()) {
              closeWith(new IOException("cannot connect to " + host + ":" + port + ": " + f.cause(), f.cause()));
            }
          })
          .channel();
    }

    private void sendQueued() {
      boolean wrote = false;
      while (sent.size() < PIPELINED && !queued.isEmpty()) {
        Pending p = queued.poll();
        sent.add(p);
        channel.write(p.request);
        wrote = true;
      }
      if (wrote) {
        channel.flush();
      }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
      if (evt instanceof Authenticated) {
        authenticated = true;
        sendQueued();
      } else if (evt instanceof HandshakeFailed f) {
        closeWith(new IOException(f.reason()));
      } else if (evt instanceof IdleStateEvent) {
        if (sent.isEmpty() && queued.isEmpty()) {
          closeWith(new IOException("idle connection closed"));
        }
      } else {
        super.userEventTriggered(ctx, evt);
      }
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) throws IOException {
      if (msg instanceof ByteBuf buf) {
        try {
          int n = buf.readableBytes();
          if (bytes != null) {
            buf.readBytes(bytes, (int) received, n);
          } else {
            buf.readBytes(file, received, n);
          }
          received += n;
        } finally {
          buf.release();
        }
        if (received == header.length()) {
          answered();
        }
      } else if (msg instanceof Message.FetchResponse r && header == null && !sent.isEmpty()) {
        if (r.error() != null) {
          // This output is not there; the connection is fine for the others.
          sent.poll().done.completeExceptionally(new IOException(r.error()));
          sendQueued();
          return;
        }
        header = r;
        received = 0;
        Pending p = sent.peek();
        if (r.length() < 0) {
          closeWith(new IOException("shuffle server sent a segment of " + r.length() + " bytes"));
          return;
        }
        if (r.length() <= p.inMemoryLimit) {
          bytes = new byte[(int) r.length()];
        } else {
          file = FileChannel.open(p.target, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
              StandardOpenOption.WRITE);
        }
        if (r.length() == 0) {
          answered();
        } else {
          ((FrameDecoder) ctx.pipeline().get("frame-decoder")).expectRaw(r.length());
        }
      } else if (msg instanceof Message.ProtocolError e) {
        closeWith(new IOException("shuffle server refused: " + e.message()));
      } else {
        closeWith(new IOException("unexpected " + msg.getClass().getSimpleName() + " from the shuffle server"));
      }
    }

    /** The current answer's bytes are all in its file. */
    private void answered() throws IOException {
      Pending p = sent.poll();
      Message.FetchResponse r = header;
      header = null;
      if (bytes != null) {
        p.done.complete(new Fetched(bytes, r.length(), r.records(), r.checksum(), r.compressed()));
        bytes = null;
      } else {
        FileChannel f = file;
        file = null;
        f.close();
        RunIndex.ofOneSegment(r.length(), r.records(), r.checksum(), r.compressed()).write(RunWriter.indexOf(p.target));
        p.done.complete(new Fetched(null, r.length(), r.records(), r.checksum(), r.compressed()));
      }
      sendQueued();
    }

    /** Fails every request of this connection and closes it; the next fetch opens a new one. */
    private void closeWith(Throwable t) {
      if (gone) {
        return;
      }
      gone = true;
      peers.remove(host + ":" + port, this);
      closeFile();
      bytes = null;
      IOException lost = t instanceof IOException io ? io : new IOException(t.toString(), t);
      for (Pending p : sent) {
        p.done.completeExceptionally(lost);
      }
      for (Pending p : queued) {
        p.done.completeExceptionally(lost);
      }
      sent.clear();
      queued.clear();
      if (channel != null) {
        channel.close();
      }
    }

    private void closeFile() {
      if (file != null) {
        try {
          file.close();
        } catch (IOException ignored) {
          // failing anyway
        }
        file = null;
      }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      closeWith(new IOException("connection to " + host + ":" + port + " closed"
          + (header == null ? "" : " after " + received + " of " + header.length() + " bytes")));
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      closeWith(cause);
    }
  }
}

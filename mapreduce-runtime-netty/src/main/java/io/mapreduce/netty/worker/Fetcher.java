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
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.CompletableFuture;

/**
 * Fetches one partition of one map output from the worker that holds it into a local run file
 * with its index beside it, as the merge reads it. One connection per fetch, bytes written to the
 * file as they arrive. Public for the benchmarks; not API.
 */
public final class Fetcher {
  private final EventLoopGroup group;
  private final ClusterTls tls;
  private final ClusterSecret secret;
  private final int maxFrameBytes;

  public Fetcher(EventLoopGroup group, ClusterSecret secret, int maxFrameBytes) {
    this(group, ClusterTls.NONE, secret, maxFrameBytes);
  }

  public Fetcher(EventLoopGroup group, ClusterTls tls, ClusterSecret secret, int maxFrameBytes) {
    this.group = group;
    this.tls = tls;
    this.secret = secret;
    this.maxFrameBytes = maxFrameBytes;
  }

  /** Completes when {@code target} and its index are written; fails with the reason otherwise. */
  public CompletableFuture<Long> fetch(String host, int port, Message.FetchRequest request, Path target) {
    CompletableFuture<Long> done = new CompletableFuture<>();
    new Bootstrap()
        .group(group)
        .channel(NioSocketChannel.class)
        .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 10_000)
        .handler(new ChannelInitializer<SocketChannel>() {
          @Override
          protected void initChannel(SocketChannel ch) {
            Pipelines.client(ch, tls, secret, maxFrameBytes, "reducer", new Handler(request, target, done));
          }
        })
        .connect(host, port)
        .addListener(f -> {
          if (!f.isSuccess()) {
            done.completeExceptionally(new IOException("cannot connect to " + host + ":" + port + ": " + f.cause(),
                f.cause()));
          }
        });
    return done;
  }

  private static final class Handler extends ChannelInboundHandlerAdapter {
    private final Message.FetchRequest request;
    private final Path target;
    private final CompletableFuture<Long> done;
    private Message.FetchResponse header;
    private FileChannel file;
    private long received;

    Handler(Message.FetchRequest request, Path target, CompletableFuture<Long> done) {
      this.request = request;
      this.target = target;
      this.done = done;
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
      if (evt instanceof Authenticated) {
        ctx.writeAndFlush(request);
      } else if (evt instanceof HandshakeFailed f) {
        fail(ctx, new IOException(f.reason()));
      } else {
        super.userEventTriggered(ctx, evt);
      }
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) throws IOException {
      if (msg instanceof ByteBuf buf) {
        try {
          int n = buf.readableBytes();
          buf.readBytes(file, received, n);
          received += n;
        } finally {
          buf.release();
        }
        if (received == header.length()) {
          finish(ctx);
        }
      } else if (msg instanceof Message.FetchResponse r && header == null) {
        if (r.error() != null) {
          fail(ctx, new IOException(r.error()));
          return;
        }
        header = r;
        file = FileChannel.open(target, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
            StandardOpenOption.WRITE);
        if (r.length() == 0) {
          finish(ctx);
        } else {
          ((FrameDecoder) ctx.pipeline().get("frame-decoder")).expectRaw(r.length());
        }
      } else if (msg instanceof Message.ProtocolError e) {
        fail(ctx, new IOException("shuffle server refused: " + e.message()));
      } else {
        fail(ctx, new IOException("unexpected " + msg.getClass().getSimpleName() + " from the shuffle server"));
      }
    }

    private void finish(ChannelHandlerContext ctx) throws IOException {
      file.close();
      new RunIndex(new long[] {0}, new long[] {header.length()}, new long[] {header.records()},
          new int[] {header.checksum()}, header.compressed()).write(RunWriter.indexOf(target));
      done.complete(received);
      ctx.close();
    }

    private void fail(ChannelHandlerContext ctx, Throwable t) {
      closeFile();
      done.completeExceptionally(t);
      ctx.close();
    }

    private void closeFile() {
      if (file != null) {
        try {
          file.close();
        } catch (IOException ignored) {
          // failing anyway
        }
      }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      if (!done.isDone()) {
        closeFile();
        done.completeExceptionally(new IOException("connection to " + ctx.channel().remoteAddress()
            + " closed after " + received + " of " + (header == null ? "?" : header.length()) + " bytes"));
      }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      fail(ctx, cause);
    }
  }
}

package io.mapreduce.netty.worker;

import io.mapreduce.internal.shuffle.RunIndex;
import io.mapreduce.netty.protocol.Authenticated;
import io.mapreduce.netty.protocol.ClusterSecret;
import io.mapreduce.netty.protocol.ClusterTls;
import io.mapreduce.thirdparty.io.netty.handler.flush.FlushConsolidationHandler;
import io.mapreduce.thirdparty.io.netty.handler.stream.ChunkedWriteHandler;
import io.mapreduce.netty.protocol.JobIds;
import io.mapreduce.netty.protocol.Message;
import io.mapreduce.netty.protocol.Pipelines;
import io.mapreduce.netty.protocol.ProtocolException;
import io.mapreduce.thirdparty.io.netty.bootstrap.ServerBootstrap;
import io.mapreduce.thirdparty.io.netty.channel.Channel;
import io.mapreduce.thirdparty.io.netty.channel.ChannelHandlerContext;
import io.mapreduce.thirdparty.io.netty.channel.ChannelInitializer;
import io.mapreduce.thirdparty.io.netty.channel.EventLoopGroup;
import io.mapreduce.thirdparty.io.netty.channel.SimpleChannelInboundHandler;
import io.mapreduce.thirdparty.io.netty.channel.socket.SocketChannel;
import io.mapreduce.thirdparty.io.netty.channel.socket.nio.NioServerSocketChannel;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves a worker's map outputs to reducers: for each request, a {@link Message.FetchResponse}
 * and then the partition's bytes straight from the run file ({@link DefaultFileRegion}: the
 * kernel copies them to the socket without passing through the heap). Public for the
 * benchmarks; not API.
 */
public final class ShuffleServer {
  private static final Logger log = LoggerFactory.getLogger(ShuffleServer.class);

  /** Where a worker keeps the map outputs it serves. */
  public interface Outputs {
    /** The run of an attempt of a map task, or null. */
    Served find(String jobId, int mapIndex, int attempt);
  }

  public record Served(Path data, RunIndex index) {}

  /** Map output files kept open: each is asked for once per reduce task. */
  static final int OPEN_FILES = 256;

  private final Channel channel;
  private final OpenMapOutputs openFiles = new OpenMapOutputs(OPEN_FILES);

  public ShuffleServer(EventLoopGroup group, String bindAddress, int port, ClusterSecret secret, int maxFrameBytes,
      Outputs outputs) throws InterruptedException {
    this(group, bindAddress, port, ClusterTls.NONE, secret, maxFrameBytes, outputs);
  }

  /**
   * A shuffle server. Segments go in chunks, not zero-copy: through the TLS engine, or (in the
   * clear) through the sealer that authenticates every byte after the handshake.
   */
  public ShuffleServer(EventLoopGroup group, String bindAddress, int port, ClusterTls tls, ClusterSecret secret,
      int maxFrameBytes, Outputs outputs) throws InterruptedException {
    this.channel = new ServerBootstrap()
        .group(group)
        .channel(NioServerSocketChannel.class)
        .childHandler(new ChannelInitializer<SocketChannel>() {
          @Override
          protected void initChannel(SocketChannel ch) {
            Pipelines.server(ch, tls, secret, maxFrameBytes, new Handler(outputs, openFiles));
            // Before the frame encoder, so that chunks of a file pass it as the bytes they are.
            ch.pipeline().addBefore("frame-encoder", "chunks", new ChunkedWriteHandler());
            // A reducer pipelines its requests: the answers to those read together go out in one
            // write, not one system call each (a job of 20,000 maps and 500 reduces sends 10
            // million answers, most of them a few bytes).
            ch.pipeline().addFirst("flush-consolidation", new FlushConsolidationHandler(256, true));
          }
        })
        .bind(bindAddress, port)
        .sync()
        .channel();
  }

  public int port() {
    return ((InetSocketAddress) channel.localAddress()).getPort();
  }

  public void close() {
    channel.close().awaitUninterruptibly();
    openFiles.closeAll();
  }

  /** Closes the open map output files under this directory (an ended job's). */
  public void closeFilesUnder(Path directory) {
    openFiles.closeUnder(directory);
  }

  /** Map output files opened so far (each kept open while it is among the last served). */
  public long filesOpened() {
    return openFiles.opened();
  }

  private static final class Handler extends SimpleChannelInboundHandler<Message> {
    private final Outputs outputs;
    private final OpenMapOutputs openFiles;

    Handler(Outputs outputs, OpenMapOutputs openFiles) {
      this.outputs = outputs;
      this.openFiles = openFiles;
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
      if (!(evt instanceof Authenticated)) {
        super.userEventTriggered(ctx, evt);
      }
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, Message msg) {
      if (!(msg instanceof Message.FetchRequest r)) {
        throw new ProtocolException("unexpected " + msg.getClass().getSimpleName() + " on the shuffle port");
      }
      JobIds.check(r.jobId());
      Served s = outputs.find(r.jobId(), r.mapIndex(), r.attempt());
      if (s == null || r.partition() < 0 || r.partition() >= s.index().partitions()) {
        ctx.writeAndFlush(new Message.FetchResponse(0, 0, 0, false, "no output of map " + r.mapIndex() + " attempt "
            + r.attempt() + " of job " + r.jobId() + (s == null ? "" : " partition " + r.partition()) + " here"));
        return;
      }
      RunIndex index = s.index();
      int p = r.partition();
      long length = index.lengths()[p];
      if (length == 0) {
        // Empty: the index (in memory) says all there is to say; the file is not looked at.
        ctx.writeAndFlush(new Message.FetchResponse(0, index.records()[p], index.checksums()[p], index.compressed(),
            null));
        return;
      }
      io.mapreduce.thirdparty.io.netty.handler.stream.ChunkedInput<io.mapreduce.thirdparty.io.netty.buffer.ByteBuf> bytes;
      try {
        // From a file kept open (opening it tells whether it is still here), in chunks: every byte
        // after the handshake is sealed or in TLS, so none can go zero-copy.
        bytes = openFiles.chunks(s.data(), index.offsets()[p], length, 256 << 10);
      } catch (java.io.IOException e) {
        ctx.writeAndFlush(new Message.FetchResponse(0, 0, 0, false, "the output of map " + r.mapIndex() + " attempt "
            + r.attempt() + " of job " + r.jobId() + " is gone from this worker's disk"));
        return;
      }
      ctx.write(new Message.FetchResponse(length, index.records()[p], index.checksums()[p], index.compressed(), null));
      ctx.write(bytes);
      ctx.flush();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      Pipelines.closeOnError(ctx, cause, log);
    }
  }
}

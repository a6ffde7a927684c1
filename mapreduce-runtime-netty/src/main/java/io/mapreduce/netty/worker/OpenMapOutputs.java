package io.mapreduce.netty.worker;

import io.mapreduce.thirdparty.io.netty.buffer.ByteBuf;
import io.mapreduce.thirdparty.io.netty.handler.stream.ChunkedInput;
import io.mapreduce.thirdparty.io.netty.util.AbstractReferenceCounted;
import io.mapreduce.thirdparty.io.netty.util.ReferenceCounted;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The map output files a shuffle server keeps open, the most recently served first, at most
 * {@code capacity} of them: a reducer fetches a partition of every map output, so each file is
 * asked for R times (500 times in a job of 500 reduces), and opening it (and checking it is there)
 * per request was the larger part of the kernel time of a job of 20,000 maps. A file is closed
 * when it leaves the cache and no chunks being sent use it; {@link #closeUnder} closes those of
 * an ended job. Thread-safe (the server's event loops share it).
 */
final class OpenMapOutputs {
  private final int capacity;
  private final Map<Path, OpenFile> open;
  /**
   * The last directories of ended jobs: their files are served (to requests read before the job
   * ended, racing its end) but not kept open. A few suffice: the race lasts milliseconds.
   */
  private final java.util.ArrayDeque<Path> closedDirectories = new java.util.ArrayDeque<>();
  /** Files opened: for tests and the benchmark's counts. */
  private long opened;

  OpenMapOutputs(int capacity) {
    this.capacity = capacity;
    this.open = new LinkedHashMap<>(16, 0.75f, true);
  }

  /**
   * {@code count} bytes of the file from {@code position}, as chunks of at most {@code chunkBytes}
   * read from a channel kept open: every byte after the handshake is sealed or in TLS, so none can
   * go zero-copy as a file region.
   *
   * @throws IOException when the file cannot be opened (it is gone)
   */
  ChunkedInput<ByteBuf> chunks(Path file, long position, long count, int chunkBytes) throws IOException {
    return new SharedChunks(acquire(file), position, count, chunkBytes);
  }

  /** The open file, with a reference for the caller to release. */
  private OpenFile acquire(Path file) throws IOException {
    OpenFile f;
    synchronized (this) {
      f = open.get(file);
      if (f == null) {
        f = new OpenFile(FileChannel.open(file));
        opened++;
        if (isUnderClosed(file)) {
          // A request read before its job ended: served, but the file (about to be deleted) is not
          // kept open: the caller's reference is the only one.
          return f;
        }
        open.put(file, f);
        evictOver(capacity);
      }
      f.retain(); // for the caller: released when its bytes are sent or dropped
    }
    return f;
  }

  /** Closes the files under {@code directory} (a job's, when it ends), once chunks being sent from them are done. */
  void closeUnder(Path directory) {
    List<OpenFile> closing = new ArrayList<>();
    synchronized (this) {
      closedDirectories.addLast(directory);
      if (closedDirectories.size() > 64) {
        closedDirectories.removeFirst();
      }
      open.entrySet().removeIf(e -> {
        if (e.getKey().startsWith(directory)) {
          closing.add(e.getValue());
          return true;
        }
        return false;
      });
    }
    closing.forEach(OpenFile::release);
  }

  /** Closes every file, once chunks being sent from them are done. */
  void closeAll() {
    List<OpenFile> closing;
    synchronized (this) {
      closing = new ArrayList<>(open.values());
      open.clear();
    }
    closing.forEach(OpenFile::release);
  }

  private boolean isUnderClosed(Path file) {
    for (Path d : closedDirectories) {
      if (file.startsWith(d)) {
        return true;
      }
    }
    return false;
  }

  synchronized long opened() {
    return opened;
  }

  synchronized int size() {
    return open.size();
  }

  private void evictOver(int limit) {
    var it = open.values().iterator();
    while (open.size() > limit && it.hasNext()) {
      OpenFile eldest = it.next();
      it.remove();
      eldest.release(); // the cache's reference
    }
  }

  /** An open file, closed when the cache and all chunks being sent from it let go of it. */
  private static final class OpenFile extends AbstractReferenceCounted {
    final FileChannel channel;

    OpenFile(FileChannel channel) {
      this.channel = channel; // one reference: the cache's
    }

    @Override
    protected void deallocate() {
      try {
        channel.close();
      } catch (IOException e) {
        // Nothing was written through it: nothing is lost.
      }
    }

    @Override
    public ReferenceCounted touch(Object hint) {
      return this;
    }
  }

  /**
   * Chunks of a shared open file, read at their positions (so that any number of them share the
   * channel): reaching the end or being closed lets go of the file, not closes it.
   */
  private static final class SharedChunks implements ChunkedInput<ByteBuf> {
    private final OpenFile file;
    private final long start;
    private final long end;
    private final int chunkBytes;
    private long at;
    private boolean released;

    SharedChunks(OpenFile file, long position, long count, int chunkBytes) {
      this.file = file;
      this.start = position;
      this.end = position + count;
      this.chunkBytes = chunkBytes;
      this.at = position;
    }

    @Override
    public boolean isEndOfInput() {
      return at >= end;
    }

    @Override
    public void close() {
      if (!released) {
        released = true;
        file.release();
      }
    }

    @Override
    @Deprecated
    public ByteBuf readChunk(io.mapreduce.thirdparty.io.netty.channel.ChannelHandlerContext ctx) throws Exception {
      return readChunk(ctx.alloc());
    }

    @Override
    public ByteBuf readChunk(io.mapreduce.thirdparty.io.netty.buffer.ByteBufAllocator allocator) throws Exception {
      if (at >= end) {
        return null;
      }
      int n = (int) Math.min(chunkBytes, end - at);
      ByteBuf buf = allocator.buffer(n);
      boolean ok = false;
      try {
        while (buf.writerIndex() < n) {
          int read = buf.writeBytes(file.channel, at + buf.writerIndex(), n - buf.writerIndex());
          if (read < 0) {
            throw new java.io.EOFException("map output file ended " + (end - at - buf.writerIndex())
                + " bytes early");
          }
        }
        at += n;
        ok = true;
        return buf;
      } finally {
        if (!ok) {
          buf.release();
        }
      }
    }

    @Override
    public long length() {
      return end - start;
    }

    @Override
    public long progress() {
      return at - start;
    }
  }
}

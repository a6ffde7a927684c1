package io.mapreduce.internal.shuffle;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.PriorityQueue;

/**
 * A k-way merge of sorted streams into one sorted stream. Equal keys come out in the order of the
 * streams in the list (earlier spills and lower map tasks first), so the merge is stable.
 */
public final class MergingStream implements RecordStream {
  private final List<? extends RecordStream> sources;
  private final List<? extends java.io.Closeable> alsoClose;
  private final PriorityQueue<Head> heap;
  private Head current;
  private boolean started;

  private record Head(RecordStream stream, int order) {}

  public MergingStream(List<? extends RecordStream> sources) {
    this(sources, List.of());
  }

  /** A merge that also closes {@code alsoClose} (files its sources share) when it is closed. */
  public MergingStream(List<? extends RecordStream> sources, List<? extends java.io.Closeable> alsoClose) {
    this.alsoClose = alsoClose;
    this.sources = sources;
    this.heap = new PriorityQueue<>(Math.max(1, sources.size()), MergingStream::compare);
  }

  private static int compare(Head a, Head b) {
    RecordStream x = a.stream;
    RecordStream y = b.stream;
    int c = Arrays.compareUnsigned(
        x.keyArray(), x.keyOffset(), x.keyOffset() + x.keyLength(),
        y.keyArray(), y.keyOffset(), y.keyOffset() + y.keyLength());
    return c != 0 ? c : Integer.compare(a.order, b.order);
  }

  @Override
  public boolean next() throws IOException {
    if (!started) {
      started = true;
      for (int i = 0; i < sources.size(); i++) {
        if (sources.get(i).next()) {
          heap.add(new Head(sources.get(i), i));
        }
      }
    } else if (current != null && current.stream.next()) {
      heap.add(current);
    }
    current = heap.poll();
    return current != null;
  }

  @Override
  public byte[] keyArray() {
    return current.stream.keyArray();
  }

  @Override
  public int keyOffset() {
    return current.stream.keyOffset();
  }

  @Override
  public int keyLength() {
    return current.stream.keyLength();
  }

  @Override
  public byte[] valueArray() {
    return current.stream.valueArray();
  }

  @Override
  public int valueOffset() {
    return current.stream.valueOffset();
  }

  @Override
  public int valueLength() {
    return current.stream.valueLength();
  }

  @Override
  public void close() throws IOException {
    IOException first = null;
    List<java.io.Closeable> all = new ArrayList<>();
    for (RecordStream s : sources) {
      all.add(s::close);
    }
    all.addAll(alsoClose);
    for (java.io.Closeable s : all) {
      try {
        s.close();
      } catch (IOException e) {
        if (first == null) {
          first = e;
        } else {
          first.addSuppressed(e);
        }
      }
    }
    if (first != null) {
      throw first;
    }
  }
}

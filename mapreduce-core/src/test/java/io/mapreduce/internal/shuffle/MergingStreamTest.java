package io.mapreduce.internal.shuffle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The k-way merge equals the oracle (all streams concatenated in list order, then stably sorted by
 * key), so equal keys come out in the order of their streams.
 */
class MergingStreamTest {
  @TempDir Path tmp;

  @Test
  void next_randomSortedStreams_equalsStableOracleMerge() throws IOException {
    for (int seed = 0; seed < 200; seed++) {
      Random r = new Random(seed);
      int streams = r.nextInt(7);
      List<List<Rec>> inputs = new ArrayList<>();
      for (int s = 0; s < streams; s++) {
        // Values name their stream and position, so the order of equal keys is visible.
        List<Rec> recs = new ArrayList<>();
        for (Rec rec : Rec.random(r, r.nextInt(40), 1)) {
          recs.add(new Rec(0, rec.key(), ("s" + s + "#" + recs.size()).getBytes(StandardCharsets.US_ASCII)));
        }
        inputs.add(Rec.stableSorted(recs, Rec.BY_KEY));
      }
      assertThat(merge(listStreams(inputs))).as("seed %d", seed).containsExactlyElementsOf(oracleMerge(inputs));
    }
  }

  @Test
  void next_equalKeysInEveryStream_comeOutInStreamOrder() throws IOException {
    List<List<Rec>> inputs = new ArrayList<>();
    for (int s = 0; s < 5; s++) {
      List<Rec> recs = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        recs.add(new Rec(0, "k".getBytes(), ("s" + s + "#" + i).getBytes()));
      }
      inputs.add(recs);
    }
    List<String> values = merge(listStreams(inputs)).stream().map(x -> new String(x.value())).toList();
    assertThat(values).containsExactly("s0#0", "s0#1", "s0#2", "s1#0", "s1#1", "s1#2", "s2#0", "s2#1", "s2#2",
        "s3#0", "s3#1", "s3#2", "s4#0", "s4#1", "s4#2");
  }

  @Test
  void next_interleavedKeys_sortUnsigned() throws IOException {
    List<List<Rec>> inputs = List.of(
        List.of(rec(0x00), rec(0x7f), rec(0xff)),
        List.of(rec(0x01), rec(0x80)),
        List.of(),
        List.of(rec(0x00), rec(0xfe), rec(0xff)));
    assertThat(merge(listStreams(inputs))).extracting(x -> x.key()[0] & 0xff)
        .containsExactly(0x00, 0x00, 0x01, 0x7f, 0x80, 0xfe, 0xff, 0xff);
  }

  @Test
  void next_noStreamsOrOnlyEmptyOnes_isEmpty() throws IOException {
    assertThat(merge(List.of())).isEmpty();
    assertThat(merge(listStreams(List.of(List.of(), List.of())))).isEmpty();
  }

  @Test
  void next_segmentReadersOfSeveralRuns_equalsOracleMerge() throws IOException {
    // The reduce side: partition p of several map outputs on disk.
    Random r = new Random(31);
    int partitions = 3;
    List<Path> runs = new ArrayList<>();
    List<List<List<Rec>>> contents = new ArrayList<>();
    for (int m = 0; m < 4; m++) {
      List<Rec> records = new ArrayList<>();
      for (Rec rec : Rec.random(r, 150, partitions)) {
        records.add(new Rec(rec.partition(), rec.key(), ("m" + m + "#" + records.size()).getBytes()));
      }
      records = Rec.stableSorted(records, Rec.BY_PARTITION_THEN_KEY);
      Path data = tmp.resolve("map-" + m);
      List<List<Rec>> parts = new ArrayList<>();
      try (RunWriter w = new RunWriter(data, partitions)) {
        for (int p = 0; p < partitions; p++) {
          w.startPartition(p);
          int fp = p;
          List<Rec> part = records.stream().filter(x -> x.partition() == fp).toList();
          for (Rec rec : part) {
            w.append(rec.key(), 0, rec.key().length, rec.value(), 0, rec.value().length);
          }
          parts.add(part);
        }
      }
      runs.add(data);
      contents.add(parts);
    }
    for (int p = 0; p < partitions; p++) {
      List<SegmentReader> readers = new ArrayList<>();
      List<List<Rec>> inputs = new ArrayList<>();
      for (int m = 0; m < runs.size(); m++) {
        readers.add(new SegmentReader(runs.get(m), RunIndex.read(RunWriter.indexOf(runs.get(m))), p, 64));
        inputs.add(contents.get(m).get(p));
      }
      List<Rec> merged = new ArrayList<>();
      try (MergingStream merge = new MergingStream(readers)) {
        merged.addAll(Rec.drain(merge, p));
      }
      assertThat(merged).as("partition %d", p).containsExactlyElementsOf(oracleMerge(inputs));
    }
  }

  @Test
  void close_closesEverySource_andReportsTheFirstFailure() throws IOException {
    List<Rec.ListStream> sources = listStreams(List.of(List.of(rec(1)), List.of(rec(2))));
    try (MergingStream m = new MergingStream(sources)) {
      assertThat(m.next()).isTrue();
    }
    assertThat(sources).allMatch(s -> s.closed);

    Rec.ListStream ok = new Rec.ListStream(List.of());
    RecordStream failing1 = failingOnClose("first");
    RecordStream failing2 = failingOnClose("second");
    MergingStream m = new MergingStream(List.of(failing1, ok, failing2));
    assertThatThrownBy(m::close)
        .isInstanceOf(IOException.class)
        .hasMessage("first")
        .satisfies(e -> assertThat(e.getSuppressed()).extracting(Throwable::getMessage).containsExactly("second"));
    assertThat(ok.closed).isTrue();
  }

  // ---------------------------------------------------------------------------------------------

  /** Every record of every stream, in list order, stably sorted by key. */
  private static List<Rec> oracleMerge(List<List<Rec>> inputs) {
    List<Rec> all = new ArrayList<>();
    inputs.forEach(all::addAll);
    return Rec.stableSorted(all, Rec.BY_KEY);
  }

  private static List<Rec.ListStream> listStreams(List<List<Rec>> inputs) {
    return inputs.stream().map(Rec.ListStream::new).toList();
  }

  private static List<Rec> merge(List<? extends RecordStream> sources) throws IOException {
    try (MergingStream m = new MergingStream(sources)) {
      List<Rec> out = Rec.drain(m, 0);
      assertThat(m.next()).isFalse();
      return out;
    }
  }

  private static Rec rec(int keyByte) {
    return new Rec(0, new byte[] {(byte) keyByte}, new byte[0]);
  }

  private static RecordStream failingOnClose(String message) {
    return new RecordStream() {
      @Override
      public boolean next() {
        return false;
      }

      @Override
      public byte[] keyArray() {
        throw new AssertionError();
      }

      @Override
      public int keyOffset() {
        throw new AssertionError();
      }

      @Override
      public int keyLength() {
        throw new AssertionError();
      }

      @Override
      public byte[] valueArray() {
        throw new AssertionError();
      }

      @Override
      public int valueOffset() {
        throw new AssertionError();
      }

      @Override
      public int valueLength() {
        throw new AssertionError();
      }

      @Override
      public void close() throws IOException {
        throw new IOException(message);
      }
    };
  }
}

package io.mapreduce.internal.io;

import static java.nio.charset.StandardCharsets.UTF_8;

import io.mapreduce.internal.io.PairsFormat.Header;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * Test fixtures for pairs files: writing pairs to bytes, reading them back whole or by splits, and
 * an independent parser of the documented layout that the tests use as the oracle for block
 * offsets and record bytes (it shares no code with the reader).
 */
final class PairsFiles {
  private PairsFiles() {}

  /** A decoded pair; byte arrays shown as hex so that equality is by content. */
  record Pair(Object key, Object value) {
    static Pair of(Object key, Object value) {
      return new Pair(show(key), show(value));
    }

    private static Object show(Object o) {
      return o instanceof byte[] b ? "bytes:" + HexFormat.of().formatHex(b) : o;
    }
  }

  static <K, V> byte[] write(Class<K> keyType, Class<V> valueType, List<K> keys, List<V> values) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (PairsWriter<K, V> writer = new PairsWriter<>(out, keyType, valueType)) {
      for (int i = 0; i < keys.size(); i++) {
        writer.write(keys.get(i), values.get(i));
      }
    }
    return out.toByteArray();
  }

  static List<Pair> expected(List<?> keys, List<?> values) {
    List<Pair> pairs = new ArrayList<>();
    for (int i = 0; i < keys.size(); i++) {
      pairs.add(Pair.of(keys.get(i), values.get(i)));
    }
    return pairs;
  }

  static <K, V> List<Pair> readAll(byte[] file, Class<K> keyType, Class<V> valueType) throws IOException {
    try (PairsReader<K, V> reader = PairsReader.open(new ByteArrayInputStream(file), "test.pairs", keyType, valueType)) {
      return drain(reader);
    }
  }

  /** The records of the splits {@code [cuts[i], cuts[i + 1])}, concatenated. */
  static <K, V> List<Pair> readSplits(byte[] file, long[] cuts, Class<K> keyType, Class<V> valueType)
      throws IOException {
    Header header = PairsReader.readHeader(new ByteArrayInputStream(file));
    List<Pair> pairs = new ArrayList<>();
    for (int i = 0; i + 1 < cuts.length; i++) {
      int start = (int) cuts[i];
      try (PairsReader<K, V> reader = new PairsReader<>(new ByteArrayInputStream(file, start, file.length - start),
          "test.pairs", header, start, cuts[i + 1] - start, keyType, valueType)) {
        pairs.addAll(drain(reader));
      }
    }
    return pairs;
  }

  static List<Pair> drain(PairsReader<?, ?> reader) throws IOException {
    List<Pair> pairs = new ArrayList<>();
    while (reader.next()) {
      pairs.add(Pair.of(reader.key(), reader.value()));
    }
    return pairs;
  }

  /** A block as the layout says it is: where it starts, its header's fields, its records. */
  record Block(int offset, int count, int payloadOffset, int payloadLength, int crc, List<byte[][]> records) {}

  /** The parsed layout, failing (with an AssertionError) on anything the format does not allow. */
  record Layout(String keyType, String valueType, byte[] sync, int headerLength, List<Block> blocks) {}

  static Layout parse(byte[] f) {
    int[] at = {0};
    check(Arrays.equals(Arrays.copyOf(f, 7), "MRPAIRS".getBytes(UTF_8)), "magic");
    at[0] = 7;
    check(f[at[0]++] == 1, "version");
    int kl = varint(f, at);
    String keyType = new String(f, at[0], kl, UTF_8);
    at[0] += kl;
    int vl = varint(f, at);
    String valueType = new String(f, at[0], vl, UTF_8);
    at[0] += vl;
    byte[] sync = Arrays.copyOfRange(f, at[0], at[0] + 16);
    at[0] += 16;
    int headerLength = at[0];
    List<Block> blocks = new ArrayList<>();
    while (at[0] < f.length) {
      int offset = at[0];
      check(Arrays.equals(Arrays.copyOfRange(f, offset, offset + 16), sync), "sync at " + offset);
      at[0] += 16;
      int count = varint(f, at);
      int length = varint(f, at);
      int crc = ((f[at[0]] & 0xff) << 24) | ((f[at[0] + 1] & 0xff) << 16) | ((f[at[0] + 2] & 0xff) << 8)
          | (f[at[0] + 3] & 0xff);
      at[0] += 4;
      int payload = at[0];
      CRC32C c = new CRC32C();
      c.update(f, payload, length);
      check((int) c.getValue() == crc, "crc of block " + offset);
      List<byte[][]> records = new ArrayList<>();
      while (at[0] < payload + length) {
        int k = varint(f, at);
        int v = varint(f, at);
        records.add(new byte[][] {Arrays.copyOfRange(f, at[0], at[0] + k), Arrays.copyOfRange(f, at[0] + k, at[0] + k + v)});
        at[0] += k + v;
      }
      check(at[0] == payload + length && records.size() == count, "records of block " + offset);
      blocks.add(new Block(offset, count, payload, length, crc, records));
    }
    return new Layout(keyType, valueType, sync, headerLength, blocks);
  }

  private static int varint(byte[] f, int[] at) {
    int value = 0;
    for (int shift = 0; ; shift += 7) {
      int b = f[at[0]++] & 0xff;
      value |= (b & 0x7f) << shift;
      if (b < 0x80) {
        return value;
      }
    }
  }

  private static void check(boolean ok, String what) {
    if (!ok) {
      throw new AssertionError("not the documented layout: " + what);
    }
  }

  static byte[] crc32c(byte[] payload) {
    CRC32C c = new CRC32C();
    c.update(payload);
    int v = (int) c.getValue();
    return new byte[] {(byte) (v >>> 24), (byte) (v >>> 16), (byte) (v >>> 8), (byte) v};
  }

  static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] p : parts) {
      out.writeBytes(p);
    }
    return out.toByteArray();
  }
}

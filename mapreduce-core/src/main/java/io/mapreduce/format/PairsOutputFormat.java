package io.mapreduce.format;

import io.mapreduce.internal.io.PairsWriter;
import java.io.IOException;
import java.io.OutputStream;

/** Typed pairs in the shuffle's encodings, with a header naming their types: {@code mr-out-NNNNN.pairs}. */
final class PairsOutputFormat extends OutputFormat {
  static final PairsOutputFormat INSTANCE = new PairsOutputFormat();

  @Override
  public String extension() {
    return ".pairs";
  }

  @Override
  public <K, V> RecordWriter<K, V> open(OutputStream out, Class<K> keyType, Class<V> valueType) throws IOException {
    PairsWriter<K, V> writer = new PairsWriter<>(out, keyType, valueType);
    return new RecordWriter<>() {
      @Override
      public void write(K key, V value) throws IOException {
        writer.write(key, value);
      }

      @Override
      public void finish() throws IOException {
        writer.flush();
      }
    };
  }

  @Override
  public InputFormat<?, ?> readBack(Class<?> keyType, Class<?> valueType) {
    return InputFormat.pairs(keyType, valueType);
  }

  @Override
  public String toString() {
    return "pairs";
  }
}

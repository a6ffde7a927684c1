package io.mapreduce.format;

import io.mapreduce.internal.io.Compression;
import io.mapreduce.spi.FileRange;
import io.mapreduce.spi.InputFile;
import io.mapreduce.spi.InputSplit;
import io.mapreduce.spi.Storage;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** One record per file: its path and its (decompressed) contents, as a string or as bytes. */
final class WholeFileInputFormat<V> extends InputFormat<String, V> {
  static final WholeFileInputFormat<String> STRINGS = new WholeFileInputFormat<>(String.class);
  static final WholeFileInputFormat<byte[]> BYTES = new WholeFileInputFormat<>(byte[].class);

  /** The largest array the JVM allocates, about 2 GiB; a string of it needs half (UTF-16). */
  private static final int MAX_BYTES = Integer.MAX_VALUE - 8;

  private WholeFileInputFormat(Class<V> valueType) {
    super(String.class, valueType);
  }

  /** One split per file, whatever its size. */
  @Override
  public List<InputSplit> split(Storage storage, List<InputFile> files, long splitSize) {
    List<InputSplit> splits = new ArrayList<>();
    for (InputFile f : files) {
      splits.add(new InputSplit(splits.size(), List.of(FileRange.of(f))));
    }
    return splits;
  }

  @Override
  public RecordReader<String, V> open(Storage storage, InputSplit split) {
    return new RecordReader<>() {
      private int next;
      private InputFile file;
      private byte[] contents;

      @Override
      public boolean next() throws IOException {
        if (next == split.ranges().size()) {
          return false;
        }
        file = split.ranges().get(next++).file();
        contents = read(storage, file, valueType() == String.class);
        return true;
      }

      @Override
      public String key() {
        return file.path();
      }

      @Override
      @SuppressWarnings("unchecked")
      public V value() {
        return (V) (valueType() == String.class ? new String(contents, StandardCharsets.UTF_8) : contents);
      }

      @Override
      public String file() {
        return file.path();
      }

      @Override
      public long offset() {
        return 0;
      }

      @Override
      public long recordId() {
        return next - 1;
      }

      @Override
      public long recordBytes() {
        return contents.length;
      }

      @Override
      public long consumed() {
        long n = 0;
        for (int i = 0; i < next; i++) {
          n += split.ranges().get(i).length();
        }
        return n;
      }

      @Override
      public void close() {
        contents = null;
      }
    };
  }

  private static byte[] read(Storage storage, InputFile file, boolean asString) throws IOException {
    Compression compression = Compression.of(file.path());
    try (InputStream in = compression.decompress(storage.open(file, 0), file.path())) {
      int max = asString ? MAX_BYTES / 2 : MAX_BYTES;
      byte[] bytes = in.readNBytes(max);
      if (in.read() >= 0) {
        throw new IOException("whole file " + file.path() + " is too large for one record (over "
            + (asString ? "1 GiB as a string" : "2 GiB") + (compression == Compression.NONE ? "" : " decompressed")
            + ")");
      }
      return bytes;
    }
  }

  @Override
  public String toString() {
    return valueType() == String.class ? "wholeFiles" : "wholeFileBytes";
  }
}

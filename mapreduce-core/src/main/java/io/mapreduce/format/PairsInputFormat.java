package io.mapreduce.format;

import io.mapreduce.internal.io.PairsFormat;
import io.mapreduce.internal.io.PairsReader;
import io.mapreduce.spi.FileRange;
import io.mapreduce.spi.InputFile;
import io.mapreduce.spi.InputSplit;
import io.mapreduce.spi.Storage;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;

/**
 * Typed pairs an earlier job wrote with {@link OutputFormat#pairs()}: decoded with the shuffle's
 * codecs, no parsing. Every file's header is checked when the job starts, so a file of other
 * types fails the job before any task runs, naming both. Files are cut at the split size; a split
 * reads the blocks whose sync marker starts in it.
 */
final class PairsInputFormat<K, V> extends InputFormat<K, V> {

  PairsInputFormat(Class<K> keyType, Class<V> valueType) {
    super(keyType, valueType);
  }

  @Override
  public List<InputSplit> split(Storage storage, List<InputFile> files, long splitSize) throws IOException {
    for (InputFile f : files) {
      try {
        PairsReader.checkTypes(header(storage, f), keyType(), valueType(), f.path());
      } catch (IllegalArgumentException e) {
        throw new IOException(e.getMessage(), e);
      }
    }
    return InputSplit.byteRanges(files, splitSize);
  }

  private static PairsFormat.Header header(Storage storage, InputFile f) throws IOException {
    try (InputStream in = storage.open(f, 0)) {
      return PairsReader.readHeader(in);
    } catch (IOException e) {
      throw new IOException(f.path() + ": " + e.getMessage(), e);
    }
  }

  @Override
  public RecordReader<K, V> open(Storage storage, InputSplit split) {
    List<FileRange> ranges = split.ranges();
    return new RecordReader<>() {
      private int range = -1;
      private PairsReader<K, V> reader;
      private long ordinal;
      private long finished;

      @Override
      public boolean next() throws IOException {
        while (true) {
          if (reader != null && reader.next()) {
            ordinal++;
            return true;
          }
          if (reader != null) {
            reader.close();
            reader = null;
            finished += ranges.get(range).length();
          }
          if (range + 1 == ranges.size()) {
            return false;
          }
          FileRange r = ranges.get(++range);
          PairsFormat.Header h = header(storage, r.file());
          java.io.InputStream in = storage.open(r.file(), r.start());
          try {
            reader = new PairsReader<>(in, r.file().path(), h, r.start(), r.length(), keyType(), valueType());
          } catch (RuntimeException e) {
            in.close();
            throw e;
          }
          ordinal = -1;
        }
      }

      @Override
      public K key() throws IOException {
        return reader.key();
      }

      @Override
      public V value() throws IOException {
        return reader.value();
      }

      @Override
      public String file() {
        return ranges.get(range).file().path();
      }

      @Override
      public long offset() {
        return reader.position();
      }

      @Override
      public long recordId() {
        return ((long) range << 40) | ordinal;
      }

      @Override
      public long recordBytes() {
        return reader.keyLength() + reader.valueLength();
      }

      @Override
      public long consumed() {
        if (reader == null) {
          return finished;
        }
        FileRange r = ranges.get(range);
        return finished + Math.max(0, Math.min(r.length(), reader.position() - r.start()));
      }

      @Override
      public void close() throws IOException {
        if (reader != null) {
          reader.close();
          reader = null;
        }
      }
    };
  }

  @Override
  public String toString() {
    return "pairs(" + keyType().getSimpleName() + ", " + valueType().getSimpleName() + ")";
  }
}

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
    return new RangesReader<PairsReader<K, V>, K, V>(storage, split) {
      /** The current record's number in its range. */
      private long ordinal;

      @Override
      PairsReader<K, V> open(FileRange r) throws IOException {
        PairsFormat.Header h = header(storage, r.file());
        InputStream in = storage.open(r.file(), r.start());
        try {
          ordinal = -1;
          return new PairsReader<>(in, r.file().path(), h, r.start(), r.length(), keyType(), valueType());
        } catch (RuntimeException e) {
          in.close();
          throw e;
        }
      }

      @Override
      boolean advance(PairsReader<K, V> pairs) throws IOException {
        if (!pairs.next()) {
          return false;
        }
        ordinal++;
        return true;
      }

      @Override
      long idInRange(PairsReader<K, V> pairs) {
        return ordinal;
      }

      @Override
      long consumedInRange(PairsReader<K, V> pairs, FileRange r) {
        return pairs.position() - r.start();
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
      public long offset() {
        return reader.position();
      }

      @Override
      public long recordBytes() {
        return reader.keyLength() + reader.valueLength();
      }
    };
  }

  @Override
  public String toString() {
    return "pairs(" + keyType().getSimpleName() + ", " + valueType().getSimpleName() + ")";
  }
}

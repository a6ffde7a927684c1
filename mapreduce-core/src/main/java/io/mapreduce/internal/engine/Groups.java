package io.mapreduce.internal.engine;

import io.mapreduce.internal.codec.ByteSource;
import io.mapreduce.internal.codec.Codec;
import io.mapreduce.internal.shuffle.RecordStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.NoSuchElementException;

/**
 * Walks a sorted record stream one key at a time. The values of a group stream from the
 * underlying stream as they are iterated (a key may have more values than fit in memory); values
 * not iterated are skipped without being decoded. Each value is decoded into a fresh object.
 */
final class Groups<K, V> {
  private final RecordStream in;
  private final Codec<K> keyCodec;
  private final Codec<V> valueCodec;
  /** The length of the bytes that decide a key's group, when not the whole key (secondary sort). */
  private final GroupLength groupLength;
  private int groupKeyLength;
  private final ByteSource source = new ByteSource();
  private byte[] key = new byte[64];
  private int keyLength;
  private boolean started;
  private boolean hasRecord;
  private Values current;
  private long groups;
  private long records;

  /** Measures the group-deciding prefix of an encoded key. */
  interface GroupLength {
    int of(byte[] key, int offset, int length);
  }

  Groups(RecordStream in, Codec<K> keyCodec, Codec<V> valueCodec) {
    this(in, keyCodec, valueCodec, null);
  }

  /** Groups by the prefix {@code groupLength} measures, or by whole keys when it is null. */
  Groups(RecordStream in, Codec<K> keyCodec, Codec<V> valueCodec, GroupLength groupLength) {
    this.in = in;
    this.keyCodec = keyCodec;
    this.valueCodec = valueCodec;
    this.groupLength = groupLength;
  }

  /** Moves to the next key; false when the stream is exhausted. */
  boolean nextGroup() throws IOException {
    if (!started) {
      started = true;
      hasRecord = in.next();
    } else if (current != null) {
      current.drain();
    }
    if (!hasRecord) {
      current = null;
      return false;
    }
    keyLength = in.keyLength();
    if (key.length < keyLength) {
      key = new byte[Math.max(keyLength, key.length * 2)];
    }
    System.arraycopy(in.keyArray(), in.keyOffset(), key, 0, keyLength);
    groupKeyLength = groupLength == null ? keyLength : groupLength.of(key, 0, keyLength);
    current = new Values();
    groups++;
    return true;
  }

  /** The current key, freshly decoded. */
  K key() {
    return keyCodec.decode(source, key, 0, keyLength);
  }

  /** The current key's encoded bytes (valid until the next group). */
  byte[] keyBytes() {
    return key;
  }

  int keyLength() {
    return keyLength;
  }

  Iterable<V> values() {
    return current;
  }

  long groups() {
    return groups;
  }

  long records() {
    return records;
  }

  /**
   * The values of one key: an {@link Iterable} whose {@code iterator()} may be called once, and
   * which knows the whole key of the value returned last (they differ under grouping by a prefix).
   */
  private final class Values extends ValuesOnce<V> implements io.mapreduce.GroupValues<K, V> {
    /** The key bytes of the value returned last; the group's first key before any. */
    private byte[] valueKey;
    private int valueKeyLength = -1;

    @Override
    public K currentKey() {
      if (valueKeyLength < 0) {
        return key();
      }
      return keyCodec.decode(source, valueKey, 0, valueKeyLength);
    }

    /** The stream's current record is a value of this group not yet returned. */
    private boolean pending = true;
    private boolean ended;

    @Override
    public boolean hasNext() {
      if (pending) {
        return true;
      }
      if (ended) {
        return false;
      }
      try {
        hasRecord = in.next();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      if (hasRecord && sameGroup()) {
        pending = true;
      } else {
        ended = true;
      }
      return pending;
    }

    @Override
    public V next() {
      if (!hasNext()) {
        throw new NoSuchElementException();
      }
      pending = false;
      records++;
      if (groupLength != null) {
        // Only a group of several keys needs each value's own; kept until the next value.
        int n = in.keyLength();
        if (valueKey == null || valueKey.length < n) {
          valueKey = new byte[Math.max(n, 64)];
        }
        System.arraycopy(in.keyArray(), in.keyOffset(), valueKey, 0, n);
        valueKeyLength = n;
      }
      return valueCodec.decode(source, in.valueArray(), in.valueOffset(), in.valueLength());
    }

    private boolean sameGroup() {
      if (groupLength == null) {
        return Arrays.equals(key, 0, keyLength, in.keyArray(), in.keyOffset(), in.keyOffset() + in.keyLength());
      }
      // A prefix of equal bytes has equal components, so their length is the group's own.
      return in.keyLength() >= groupKeyLength && Arrays.equals(key, 0, groupKeyLength, in.keyArray(), in.keyOffset(),
          in.keyOffset() + groupKeyLength);
    }

    void drain() {
      while (hasNext()) {
        pending = false;
        records++;
      }
    }
  }
}

package io.mapreduce.internal.codec;

/**
 * Encodes values of one type to bytes and back.
 *
 * <p>Key codecs are deterministic and order-preserving: equal keys have equal bytes on every JVM,
 * and comparing encodings as unsigned bytes orders keys naturally. A top-level encoding may run to
 * the end of its record (strings and byte arrays are stored raw); a nested one (a record
 * component) is self-delimiting so that concatenations still compare component by component.
 */
public abstract class Codec<T> {
  private final Class<T> type;

  Codec(Class<T> type) {
    this.type = type;
  }

  public final Class<T> type() {
    return type;
  }

  /** Whether equal values always encode to equal bytes, in order: required of key codecs. */
  public boolean isOrdered() {
    return true;
  }

  /**
   * Whether values of this type are immutable and their {@code equals} and {@code hashCode} agree
   * with equality of their encodings, so that the engine may hold them and group by them as
   * objects (strings, boxed primitives, enums, records of those; not {@code byte[]}).
   */
  public boolean isValueLike() {
    return isOrdered();
  }

  /** The length of {@code value}'s top-level encoding, without producing it where that is cheaper. */
  public int encodedSize(T value) {
    ByteSink sink = new ByteSink(32);
    write(value, sink, false);
    return sink.length();
  }

  /** Appends the encoding of {@code value}. */
  public abstract void write(T value, ByteSink out, boolean nested);

  /** Decodes one value; a top-level read consumes the source to its end. */
  public abstract T read(ByteSource in, boolean nested);

  /** Convenience for a top-level decode of a whole byte range. */
  public final T decode(ByteSource scratch, byte[] buf, int off, int len) {
    return read(scratch.reset(buf, off, len), false);
  }

  @Override
  public String toString() {
    return getClass().getSimpleName() + "[" + type.getName() + "]";
  }
}

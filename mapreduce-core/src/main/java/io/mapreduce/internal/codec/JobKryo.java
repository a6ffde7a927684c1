package io.mapreduce.internal.codec;

import io.mapreduce.thirdparty.com.esotericsoftware.kryo.Kryo;
import io.mapreduce.thirdparty.com.esotericsoftware.kryo.Serializer;
import io.mapreduce.thirdparty.com.esotericsoftware.kryo.io.Input;
import io.mapreduce.thirdparty.com.esotericsoftware.kryo.io.Output;
import io.mapreduce.thirdparty.com.esotericsoftware.kryo.serializers.ClosureSerializer;
import io.mapreduce.thirdparty.com.esotericsoftware.minlog.Log;
import java.nio.file.Path;
import java.util.regex.Pattern;

/**
 * Kryo for user objects: mapper, reducer and combiner templates, and values without an ordered
 * codec.
 *
 * <p>Registration is not required here, unlike on the protocol: these bytes are the job's own
 * objects (written and read by the job's code, which runs anyway), and requiring users to register
 * every class of their mapper's fields would make {@code new GrepMapper(pattern)} fail.
 */
public final class JobKryo {
  /**
   * Shared (it holds no state but two reflective handles): constructing one logs two warnings
   * with stack traces through minlog, to stdout, when java.lang.invoke is not opened to it, and it
   * works without them by resolving lambdas through their capturing class.
   */
  private static final ClosureSerializer CLOSURES = quietly(ClosureSerializer::new);

  private JobKryo() {}

  private static <T> T quietly(java.util.function.Supplier<T> make) {
    int level = Log.TRACE ? Log.LEVEL_TRACE : Log.DEBUG ? Log.LEVEL_DEBUG : Log.INFO ? Log.LEVEL_INFO
        : Log.WARN ? Log.LEVEL_WARN : Log.ERROR ? Log.LEVEL_ERROR : Log.LEVEL_NONE;
    Log.set(Log.LEVEL_ERROR);
    try {
      return make.get();
    } finally {
      Log.set(level);
    }
  }

  /** Kryo for object graphs (templates): shared and cyclic references are kept. */
  public static Kryo newKryo() {
    return newKryo(true);
  }

  /**
   * Kryo for values, one per record: without reference tracking, whose table Kryo clears after
   * every object (most of the cost of a small value), so a value's graph must be a tree, as a
   * Hadoop Writable's is.
   */
  public static Kryo newValueKryo() {
    return newKryo(false);
  }

  private static Kryo newKryo(boolean references) {
    Kryo kryo = new Kryo();
    kryo.setRegistrationRequired(false);
    kryo.setReferences(references);
    kryo.setInstantiatorStrategy(new ConstructorInstantiatorStrategy());
    ClassLoader loader = Thread.currentThread().getContextClassLoader();
    if (loader != null) {
      kryo.setClassLoader(loader);
    }
    // Pattern keeps its compiled form in transient fields that field serialization would drop.
    kryo.addDefaultSerializer(Pattern.class, new PatternSerializer());
    // Paths hold their file system, which the JDK's module rules keep out of reflection.
    kryo.addDefaultSerializer(Path.class, new PathSerializer());
    // Serializable lambdas, as fields of a mapper (a filter, a key extractor).
    kryo.register(ClosureSerializer.Closure.class, CLOSURES);
    return kryo;
  }

  /** Serializes an object graph to bytes. */
  public static byte[] toBytes(Object value) {
    Output out = new Output(1024, -1);
    newKryo().writeClassAndObject(out, value);
    return out.toBytes();
  }

  /** Reads an object graph written by {@link #toBytes}, loading classes as the thread's context does. */
  @SuppressWarnings("unchecked")
  public static <T> T fromBytes(byte[] bytes) {
    return (T) newKryo().readClassAndObject(new Input(bytes));
  }

  /**
   * Reads an object graph written by {@link #toBytes}, loading its classes through {@code loader}
   * (the loader of the object that was written, which may be a plugin's or a job's).
   */
  @SuppressWarnings("unchecked")
  public static <T> T fromBytes(byte[] bytes, ClassLoader loader) {
    Kryo kryo = newKryo();
    if (loader != null) {
      kryo.setClassLoader(loader);
    }
    return (T) kryo.readClassAndObject(new Input(bytes));
  }

  static final class PathSerializer extends Serializer<Path> {
    PathSerializer() {
      setImmutable(true);
    }

    @Override
    public void write(Kryo kryo, Output output, Path path) {
      output.writeString(path.toString());
    }

    @Override
    public Path read(Kryo kryo, Input input, Class<? extends Path> type) {
      return Path.of(input.readString());
    }
  }

  static final class PatternSerializer extends Serializer<Pattern> {
    PatternSerializer() {
      setImmutable(true);
    }

    @Override
    public void write(Kryo kryo, Output output, Pattern pattern) {
      output.writeString(pattern.pattern());
      output.writeInt(pattern.flags(), true);
    }

    @Override
    public Pattern read(Kryo kryo, Input input, Class<? extends Pattern> type) {
      return Pattern.compile(input.readString(), input.readInt(true));
    }
  }
}

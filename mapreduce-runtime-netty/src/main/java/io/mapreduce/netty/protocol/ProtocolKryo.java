package io.mapreduce.netty.protocol;

import io.mapreduce.thirdparty.com.esotericsoftware.kryo.Kryo;
import io.mapreduce.thirdparty.com.esotericsoftware.kryo.KryoException;
import io.mapreduce.thirdparty.com.esotericsoftware.kryo.Registration;
import io.mapreduce.thirdparty.com.esotericsoftware.kryo.io.Input;
import io.mapreduce.thirdparty.com.esotericsoftware.kryo.io.Output;
import io.mapreduce.thirdparty.com.esotericsoftware.kryo.util.DefaultClassResolver;
import io.mapreduce.thirdparty.com.esotericsoftware.kryo.util.Pool;
import io.mapreduce.internal.engine.ShippedJob;
import java.util.ArrayList;
import java.util.HashMap;

/**
 * The protocol's one registrar: every class that may cross the wire, each with an explicit id that
 * is never reused. Registration is required, so bytes from the wire can only ever instantiate
 * these classes. Changing an id or a record's components changes the wire format: bump
 * {@link Frames#VERSION} (the golden-bytes test fails first, on purpose).
 */
public final class ProtocolKryo {
  private static final Pool<Kryo> POOL = new Pool<>(true, false, 16) {
    @Override
    protected Kryo create() {
      return newKryo();
    }
  };

  private ProtocolKryo() {}

  static Kryo newKryo() {
    Kryo kryo = new Kryo(new RegisteredOnly(), null);
    kryo.setRegistrationRequired(true);
    kryo.setReferences(false);
    // Kryo's default registrations (ids 0-9) stay; String gets a serializer that bounds lengths.
    kryo.register(String.class, new BoundedSerializers.Utf8(), kryo.getRegistration(String.class).getId());
    // Support classes: 100-119.
    kryo.register(byte[].class, new BoundedSerializers.Bytes(), 100);
    kryo.register(ArrayList.class, new BoundedSerializers.List(), 101);
    kryo.register(HashMap.class, new BoundedSerializers.HashMapSerializer(), 102);
    kryo.register(Message.TaskKind.class, 103);
    kryo.register(Message.Failure.class, 104);
    // 105 was MapLocation, which MapOutputs carried whole up to protocol version 4.
    kryo.register(ShippedJob.class, 106);
    kryo.register(Message.Range.class, 107);
    kryo.register(Message.Split.class, 108);
    // Messages: 120 on. Append only.
    kryo.register(Message.Challenge.class, 120);
    kryo.register(Message.Authenticate.class, 121);
    kryo.register(Message.ProtocolError.class, 122);
    kryo.register(Message.RegisterWorker.class, 123);
    kryo.register(Message.Registered.class, 124);
    kryo.register(Message.Heartbeat.class, 125);
    kryo.register(Message.StartJob.class, 126);
    kryo.register(Message.RunMap.class, 127);
    kryo.register(Message.RunReduce.class, 128);
    kryo.register(Message.MapOutputs.class, new MapOutputsSerializer(), 129);
    kryo.register(Message.TaskSucceeded.class, 130);
    kryo.register(Message.TaskFailed.class, 131);
    kryo.register(Message.KillTask.class, 132);
    kryo.register(Message.EndJob.class, 133);
    kryo.register(Message.SubmitJob.class, 134);
    kryo.register(Message.JobAccepted.class, 135);
    kryo.register(Message.JobProgressUpdate.class, 136);
    kryo.register(Message.JobSucceeded.class, 137);
    kryo.register(Message.JobFailed.class, 138);
    kryo.register(Message.CancelJob.class, 139);
    kryo.register(Message.FetchRequest.class, 140);
    kryo.register(Message.FetchResponse.class, 141);
    kryo.register(Message.HasJars.class, 142);
    kryo.register(Message.MissingJars.class, 143);
    kryo.register(Message.GetJar.class, 144);
    kryo.register(Message.JarChunk.class, 145);
    kryo.register(Message.CommitRequest.class, 146);
    kryo.register(Message.CommitResponse.class, 147);
    kryo.register(Message.FetchFailed.class, 148);
    kryo.register(Message.WatchJob.class, 149);
    kryo.register(Message.Welcome.class, 150);
    return kryo;
  }

  /**
   * Refuses Kryo's class-by-name form before it reads the name: registration alone still called
   * {@code Class.forName} on a peer's name (loading and initializing what it named) and kept a
   * name-table entry per frame in pooled instances that live forever.
   */
  private static final class RegisteredOnly extends DefaultClassResolver {
    @Override
    protected Registration readName(Input input) {
      throw new KryoException("a class by name: only registered classes cross the wire");
    }
  }

  /**
   * A Kryo with the protocol's registrations, to which the master's journal adds its own records
   * (ids 200 on). Not for the wire.
   */
  public static Kryo newKryoForJournal() {
    return newKryo();
  }

  /** Encodes a message (its class id, then its fields). */
  public static byte[] encode(Message m) {
    Kryo kryo = POOL.obtain();
    try {
      Output out = new Output(256, -1);
      kryo.writeClassAndObject(out, m);
      return out.toBytes();
    } finally {
      POOL.free(kryo);
    }
  }

  /**
   * Decodes a message. What it may build is bounded by the frame: every collection, string and
   * array counts what it costs against {@link BoundedSerializers#budget} of the frame's bytes
   * (and against absolute caps), so a frame cannot become more than a few times its size in heap.
   *
   * @throws ProtocolException when the bytes are not one whole registered message, or would cost
   *     more than the budget
   */
  public static Message decode(byte[] bytes) {
    Kryo kryo = POOL.obtain();
    try {
      BoundedSerializers.startBudget(kryo, BoundedSerializers.budget(bytes.length));
      Input in = new Input(bytes);
      Object o = kryo.readClassAndObject(in);
      if (!(o instanceof Message m)) {
        throw new ProtocolException("frame holds " + (o == null ? "null" : o.getClass().getName()) + ", not a message");
      }
      if (in.position() != bytes.length) {
        throw new ProtocolException("frame has " + (bytes.length - in.position()) + " bytes after its message");
      }
      return m;
    } catch (ProtocolException e) {
      throw e;
    } catch (RuntimeException e) {
      // KryoException (unregistered class id, truncated input, over budget), or a record's constructor refusing.
      throw new ProtocolException("undecodable frame: " + Frames.brief(e.getMessage()), e);
    } finally {
      BoundedSerializers.endBudget(kryo);
      // Nothing of this frame stays in a pooled instance (a read that failed midway skipped Kryo's own reset).
      kryo.reset();
      POOL.free(kryo);
    }
  }
}

package io.mapreduce.netty.protocol;

import io.mapreduce.thirdparty.com.esotericsoftware.kryo.Kryo;
import io.mapreduce.thirdparty.com.esotericsoftware.kryo.KryoException;
import io.mapreduce.thirdparty.com.esotericsoftware.kryo.Serializer;
import io.mapreduce.thirdparty.com.esotericsoftware.kryo.io.Input;
import io.mapreduce.thirdparty.com.esotericsoftware.kryo.io.Output;
import io.mapreduce.netty.protocol.Message.MapOutput;
import io.mapreduce.netty.protocol.Message.MapOutputs;
import io.mapreduce.netty.protocol.Message.ShuffleAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * The wire form of {@link MapOutputs}, the protocol's bulkiest message (each of a job's map outputs
 * goes to every worker running its reduces): each output as three varints, its map index and
 * attempt as differences from the previous output's (outputs come about in index order, and
 * attempts are mostly alike: one byte each, often), its address number as is. About 4 bytes an
 * output, where a record of two ints and a host name took about 20. Counts are checked against
 * the bytes left in the frame before anything is allocated, as in {@link BoundedSerializers}.
 */
final class MapOutputsSerializer extends Serializer<MapOutputs> {
  MapOutputsSerializer() {
    setImmutable(true);
  }

  @Override
  public void write(Kryo kryo, Output out, MapOutputs m) {
    writeString(out, m.jobId());
    out.writeVarInt(m.logEnd(), true);
    out.writeVarInt(m.addressesFrom(), true);
    out.writeVarInt(m.addresses().size(), true);
    for (ShuffleAddress a : m.addresses()) {
      writeString(out, a.host());
      out.writeVarInt(a.port(), true);
    }
    out.writeVarInt(m.outputs().size(), true);
    int map = 0;
    int attempt = 0;
    for (MapOutput o : m.outputs()) {
      out.writeVarInt(o.mapIndex() - map, false);
      out.writeVarInt(o.attempt() - attempt, false);
      out.writeVarInt(o.source() + 1, true); // 0: gone
      map = o.mapIndex();
      attempt = o.attempt();
    }
  }

  @Override
  public MapOutputs read(Kryo kryo, Input in, Class<? extends MapOutputs> type) {
    String jobId = readString(kryo, in);
    int logEnd = in.readVarInt(true);
    int addressesFrom = in.readVarInt(true);
    int addressCount = BoundedSerializers.length(in, BoundedSerializers.MAX_ELEMENTS, "a list of addresses");
    BoundedSerializers.charge(kryo, 40L + (long) addressCount * BoundedSerializers.LIST_ELEMENT_COST);
    List<ShuffleAddress> addresses = new ArrayList<>(addressCount);
    for (int i = 0; i < addressCount; i++) {
      addresses.add(new ShuffleAddress(readString(kryo, in), in.readVarInt(true)));
    }
    // Each output takes three bytes at least: the count is bounded by a third of what is left.
    int outputCount = BoundedSerializers.length(in, BoundedSerializers.MAX_ELEMENTS, "a list of map outputs");
    // A MapOutput and its reference: 28 bytes, for three to six on the wire.
    BoundedSerializers.charge(kryo, 40L + (long) outputCount * 28);
    if (outputCount > (in.limit() - in.position()) / 3) {
      throw new KryoException(outputCount + " map outputs cannot fit in the " + (in.limit() - in.position())
          + " bytes left in the frame");
    }
    List<MapOutput> outputs = new ArrayList<>(outputCount);
    int map = 0;
    int attempt = 0;
    for (int i = 0; i < outputCount; i++) {
      map += in.readVarInt(false);
      attempt += in.readVarInt(false);
      int source = in.readVarInt(true) - 1;
      if (source < MapOutput.GONE) {
        throw new KryoException("map output " + map + " names address number " + source);
      }
      outputs.add(new MapOutput(map, attempt, source));
    }
    try {
      return new MapOutputs(jobId, addressesFrom, addresses, outputs, logEnd);
    } catch (IllegalArgumentException e) {
      throw new KryoException(e.getMessage());
    }
  }

  private static void writeString(Output out, String s) {
    byte[] b = s.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    out.writeVarInt(b.length, true);
    out.writeBytes(b);
  }

  private static String readString(Kryo kryo, Input in) {
    int n = BoundedSerializers.length(in, BoundedSerializers.MAX_STRING_BYTES, "a string");
    BoundedSerializers.charge(kryo, 48L + n);
    return new String(in.readBytes(n), java.nio.charset.StandardCharsets.UTF_8);
  }
}

package io.mapreduce.netty.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mapreduce.thirdparty.com.esotericsoftware.kryo.Kryo;
import io.mapreduce.internal.engine.ShippedJob;
import io.mapreduce.netty.protocol.Message.Failure;
import io.mapreduce.netty.protocol.Message.MapLocation;
import io.mapreduce.netty.protocol.Message.TaskKind;
import io.mapreduce.thirdparty.io.netty.buffer.ByteBuf;
import io.mapreduce.thirdparty.io.netty.buffer.ByteBufUtil;
import io.mapreduce.thirdparty.io.netty.channel.embedded.EmbeddedChannel;
import java.io.ByteArrayOutputStream;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

class ProtocolKryoTest {
  private static final HexFormat HEX = HexFormat.of();

  private static ShippedJob shippedJob(String name) {
    return new ShippedJob(name, List.of("/in/a.txt", "s3://bucket/b.txt"), "/out/" + name, 7, 64L << 20, 4, true,
        "java.lang.String", "java.lang.Long", new byte[] {1, 2, 3}, new byte[] {4, 5}, new byte[] {6},
        new byte[] {7, 8, 9, 10}, true, "s3://bucket/tmp/");
  }

  private static final Failure FAILURE = new Failure("java.lang.IllegalStateException", "bad record ü",
      "java.lang.IllegalStateException: bad record\n\tat x.Y.map(Y.java:12)\n");

  /**
   * One instance of every message, each with non-default fields, and how to check that a decoded
   * copy is the same (records holding byte[] compare their arrays by identity, so field by field).
   */
  private static Map<Class<?>, Case> cases() {
    Map<Class<?>, Case> c = new LinkedHashMap<>();
    c.put(Message.Challenge.class, new Case(new Message.Challenge(new byte[] {9, -1, 0, 127, -128}), d -> {
      assertThat(((Message.Challenge) d).nonce()).containsExactly(9, -1, 0, 127, -128);
    }));
    c.put(Message.Authenticate.class, new Case(new Message.Authenticate(new byte[] {1, 2, 3, -4}, "worker@host-1",
        new byte[] {5, -6, 7}), d -> {
          Message.Authenticate a = (Message.Authenticate) d;
          assertThat(a.mac()).containsExactly(1, 2, 3, -4);
          assertThat(a.peer()).isEqualTo("worker@host-1");
          assertThat(a.nonce()).containsExactly(5, -6, 7);
        }));
    c.put(Message.Welcome.class, new Case(new Message.Welcome(new byte[] {8, -9, 10}), d -> {
      assertThat(((Message.Welcome) d).mac()).containsExactly(8, -9, 10);
    }));
    c.put(Message.ProtocolError.class, eq(new Message.ProtocolError("expected authentication, got Heartbeat")));
    c.put(Message.RegisterWorker.class, eq(new Message.RegisterWorker("10.0.0.7", 45_123, 16)));
    c.put(Message.Registered.class, eq(new Message.Registered("worker-3", 1_500L)));
    c.put(Message.Heartbeat.class, eq(new Message.Heartbeat(5, 3, 0.625)));
    c.put(Message.StartJob.class, new Case(new Message.StartJob("job-1", shippedJob("wc"), List.of("ab")), d -> {
      Message.StartJob s = (Message.StartJob) d;
      assertThat(s.jobId()).isEqualTo("job-1");
      assertThat(s.jars()).containsExactly("ab");
      assertShippedJob(s.job(), "wc");
    }));
    c.put(Message.RunMap.class, eq(new Message.RunMap("job-1", 12, 2, "/in/a.txt", 1L << 33, 1L << 32, 1L << 26)));
    c.put(Message.RunReduce.class, eq(new Message.RunReduce("job-1", 3, 1, 200)));
    c.put(Message.MapOutputs.class, eq(new Message.MapOutputs("job-1", 2,
        List.of(new Message.ShuffleAddress("host-a", 7001), new Message.ShuffleAddress("host-b", 65_535)),
        List.of(new Message.MapOutput(5, 3, 3), new Message.MapOutput(0, 1, 0), new Message.MapOutput(199_999, 2001, 1)),
        200_000)));
    c.put(Message.TaskSucceeded.class, eq(new Message.TaskSucceeded("job-1", TaskKind.REDUCE, 4, 2,
        Map.of("map.input.records", 1_000_000L, "reduce.output.records", -1L, "bytes", Long.MAX_VALUE))));
    c.put(Message.TaskFailed.class, eq(new Message.TaskFailed("job-1", TaskKind.MAP, 8, 3, "/in/a.txt:4096",
        FAILURE)));
    c.put(Message.KillTask.class, eq(new Message.KillTask("job-1", TaskKind.MAP, 6, 2)));
    c.put(Message.EndJob.class, eq(new Message.EndJob("job-1")));
    c.put(Message.SubmitJob.class, new Case(new Message.SubmitJob("job-2", shippedJob("grep"), List.of("cd"),
        List.of(new Message.Split(List.of(new Message.Range("/in/a", 10, 0, 4), new Message.Range("/in/b", 3, 0, 3))))), d -> {
      Message.SubmitJob s = (Message.SubmitJob) d;
      assertThat(s.jobId()).isEqualTo("job-2");
      assertThat(s.jars()).containsExactly("cd");
      assertShippedJob(s.job(), "grep");
      assertThat(s.splits()).containsExactly(new Message.Split(List.of(new Message.Range("/in/a", 10, 0, 4),
          new Message.Range("/in/b", 3, 0, 3))));
    }));
    c.put(Message.HasJars.class, eq(new Message.HasJars(List.of("a".repeat(64), "b".repeat(64)))));
    c.put(Message.MissingJars.class, eq(new Message.MissingJars(List.of("b".repeat(64)))));
    c.put(Message.GetJar.class, eq(new Message.GetJar("c".repeat(64))));
    c.put(Message.CommitRequest.class, eq(new Message.CommitRequest("job-1", TaskKind.REDUCE, 2, 3)));
    c.put(Message.FetchFailed.class, eq(new Message.FetchFailed("job-1", 4, 2, 1)));
    c.put(Message.WatchJob.class, eq(new Message.WatchJob("job-1")));
    c.put(Message.CommitResponse.class, eq(new Message.CommitResponse("job-1", TaskKind.MAP, 7, 1, true)));
    c.put(Message.JarChunk.class, new Case(new Message.JarChunk("d".repeat(64), 10, 4, new byte[] {1, 2, 3}), d -> {
      Message.JarChunk j = (Message.JarChunk) d;
      assertThat(j.sha256()).isEqualTo("d".repeat(64));
      assertThat(j.totalBytes()).isEqualTo(10);
      assertThat(j.offset()).isEqualTo(4);
      assertThat(j.data()).containsExactly(1, 2, 3);
    }));
    c.put(Message.JobAccepted.class, eq(new Message.JobAccepted("job-2")));
    c.put(Message.JobProgressUpdate.class, eq(new Message.JobProgressUpdate("job-2", 10, 4, 3, 1, 123_456_789L)));
    c.put(Message.JobSucceeded.class, eq(new Message.JobSucceeded("job-2",
        List.of("/out/mr-out-0", "/out/mr-out-1"), Map.of("records", 42L), 1_200L, 3_400L, 4_700L)));
    c.put(Message.JobFailed.class, eq(new Message.JobFailed("job-2", "task m-00008 failed after 4 attempts",
        "m-00008", 4, "/in/a.txt:4096", FAILURE)));
    c.put(Message.CancelJob.class, eq(new Message.CancelJob("job-2")));
    c.put(Message.FetchRequest.class, eq(new Message.FetchRequest("job-2", 17, 2, 5)));
    c.put(Message.FetchResponse.class, eq(new Message.FetchResponse(1L << 40, 99L, -123_456, true, "no such map")));
    return c;
  }

  private static void assertShippedJob(ShippedJob j, String name) {
    ShippedJob e = shippedJob(name);
    assertThat(j.name()).isEqualTo(e.name());
    assertThat(j.inputs()).containsExactlyElementsOf(e.inputs());
    assertThat(j.output()).isEqualTo(e.output());
    assertThat(j.reduceTasks()).isEqualTo(e.reduceTasks());
    assertThat(j.splitSize()).isEqualTo(e.splitSize());
    assertThat(j.maxTaskAttempts()).isEqualTo(e.maxTaskAttempts());
    assertThat(j.compressIntermediate()).isEqualTo(e.compressIntermediate());
    assertThat(j.keyType()).isEqualTo(e.keyType());
    assertThat(j.valueType()).isEqualTo(e.valueType());
    assertThat(j.mapper()).containsExactly(e.mapper());
    assertThat(j.reducer()).containsExactly(e.reducer());
    assertThat(j.combiner()).containsExactly(e.combiner());
    assertThat(j.partitioner()).containsExactly(e.partitioner());
    assertThat(j.skipBadRecords()).isEqualTo(e.skipBadRecords());
    assertThat(j.intermediate()).isEqualTo(e.intermediate());
  }

  private record Case(Message message, Consumer<Message> check) {}

  private static Case eq(Message m) {
    return new Case(m, d -> assertThat(d).isEqualTo(m));
  }

  @Test
  void cases_coverEveryPermittedMessage() {
    Set<Class<?>> permitted = Arrays.stream(Message.class.getPermittedSubclasses()).collect(Collectors.toSet());
    assertThat(cases().keySet()).containsExactlyInAnyOrderElementsOf(permitted);
  }

  @Test
  void decode_everyMessage_givesAnEqualRecord() {
    for (Map.Entry<Class<?>, Case> e : cases().entrySet()) {
      Message m = e.getValue().message();
      assertThat(m).isInstanceOf(e.getKey());
      Message decoded = ProtocolKryo.decode(ProtocolKryo.encode(m));
      assertThat(decoded).as(e.getKey().getSimpleName()).isInstanceOf(e.getKey());
      e.getValue().check().accept(decoded);
    }
  }

  @Test
  void decode_nullableFields_stayNull() {
    ShippedJob mapOnly = new ShippedJob("m", List.of(), "/o", 0, 1, 1, false, "k", "v", new byte[0], null, null,
        null);
    Message.SubmitJob s = (Message.SubmitJob) ProtocolKryo.decode(ProtocolKryo.encode(new Message.SubmitJob("j",
        mapOnly, List.of(), List.of())));
    assertThat(s.job().inputs()).isEmpty();
    assertThat(s.job().mapper()).isEmpty();
    assertThat(s.job().reducer()).isNull();
    assertThat(s.job().combiner()).isNull();
    assertThat(s.job().partitioner()).isNull();
    Message.JobFailed f = new Message.JobFailed("j", "cancelled", null, 0, null, null);
    assertThat(ProtocolKryo.decode(ProtocolKryo.encode(f))).isEqualTo(f);
    Message.FetchResponse r = new Message.FetchResponse(0, 0, 0, false, null);
    assertThat(ProtocolKryo.decode(ProtocolKryo.encode(r))).isEqualTo(r);
  }

  /** Ids are the wire format: appending is fine, renumbering is not. */
  @Test
  void registrations_haveTheirPinnedIds() {
    Kryo kryo = ProtocolKryo.newKryo();
    Map<Class<?>, Integer> pinned = new LinkedHashMap<>();
    pinned.put(byte[].class, 100);
    pinned.put(java.util.ArrayList.class, 101);
    pinned.put(java.util.HashMap.class, 102);
    pinned.put(TaskKind.class, 103);
    pinned.put(Failure.class, 104);
    pinned.put(ShippedJob.class, 106);
    List<Class<?>> messages = List.of(Message.Challenge.class, Message.Authenticate.class,
        Message.ProtocolError.class, Message.RegisterWorker.class, Message.Registered.class, Message.Heartbeat.class,
        Message.StartJob.class, Message.RunMap.class, Message.RunReduce.class, Message.MapOutputs.class,
        Message.TaskSucceeded.class, Message.TaskFailed.class, Message.KillTask.class, Message.EndJob.class,
        Message.SubmitJob.class, Message.JobAccepted.class, Message.JobProgressUpdate.class,
        Message.JobSucceeded.class, Message.JobFailed.class, Message.CancelJob.class, Message.FetchRequest.class,
        Message.FetchResponse.class, Message.HasJars.class, Message.MissingJars.class, Message.GetJar.class,
        Message.JarChunk.class, Message.CommitRequest.class, Message.CommitResponse.class,
        Message.FetchFailed.class, Message.WatchJob.class, Message.Welcome.class);
    for (int i = 0; i < messages.size(); i++) {
      pinned.put(messages.get(i), 120 + i);
    }
    pinned.forEach((type, id) -> assertThat(kryo.getRegistration(type).getId()).as(type.getName()).isEqualTo(id));
    assertThat(kryo.isRegistrationRequired()).isTrue();
    // 105 was MapLocation's until version 4: it no longer crosses the wire, and its id is not reused.
    assertThat(kryo.getClassResolver().getRegistration(MapLocation.class)).isNull();
    assertThat(kryo.getClassResolver().getRegistration(105)).isNull();
    assertThat(kryo.getRegistration(String.class).getSerializer()).isInstanceOf(BoundedSerializers.Utf8.class);
  }

  private static String frameHex(Message m) {
    EmbeddedChannel ch = new EmbeddedChannel(new FrameEncoder(Frames.DEFAULT_MAX_FRAME_BYTES));
    ch.writeOutbound(m);
    ByteBuf b = ch.readOutbound();
    try {
      return ByteBufUtil.hexDump(b);
    } finally {
      b.release();
      ch.finishAndReleaseAll();
    }
  }

  /**
   * Pins the wire format. If this fails after a deliberate change to a message or the registrar,
   * bump {@link Frames#VERSION} and update the bytes here.
   */
  @Test
  void encode_smallMessages_giveTheGoldenFrameBytes() {
    // The handshake's fixed layout: a type byte and fixed fields, no Kryo.
    assertThat(ByteBufUtil.hexDump(Handshakes.encode(new Message.Welcome(new byte[32]))))
        .isEqualTo("4d525043" + "0009" + "00000021" + "03" + "00".repeat(32));
    assertThat(ByteBufUtil.hexDump(Handshakes.encode(new Message.Authenticate(new byte[32], "w\n", new byte[32]))))
        .isEqualTo("4d525043" + "0009" + "00000043" + "02" + "00".repeat(64) + "773f");
    assertThat(ByteBufUtil.hexDump(Handshakes.encode(new Message.ProtocolError("ab"))))
        .isEqualTo("4d525043" + "0009" + "00000003" + "04" + "6162");
    // magic 4d525043, version 0009, length, then class id (id + 2, varint) and the fields by name.
    assertThat(frameHex(new Message.ProtocolError("ab"))).isEqualTo("4d525043" + "0009" + "00000005" + "7c0102" + "6162");
    assertThat(frameHex(new Message.KillTask("j", TaskKind.REDUCE, 2, 1)))
        .isEqualTo("4d525043" + "0009" + "00000008" + "8601" + "02" + "04" + "01016a" + "02");
    assertThat(frameHex(new Message.Heartbeat(3, 1, 0.5)))
        .isEqualTo("4d525043" + "0009" + "0000000b" + "7f" + "000000000000e03f" + "02" + "06");
    // MapOutputs by its own serializer: jobId, logEnd 1, addresses from 0, one address ("h", 7),
    // one output: map 1 and attempt 2 as zigzag differences from 0, address number 0.
    assertThat(frameHex(new Message.MapOutputs("j", 0, List.of(new Message.ShuffleAddress("h", 7)),
        List.of(new Message.MapOutput(1, 2, 0)), 1)))
        .isEqualTo("4d525043" + "0009" + "0000000e" + "8301" + "016a" + "01" + "00" + "01" + "0168" + "07"
            + "01" + "02" + "04" + "01");
  }

  @Test
  void decode_unregisteredClassId_throwsProtocolException() {
    // Kryo writes registration id + 2 as a varint: 302 = 0xae 0x02 names id 300.
    assertThatThrownBy(() -> ProtocolKryo.decode(HEX.parseHex("ae02")))
        .isInstanceOf(ProtocolException.class)
        .hasMessageContaining("undecodable frame")
        .hasMessageContaining("300");
  }

  @Test
  void decode_classByName_throwsProtocolException() {
    // Class id 1 means "a class name follows"; registration is required, so no name may pass.
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    b.write(1);
    io.mapreduce.thirdparty.com.esotericsoftware.kryo.io.Output out = new io.mapreduce.thirdparty.com.esotericsoftware.kryo.io.Output(b);
    out.writeVarInt(0, true); // name id
    out.writeString("java.util.concurrent.ConcurrentHashMap");
    out.flush();
    assertThatThrownBy(() -> ProtocolKryo.decode(b.toByteArray())).isInstanceOf(ProtocolException.class);
  }

  static final java.util.concurrent.atomic.AtomicInteger CANARY_LOADED = new java.util.concurrent.atomic.AtomicInteger();

  /** Initialized (and counted) only if a decode calls Class.forName on its name. */
  static final class Canary {
    static {
      CANARY_LOADED.incrementAndGet();
    }
  }

  @Test
  void decode_classByName_refusedBeforeTheNameIsReadOrLoaded() {
    for (int i = 0; i < 3; i++) {
      ByteArrayOutputStream b = new ByteArrayOutputStream();
      b.write(1);
      io.mapreduce.thirdparty.com.esotericsoftware.kryo.io.Output out = new io.mapreduce.thirdparty.com.esotericsoftware.kryo.io.Output(b);
      out.writeVarInt(i, true); // a fresh name id each time: the name table would grow
      out.writeString(Canary.class.getName());
      out.flush();
      assertThatThrownBy(() -> ProtocolKryo.decode(b.toByteArray())).isInstanceOf(ProtocolException.class)
          .hasMessageContaining("only registered classes cross the wire");
    }
    assertThat(CANARY_LOADED).hasValue(0);
  }

  /** HasJars (id 142) holding an ArrayList (101) of {@code n} empty HashMaps (102): two bytes each. */
  static byte[] listOfEmptyMaps(int n) {
    io.mapreduce.thirdparty.com.esotericsoftware.kryo.io.Output out = new io.mapreduce.thirdparty.com.esotericsoftware.kryo.io.Output(16 + 2 * n, -1);
    out.writeVarInt(142 + 2, true);
    out.writeVarInt(101 + 2, true);
    out.writeVarInt(n, true);
    for (int i = 0; i < n; i++) {
      out.writeVarInt(102 + 2, true);
      out.writeVarInt(0, true);
    }
    return out.toBytes();
  }

  @Test
  @Timeout(10)
  void decode_manySmallObjectsInOneFrame_refusedOnceTheyCostMoreThanTheFramesBudget() {
    // 4 MiB of frame would be 2 million HashMaps (about 100 MB); the budget is 4 x 4 MiB + 1 MiB.
    byte[] bytes = listOfEmptyMaps(2 << 20);
    assertThatThrownBy(() -> ProtocolKryo.decode(bytes)); // warm up
    long before = allocatedBytes();
    assertThatThrownBy(() -> ProtocolKryo.decode(bytes)).isInstanceOf(ProtocolException.class)
        .hasMessageContaining("exceeds the cap of " + BoundedSerializers.MAX_ELEMENTS);
    byte[] under = listOfEmptyMaps(BoundedSerializers.MAX_ELEMENTS - 1);
    assertThatThrownBy(() -> ProtocolKryo.decode(under)).isInstanceOf(ProtocolException.class)
        .hasMessageContaining("would decode to more than " + BoundedSerializers.budget(under.length) + " bytes");
    assertThat(allocatedBytes() - before).as("bytes allocated").isLessThan(BoundedSerializers.budget(under.length)
        * 2);
    // A list that fits its budget decodes (and is then refused by HasJars as the wrong element type).
    assertThatThrownBy(() -> ProtocolKryo.decode(listOfEmptyMaps(1000))).hasMessageContaining("Message$HasJars")
        .hasRootCauseMessage("HasJars.jars holds java.util.HashMap where String belongs");
  }

  @Test
  void decode_honestLargeMessages_fitTheirBudget() {
    List<Message.Split> splits = new ArrayList<>();
    for (int i = 0; i < 20_000; i++) {
      splits.add(new Message.Split(List.of(new Message.Range("/data/input/part-" + i + ".txt", 1 << 26, 0, 1 << 26))));
    }
    List<String> files = new ArrayList<>();
    for (int i = 0; i < 5_000; i++) {
      files.add("file:/data/output/mr-out-" + i);
    }
    List<Message.MapOutput> outputs = new ArrayList<>();
    for (int i = 0; i < 40_000; i++) {
      outputs.add(new Message.MapOutput(i, 1, i % 3));
    }
    for (Message m : List.of(new Message.SubmitJob("j", null, List.of(), splits),
        new Message.JobSucceeded("j", files, java.util.Map.of("a", 1L), 1, 2, 3),
        new Message.MapOutputs("j", 0, List.of(new Message.ShuffleAddress("h", 1),
            new Message.ShuffleAddress("i", 2), new Message.ShuffleAddress("k", 3)), outputs, 40_000),
        new Message.RunMap("j", 1, 1, splits.get(0), java.util.Collections.nCopies(30_000, 7L)))) {
      assertThat(ProtocolKryo.decode(ProtocolKryo.encode(m))).as(m.getClass().getSimpleName()).isEqualTo(m);
    }
  }

  @Test
  void decode_registeredNonMessage_throwsProtocolException() {
    byte[] integer = {0x02, 0x54}; // Integer (id 0) 42
    assertThatThrownBy(() -> ProtocolKryo.decode(integer)).isInstanceOf(ProtocolException.class)
        .hasMessage("frame holds java.lang.Integer, not a message");
    assertThatThrownBy(() -> ProtocolKryo.decode(new byte[] {0})).isInstanceOf(ProtocolException.class)
        .hasMessage("frame holds null, not a message");
  }

  @Test
  void decode_emptyOrTruncatedBytes_throwsProtocolException() {
    assertThatThrownBy(() -> ProtocolKryo.decode(new byte[0])).isInstanceOf(ProtocolException.class);
    byte[] whole = ProtocolKryo.encode(new Message.RunMap("job", 1, 1, "/in", 10, 0, 10));
    for (int n = 1; n < whole.length; n++) {
      byte[] part = Arrays.copyOf(whole, n);
      assertThatThrownBy(() -> ProtocolKryo.decode(part)).as("first %d bytes", n)
          .isInstanceOf(ProtocolException.class);
    }
  }

  @Test
  void decode_trailingBytes_throwsProtocolException() {
    byte[] whole = ProtocolKryo.encode(new Message.EndJob("job-1"));
    byte[] longer = Arrays.copyOf(whole, whole.length + 2);
    assertThatThrownBy(() -> ProtocolKryo.decode(longer)).isInstanceOf(ProtocolException.class)
        .hasMessage("frame has 2 bytes after its message");
  }

  @Test
  void decode_recordConstructorRefusing_throwsProtocolException() {
    // RegisterWorker (id 123 -> 0x7d) with a null host, which its constructor refuses (fields by
    // name: host, jobs, location, locationsKnown, shufflePort, slots).
    assertThatThrownBy(() -> ProtocolKryo.decode(HEX.parseHex("7d000000000000")))
        .isInstanceOf(ProtocolException.class)
        .hasMessageContaining("RegisterWorker")
        .hasRootCauseInstanceOf(NullPointerException.class)
        .hasRootCauseMessage("host");
  }

  private static final String TWO_TO_THE_30 = "8080808004";

  private static long allocatedBytes() {
    return ((com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean()).getCurrentThreadAllocatedBytes();
  }

  /** Decodes bytes that claim 2^30 elements, and checks that it fails without allocating for them. */
  private static void assertRefusedCheaply(String hex) {
    byte[] bytes = HEX.parseHex(hex);
    assertThatThrownBy(() -> ProtocolKryo.decode(bytes)).isInstanceOf(ProtocolException.class); // warm up
    long before = allocatedBytes();
    assertThatThrownBy(() -> ProtocolKryo.decode(bytes))
        .isInstanceOf(ProtocolException.class)
        .hasMessageContaining("length 1073741824 exceeds the");
    assertThat(allocatedBytes() - before).as("bytes allocated decoding %s", hex).isLessThan(1 << 20);
  }

  @Test
  @Timeout(5)
  void decode_stringLengthOf2To30_throwsWithoutAllocating() {
    // ProtocolError: class 0x7c, not-null, then the String's length.
    assertRefusedCheaply("7c01" + TWO_TO_THE_30 + "6162");
  }

  @Test
  @Timeout(5)
  void decode_byteArrayLengthOf2To30_throwsWithoutAllocating() {
    // Challenge: class 0x7a, not-null, then the array's length.
    assertRefusedCheaply("7a01" + TWO_TO_THE_30 + "010203");
  }

  @Test
  @Timeout(5)
  void decode_listSizeOf2To30_throwsWithoutAllocating() {
    // MapOutputs: class 0x8301, jobId "j", logEnd 0, addresses from 0, then their count.
    assertRefusedCheaply("8301" + "016a" + "00" + "00" + TWO_TO_THE_30 + "6b");
    // RunReduce: class 0x8201, attempt 1, jobId "j", maps 1, partition 0, ArrayList (0x67), then its size.
    assertRefusedCheaply("8201" + "02" + "01016a" + "02" + "00" + "67" + TWO_TO_THE_30 + "6b");
  }

  @Test
  @Timeout(5)
  void decode_mapSizeOf2To30_throwsWithoutAllocating() {
    // TaskSucceeded: class 0x8401, attempt 1, HashMap (0x68), then its size.
    assertRefusedCheaply("8401" + "02" + "68" + TWO_TO_THE_30 + "0301610902");
  }

  @Test
  @Timeout(10)
  void decode_deeplyNestedLists_throwsProtocolException() {
    // RunReduce whose list of records to skip holds a list that holds a list... 100,000 deep in 200 kB.
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    b.writeBytes(HEX.parseHex("8201" + "02" + "01016a" + "02" + "00"));
    for (int i = 0; i < 100_000; i++) {
      b.writeBytes(HEX.parseHex("6701"));
    }
    b.writeBytes(HEX.parseHex("6700"));
    byte[] bytes = b.toByteArray();
    assertThatThrownBy(() -> ProtocolKryo.decode(bytes)).isInstanceOf(ProtocolException.class);
  }

  @Test
  void decode_mapOutputsCountingMoreOutputsThanTheFrameHolds_throwsProtocolException() {
    // MapOutputs "j", no addresses, then 4 outputs in six bytes (three bytes each at least).
    assertThatThrownBy(() -> ProtocolKryo.decode(HEX.parseHex("8301" + "016a" + "00" + "00" + "00" + "04"
        + "020400" + "020400")))
        .isInstanceOf(ProtocolException.class)
        .hasMessageContaining("4 map outputs cannot fit in the 6 bytes");
  }

  @Test
  void mapOutputBook_resolvesNumberedAddresses_andRefusesNumbersNeverSent() {
    MapOutputBook book = new MapOutputBook();
    assertThat(book.take(new Message.MapOutputs("j", 0, List.of(new Message.ShuffleAddress("a", 1)),
        List.of(new Message.MapOutput(0, 1, 0)), 1)))
        .containsExactly(new MapLocation(0, 1, "a", 1));
    assertThat(book.take(new Message.MapOutputs("j", 1, List.of(new Message.ShuffleAddress("b", 2)),
        List.of(new Message.MapOutput(1, 1, 1), new Message.MapOutput(2, 1, 0)), 3)))
        .containsExactly(new MapLocation(1, 1, "b", 2), new MapLocation(2, 1, "a", 1));
    // A restarted master sends again from an earlier point: the book takes its numbering from there.
    assertThat(book.take(new Message.MapOutputs("j", 0, List.of(new Message.ShuffleAddress("c", 3)),
        List.of(new Message.MapOutput(0, 2, 0)), 1)))
        .containsExactly(new MapLocation(0, 2, "c", 3));
    assertThat(book.size()).isEqualTo(1);
    assertThatThrownBy(() -> book.take(new Message.MapOutputs("j", 2, List.of(), List.of(), 4)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("from number 2, but only 1");
    assertThatThrownBy(() -> book.take(new Message.MapOutputs("j", 1, List.of(), List.of(new Message.MapOutput(0, 1, 1)),
        4))).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("address number 1 of 1");
  }

  @Test
  void decode_countersHoldingANonLong_throwsProtocolException() {
    // TaskSucceeded whose counters map "a" to the String "x" instead of a Long.
    assertThatThrownBy(() -> ProtocolKryo.decode(HEX.parseHex("8401" + "02" + "68" + "01" + "030161" + "030178"
        + "00" + "01016a" + "01")))
        .isInstanceOf(ProtocolException.class);
  }
}

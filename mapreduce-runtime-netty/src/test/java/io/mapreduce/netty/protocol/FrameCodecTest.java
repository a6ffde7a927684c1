package io.mapreduce.netty.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mapreduce.thirdparty.io.netty.buffer.ByteBuf;
import io.mapreduce.thirdparty.io.netty.buffer.Unpooled;
import io.mapreduce.thirdparty.io.netty.channel.ChannelHandlerContext;
import io.mapreduce.thirdparty.io.netty.channel.ChannelInboundHandlerAdapter;
import io.mapreduce.thirdparty.io.netty.channel.embedded.EmbeddedChannel;
import io.mapreduce.thirdparty.io.netty.handler.codec.DecoderException;
import io.mapreduce.thirdparty.io.netty.handler.codec.EncoderException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class FrameCodecTest {
  private static final int MAX = 1024;
  private static final Message RUN_MAP = new Message.RunMap("job-1", 3, 2, "/in/a.txt", 10_000, 4096, 4096);
  private static final Message SUCCEEDED = new Message.TaskSucceeded("job-1", Message.TaskKind.MAP, 3, 2,
      Map.of("records", 12L));

  private final EmbeddedChannel ch = new EmbeddedChannel(new FrameDecoder(MAX), new FrameEncoder(MAX));

  @AfterEach
  void close() {
    ch.finishAndReleaseAll();
  }

  /** The frame the encoder writes for {@code m}, as one buffer. */
  private static ByteBuf frame(Message m) {
    EmbeddedChannel enc = new EmbeddedChannel(new FrameEncoder(Frames.DEFAULT_MAX_FRAME_BYTES));
    enc.writeOutbound(m);
    ByteBuf b = enc.readOutbound();
    enc.finishAndReleaseAll();
    return b;
  }

  private static ByteBuf header(int magic, int version, int length) {
    return Unpooled.buffer().writeInt(magic).writeShort(version).writeInt(length);
  }

  @Test
  void roundTrip_throughTheChannel_givesTheMessage() {
    assertThat(ch.writeOutbound(RUN_MAP)).isTrue();
    ByteBuf wire = ch.readOutbound();
    assertThat(wire.getInt(0)).isEqualTo(0x4D525043);
    assertThat(wire.getShort(4)).isEqualTo(Frames.VERSION);
    assertThat(wire.getInt(6)).isEqualTo(wire.readableBytes() - Frames.HEADER_BYTES);
    assertThat(ch.writeInbound(wire)).isTrue();
    assertThat((Object) ch.readInbound()).isEqualTo(RUN_MAP);
    assertThat((Object) ch.readInbound()).isNull();
  }

  @Test
  void decode_frameInOneByteWrites_isReassembled() {
    ByteBuf wire = frame(RUN_MAP);
    int n = wire.readableBytes();
    for (int i = 0; i < n - 1; i++) {
      ch.writeInbound(wire.readRetainedSlice(1));
      assertThat((Object) ch.readInbound()).as("after %d bytes", i + 1).isNull();
    }
    ch.writeInbound(wire.readRetainedSlice(1));
    wire.release();
    assertThat((Object) ch.readInbound()).isEqualTo(RUN_MAP);
  }

  @Test
  void decode_twoFramesInOneBuffer_givesTwoMessages() {
    ByteBuf both = Unpooled.wrappedBuffer(frame(RUN_MAP), frame(SUCCEEDED));
    ch.writeInbound(both);
    assertThat((Object) ch.readInbound()).isEqualTo(RUN_MAP);
    assertThat((Object) ch.readInbound()).isEqualTo(SUCCEEDED);
    assertThat((Object) ch.readInbound()).isNull();
    assertThat(both.refCnt()).isZero();
  }

  @Test
  void decode_oversizedLength_isRefusedBeforeTheBodyAndLaterInputDiscarded() {
    // Only the header: the refusal must not wait for MAX + 1 bytes of body.
    assertThatThrownBy(() -> ch.writeInbound(header(Frames.MAGIC, Frames.VERSION, MAX + 1)))
        .isInstanceOf(DecoderException.class)
        .hasCauseInstanceOf(ProtocolException.class)
        .hasMessageContaining("frame of 1025 bytes exceeds the maximum of 1024");
    ByteBuf good = frame(RUN_MAP);
    assertThat(ch.writeInbound(good)).isFalse();
    assertThat((Object) ch.readInbound()).isNull();
    assertThat(good.refCnt()).isZero();
  }

  @Test
  void decode_negativeLength_isRefused() {
    assertThatThrownBy(() -> ch.writeInbound(header(Frames.MAGIC, Frames.VERSION, -1)))
        .isInstanceOf(DecoderException.class)
        .hasCauseInstanceOf(ProtocolException.class)
        .hasMessageContaining("frame of 4294967295 bytes exceeds the maximum of 1024");
  }

  @Test
  void decode_frameOfExactlyTheMaximum_isAccepted() {
    // A GetJar whose encoding is exactly MAX bytes (a ProtocolError's text is cut to 200 characters).
    int overhead = ProtocolKryo.encode(new Message.GetJar("x".repeat(200))).length - 200;
    Message m = new Message.GetJar("x".repeat(MAX - overhead));
    ByteBuf wire = frame(m);
    assertThat(wire.getInt(6)).isEqualTo(MAX);
    ch.writeInbound(wire);
    assertThat((Object) ch.readInbound()).isEqualTo(m);
  }

  @Test
  void decode_wrongMagic_isRefused() {
    ByteBuf http = Unpooled.copiedBuffer("GET / HTTP/1.1\r\nHost: x\r\n\r\n", StandardCharsets.US_ASCII);
    assertThatThrownBy(() -> ch.writeInbound(http))
        .isInstanceOf(DecoderException.class)
        .hasCauseInstanceOf(ProtocolException.class)
        .hasMessageContaining("not a mapreduce peer: frame starts with 0x47455420, not 0x4d525043");
    assertThat(ch.writeInbound(frame(RUN_MAP))).isFalse();
  }

  @Test
  void decode_otherVersion_isRefusedNamingBothVersions() {
    assertThatThrownBy(() -> ch.writeInbound(header(Frames.MAGIC, 1, 0)))
        .isInstanceOf(DecoderException.class)
        .hasCauseInstanceOf(ProtocolException.class)
        .hasMessageContaining("protocol version mismatch: the peer speaks version 1, this side speaks " + Frames.VERSION);
    assertThat(ch.writeInbound(frame(RUN_MAP))).isFalse();
  }

  @Test
  void decode_undecodableBody_isRefused() {
    ByteBuf bad = header(Frames.MAGIC, Frames.VERSION, 2).writeByte(0xae).writeByte(0x02);
    assertThatThrownBy(() -> ch.writeInbound(bad))
        .isInstanceOf(DecoderException.class)
        .hasCauseInstanceOf(ProtocolException.class)
        .hasMessageContaining("undecodable frame");
    assertThat(ch.writeInbound(frame(RUN_MAP))).isFalse();
  }

  @Test
  void encode_messageOverTheMaximum_failsTheWriteAndSendsNothing() {
    Message big = new Message.GetJar("x".repeat(MAX));
    int bytes = ProtocolKryo.encode(big).length;
    assertThat(bytes).isGreaterThan(MAX);
    assertThatThrownBy(() -> ch.writeOutbound(big))
        .isInstanceOf(EncoderException.class)
        .hasMessageContaining("GetJar of " + bytes + " bytes exceeds the maximum frame of 1024 bytes");
    assertThat(ch.outboundMessages()).isEmpty();
  }

  @Test
  void expectRaw_passesTheNextBytesThroughThenDecodesFramesAgain() {
    FrameDecoder decoder = ch.pipeline().get(FrameDecoder.class);
    decoder.expectRaw(5);
    ch.writeInbound(Unpooled.wrappedBuffer(Unpooled.wrappedBuffer(new byte[] {1, 2, 3, 4, 5}), frame(RUN_MAP)));
    ByteBuf raw = ch.readInbound();
    try {
      assertThat(bytes(raw)).containsExactly(1, 2, 3, 4, 5);
    } finally {
      raw.release();
    }
    assertThat((Object) ch.readInbound()).isEqualTo(RUN_MAP);
    assertThat((Object) ch.readInbound()).isNull();
  }

  @Test
  void expectRaw_rawBytesInPieces_passThroughAsTheyArrive() {
    FrameDecoder decoder = ch.pipeline().get(FrameDecoder.class);
    decoder.expectRaw(5);
    ch.writeInbound(Unpooled.wrappedBuffer(new byte[] {1, 2, 3}));
    ByteBuf first = ch.readInbound();
    assertThat(bytes(first)).containsExactly(1, 2, 3);
    first.release();
    ByteBuf frame = frame(SUCCEEDED);
    ch.writeInbound(Unpooled.wrappedBuffer(Unpooled.wrappedBuffer(new byte[] {4, 5}), frame.readRetainedSlice(4)));
    ByteBuf second = ch.readInbound();
    assertThat(bytes(second)).containsExactly(4, 5);
    second.release();
    assertThat((Object) ch.readInbound()).isNull();
    ch.writeInbound(frame);
    assertThat((Object) ch.readInbound()).isEqualTo(SUCCEEDED);
  }

  /** The shuffle client's use: it calls expectRaw on reading a FetchResponse, from the same buffer. */
  @Test
  void expectRaw_calledOnAFetchResponse_splitsOneBufferIntoResponseBytesAndNextFrame() {
    FrameDecoder decoder = new FrameDecoder(MAX);
    EmbeddedChannel client = new EmbeddedChannel(decoder, new ChannelInboundHandlerAdapter() {
      @Override
      public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof Message.FetchResponse r) {
          decoder.expectRaw(r.length());
        }
        ctx.fireChannelRead(msg);
      }
    });
    Message.FetchResponse response = new Message.FetchResponse(4, 2, 77, false, null);
    client.writeInbound(Unpooled.wrappedBuffer(frame(response), Unpooled.wrappedBuffer(new byte[] {9, 8, 7, 6}),
        frame(RUN_MAP)));
    assertThat((Object) client.readInbound()).isEqualTo(response);
    ByteBuf raw = client.readInbound();
    assertThat(bytes(raw)).containsExactly(9, 8, 7, 6);
    raw.release();
    assertThat((Object) client.readInbound()).isEqualTo(RUN_MAP);
    assertThat(client.finishAndReleaseAll()).isFalse();
  }

  @Test
  void roundTrip_manyMessagesBackToBack_keepsTheirOrder() {
    List<Message> sent = List.of(RUN_MAP, SUCCEEDED, new Message.EndJob("job-1"), new Message.Heartbeat(1, 2, 0.5));
    for (Message m : sent) {
      ch.writeOutbound(m);
    }
    ByteBuf all = Unpooled.buffer();
    for (ByteBuf b; (b = ch.readOutbound()) != null; ) {
      all.writeBytes(b);
      b.release();
    }
    ch.writeInbound(all);
    for (Message m : sent) {
      assertThat((Object) ch.readInbound()).isEqualTo(m);
    }
  }

  private static byte[] bytes(ByteBuf b) {
    byte[] a = new byte[b.readableBytes()];
    b.getBytes(b.readerIndex(), a);
    return a;
  }
}

package io.mapreduce.netty.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HandshakeTest {
  private static final int MAX = 1 << 16;
  private static final ClusterSecret SECRET = ClusterSecret.of("correct horse battery staple");

  /** Records what reaches the application handler, in order. */
  private static final class Capture extends ChannelInboundHandlerAdapter {
    final List<Object> events = new ArrayList<>();
    boolean active;

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
      active = true;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      events.add(msg);
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
      events.add(evt);
    }
  }

  private final Capture serverApp = new Capture();

  private EmbeddedChannel server(ClusterSecret secret) {
    EmbeddedChannel ch = new EmbeddedChannel(new FrameDecoder(MAX), new FrameEncoder(MAX),
        new AuthServerHandler(secret), serverApp);
    ch.freezeTime();
    return ch;
  }

  /** Decodes every frame the channel wrote. */
  private static List<Message> written(EmbeddedChannel ch) {
    EmbeddedChannel decoder = new EmbeddedChannel(new FrameDecoder(MAX));
    for (ByteBuf b; (b = ch.readOutbound()) != null; ) {
      decoder.writeInbound(b);
    }
    List<Message> out = new ArrayList<>();
    for (Message m; (m = decoder.readInbound()) != null; ) {
      out.add(m);
    }
    decoder.finishAndReleaseAll();
    return out;
  }

  private static ByteBuf frames(Message... ms) {
    EmbeddedChannel enc = new EmbeddedChannel(new FrameEncoder(MAX));
    ByteBuf all = Unpooled.buffer();
    for (Message m : ms) {
      enc.writeOutbound(m);
      ByteBuf b = enc.readOutbound();
      all.writeBytes(b);
      b.release();
    }
    enc.finishAndReleaseAll();
    return all;
  }

  private static byte[] challengeNonce(EmbeddedChannel server) {
    List<Message> sent = written(server);
    assertThat(sent).hasSize(1).first().isInstanceOf(Message.Challenge.class);
    return ((Message.Challenge) sent.get(0)).nonce();
  }

  @Test
  void channelActive_sendsAChallengeOfAFreshNonce() {
    byte[] first = challengeNonce(server(SECRET));
    byte[] second = challengeNonce(new EmbeddedChannel(new FrameDecoder(MAX), new FrameEncoder(MAX),
        new AuthServerHandler(SECRET)));
    assertThat(first).hasSize(32).isNotEqualTo(second);
    assertThat(serverApp.active).isTrue();
  }

  @Test
  void authenticate_rightAnswer_removesTheHandlerAndFiresAuthenticated() {
    EmbeddedChannel server = server(SECRET);
    byte[] nonce = challengeNonce(server);
    server.writeInbound(frames(new Message.Authenticate(SECRET.answer(nonce), "worker@h1")));
    assertThat(serverApp.events).containsExactly(new Authenticated("worker@h1"));
    assertThat(server.pipeline().get(AuthServerHandler.class)).isNull();
    assertThat(server.isOpen()).isTrue();
    assertThat(written(server)).isEmpty();
    // From now on messages reach the application.
    server.writeInbound(frames(new Message.Heartbeat(1, 2, 0.5)));
    assertThat(serverApp.events).containsExactly(new Authenticated("worker@h1"), new Message.Heartbeat(1, 2, 0.5));
    // And the ten-second timeout no longer applies.
    server.advanceTimeBy(11, TimeUnit.SECONDS);
    server.runScheduledPendingTasks();
    assertThat(server.isOpen()).isTrue();
  }

  @Test
  void authenticate_followedByAMessageInTheSameBuffer_firesAuthenticatedFirst() {
    EmbeddedChannel server = server(SECRET);
    byte[] nonce = challengeNonce(server);
    Message.RegisterWorker register = new Message.RegisterWorker("h1", 7001, 4);
    server.writeInbound(frames(new Message.Authenticate(SECRET.answer(nonce), "w"), register));
    assertThat(serverApp.events).containsExactly(new Authenticated("w"), register);
  }

  @Test
  void authenticate_wrongSecret_writesProtocolErrorAndCloses() {
    EmbeddedChannel server = server(SECRET);
    byte[] nonce = challengeNonce(server);
    server.writeInbound(frames(new Message.Authenticate(ClusterSecret.of("wrong").answer(nonce), "intruder")));
    assertThat(written(server)).containsExactly(
        new Message.ProtocolError("authentication failed (wrong cluster secret?)"));
    assertThat(server.isOpen()).isFalse();
    assertThat(serverApp.events).isEmpty();
  }

  @Test
  void authenticate_answerToAnotherNonce_isRefused() {
    EmbeddedChannel server = server(SECRET);
    challengeNonce(server);
    server.writeInbound(frames(new Message.Authenticate(SECRET.answer(new byte[32]), "replayer")));
    assertThat(written(server)).containsExactly(
        new Message.ProtocolError("authentication failed (wrong cluster secret?)"));
    assertThat(server.isOpen()).isFalse();
    assertThat(serverApp.events).isEmpty();
  }

  @Test
  void authenticate_nullMac_isRefused() {
    EmbeddedChannel server = server(SECRET);
    challengeNonce(server);
    server.writeInbound(frames(new Message.Authenticate(null, "x")));
    assertThat(written(server)).containsExactly(
        new Message.ProtocolError("authentication failed (wrong cluster secret?)"));
    assertThat(server.isOpen()).isFalse();
  }

  @Test
  void firstMessageNotAuthenticate_isRefused() {
    EmbeddedChannel server = server(SECRET);
    challengeNonce(server);
    server.writeInbound(frames(new Message.RegisterWorker("h1", 7001, 4)));
    assertThat(written(server)).containsExactly(
        new Message.ProtocolError("expected authentication, got RegisterWorker"));
    assertThat(server.isOpen()).isFalse();
    assertThat(serverApp.events).isEmpty();
  }

  @Test
  void silence_forTenSeconds_closesTheConnection() {
    EmbeddedChannel server = server(SECRET);
    challengeNonce(server);
    server.advanceTimeBy(9, TimeUnit.SECONDS);
    server.runScheduledPendingTasks();
    assertThat(server.isOpen()).isTrue();
    server.advanceTimeBy(1, TimeUnit.SECONDS);
    server.runScheduledPendingTasks();
    assertThat(server.isOpen()).isFalse();
    assertThat(serverApp.events).isEmpty();
  }

  /** Shuttles frames between the two channels until neither writes anything. */
  private static void pump(EmbeddedChannel a, EmbeddedChannel b) {
    boolean moved = true;
    while (moved) {
      moved = false;
      for (ByteBuf m; (m = a.readOutbound()) != null; moved = true) {
        b.writeInbound(m);
      }
      for (ByteBuf m; (m = b.readOutbound()) != null; moved = true) {
        a.writeInbound(m);
      }
    }
  }

  @Test
  void clientAndServer_sameSecret_bothAuthenticated() {
    Capture clientApp = new Capture();
    EmbeddedChannel server = server(SECRET);
    EmbeddedChannel client = new EmbeddedChannel(new FrameDecoder(MAX), new FrameEncoder(MAX),
        new AuthClientHandler(SECRET, "worker@h2"), clientApp);
    pump(server, client);
    assertThat(serverApp.events).containsExactly(new Authenticated("worker@h2"));
    assertThat(clientApp.events).containsExactly(new Authenticated(String.valueOf(client.remoteAddress())));
    assertThat(client.pipeline().get(AuthClientHandler.class)).isNull();
    assertThat(server.pipeline().get(AuthServerHandler.class)).isNull();
    client.writeOutbound(new Message.RegisterWorker("h2", 7002, 2));
    pump(server, client);
    assertThat(serverApp.events).last().isEqualTo(new Message.RegisterWorker("h2", 7002, 2));
  }

  @Test
  void clientAndServer_differentSecrets_serverClosesAndClientHearsWhy() {
    Capture clientApp = new Capture();
    EmbeddedChannel server = server(SECRET);
    EmbeddedChannel client = new EmbeddedChannel(new FrameDecoder(MAX), new FrameEncoder(MAX),
        new AuthClientHandler(ClusterSecret.of("another"), "w"), clientApp);
    pump(server, client);
    assertThat(server.isOpen()).isFalse();
    assertThat(serverApp.events).isEmpty();
    assertThat(clientApp.events).containsExactly(new Authenticated(String.valueOf(client.remoteAddress())),
        new Message.ProtocolError("authentication failed (wrong cluster secret?)"));
  }

  @Test
  void client_firstMessageNotAChallenge_answersProtocolErrorAndCloses() {
    Capture clientApp = new Capture();
    EmbeddedChannel client = new EmbeddedChannel(new FrameDecoder(MAX), new FrameEncoder(MAX),
        new AuthClientHandler(SECRET, "w"), clientApp);
    client.writeInbound(frames(new Message.Registered("worker-1", 1000)));
    assertThat(written(client)).containsExactly(new Message.ProtocolError("expected a challenge, got Registered"));
    assertThat(client.isOpen()).isFalse();
    assertThat(clientApp.events).isEmpty();
  }

  @Test
  void client_protocolErrorBeforeChallenge_reachesTheApplication() {
    Capture clientApp = new Capture();
    EmbeddedChannel client = new EmbeddedChannel(new FrameDecoder(MAX), new FrameEncoder(MAX),
        new AuthClientHandler(SECRET, "w"), clientApp);
    client.writeInbound(frames(new Message.ProtocolError("server full")));
    assertThat(clientApp.events).containsExactly(new Message.ProtocolError("server full"));
    assertThat(client.isOpen()).isTrue();
  }

  // ---------------------------------------------------------------- ClusterSecret

  @Test
  void answer_isHmacSha256OfTheNonce() throws Exception {
    byte[] nonce = "nonce".getBytes(StandardCharsets.UTF_8);
    javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacSHA256");
    mac.init(new javax.crypto.spec.SecretKeySpec("s3cret".getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
    assertThat(ClusterSecret.of("s3cret").answer(nonce)).containsExactly(mac.doFinal(nonce));
    assertThat(ClusterSecret.of("s3cret").verifies(nonce, mac.doFinal(nonce))).isTrue();
    assertThat(ClusterSecret.of("s3cret").verifies(nonce, new byte[0])).isFalse();
    assertThat(ClusterSecret.of("other").verifies(nonce, mac.doFinal(nonce))).isFalse();
  }

  @Test
  void fromFile_trimsWhitespaceAndNewlines(@TempDir Path dir) throws IOException {
    Path file = Files.writeString(dir.resolve("secret"), "  s3cret \n\n");
    ClusterSecret fromFile = ClusterSecret.fromFile(file);
    byte[] nonce = {1, 2, 3};
    assertThat(fromFile.answer(nonce)).containsExactly(ClusterSecret.of("s3cret").answer(nonce));
    assertThat(fromFile.isConfigured()).isTrue();
    assertThat(fromFile.toString()).isEqualTo("ClusterSecret[configured]").doesNotContain("s3cret");
  }

  @Test
  void fromFile_emptyOrBlankFile_isRefusedNamingTheFile(@TempDir Path dir) throws IOException {
    Path empty = Files.writeString(dir.resolve("empty"), "");
    assertThatThrownBy(() -> ClusterSecret.fromFile(empty))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(empty.toString())
        .hasMessageContaining("empty");
    Path blank = Files.writeString(dir.resolve("blank"), " \n\t\n");
    assertThatThrownBy(() -> ClusterSecret.fromFile(blank))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(blank.toString());
  }

  @Test
  void fromFile_missingFile_throwsIOException(@TempDir Path dir) {
    assertThatThrownBy(() -> ClusterSecret.fromFile(dir.resolve("absent")))
        .isInstanceOf(NoSuchFileException.class);
  }

  @Test
  void of_blank_isRefused() {
    assertThatThrownBy(() -> ClusterSecret.of(" \n")).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("the cluster secret is empty");
  }

  @Test
  void none_isNotConfiguredAndDiffersFromAnyConfiguredSecret() {
    byte[] nonce = {4, 5, 6};
    assertThat(ClusterSecret.NONE.isConfigured()).isFalse();
    assertThat(ClusterSecret.NONE.toString()).isEqualTo("ClusterSecret[none]");
    assertThat(ClusterSecret.NONE.verifies(nonce, SECRET.answer(nonce))).isFalse();
    assertThat(ClusterSecret.NONE.verifies(nonce, ClusterSecret.NONE.answer(nonce))).isTrue();
  }
}

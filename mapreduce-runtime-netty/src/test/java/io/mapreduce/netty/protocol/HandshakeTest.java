package io.mapreduce.netty.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mapreduce.thirdparty.io.netty.buffer.ByteBuf;
import io.mapreduce.thirdparty.io.netty.buffer.Unpooled;
import io.mapreduce.thirdparty.io.netty.channel.ChannelHandlerContext;
import io.mapreduce.thirdparty.io.netty.channel.ChannelInboundHandlerAdapter;
import io.mapreduce.thirdparty.io.netty.channel.embedded.EmbeddedChannel;
import java.io.IOException;
import java.nio.ByteBuffer;
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
  private static final int MAX = 1 << 20;
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

  /** A server's pipeline as {@link Pipelines#server} builds it in the clear. */
  private EmbeddedChannel server(ClusterSecret secret) {
    EmbeddedChannel ch = new EmbeddedChannel(new AuthServerHandler(secret), new RecordOpener(), new RecordSealer(),
        new FrameDecoder(MAX), new FrameEncoder(MAX), serverApp);
    ch.freezeTime();
    return ch;
  }

  private static EmbeddedChannel client(ClusterSecret secret, Capture app) {
    EmbeddedChannel ch = new EmbeddedChannel(new AuthClientHandler(secret, "worker@h2"), new RecordOpener(),
        new RecordSealer(), new FrameDecoder(MAX), new FrameEncoder(MAX), app);
    ch.freezeTime();
    return ch;
  }

  /** Decodes every handshake frame the channel wrote (before its handshake is through). */
  private static List<Message> written(EmbeddedChannel ch) {
    ByteBuf all = Unpooled.buffer();
    for (ByteBuf b; (b = ch.readOutbound()) != null; ) {
      all.writeBytes(b);
      b.release();
    }
    List<Message> out = new ArrayList<>();
    while (all.isReadable()) {
      assertThat(all.readInt()).isEqualTo(Frames.MAGIC);
      assertThat(all.readShort()).isEqualTo(Frames.VERSION);
      byte[] payload = new byte[all.readInt()];
      assertThat(payload.length).isLessThanOrEqualTo(Frames.HANDSHAKE_MAX_FRAME_BYTES);
      all.readBytes(payload);
      out.add(Handshakes.decode(payload));
    }
    return out;
  }

  /** Frames as they go on the wire before the handshake: handshake messages in their layout, others by Kryo. */
  private static ByteBuf frames(Message... ms) {
    ByteBuf all = Unpooled.buffer();
    for (Message m : ms) {
      all.writeBytes(m instanceof Message.Challenge || m instanceof Message.Authenticate
          || m instanceof Message.Welcome || m instanceof Message.ProtocolError ? Handshakes.encode(m) : kryoFrame(m));
    }
    return all;
  }

  private static byte[] kryoFrame(Message m) {
    byte[] payload = ProtocolKryo.encode(m);
    return ByteBuffer.allocate(Frames.HEADER_BYTES + payload.length).putInt(Frames.MAGIC).putShort(Frames.VERSION)
        .putInt(payload.length).put(payload).array();
  }

  /** A message as the sealed stream after a handshake carries it: its frame in one record. */
  private static ByteBuf sealed(SessionKeys.Direction keys, Message m) {
    byte[] frame = kryoFrame(m);
    return Unpooled.wrappedBuffer(keys.seal(frame, 0, frame.length));
  }

  private static byte[] challengeNonce(EmbeddedChannel server) {
    List<Message> sent = written(server);
    assertThat(sent).hasSize(1).first().isInstanceOf(Message.Challenge.class);
    return ((Message.Challenge) sent.get(0)).nonce();
  }

  @Test
  void channelActive_sendsAChallengeOfAFreshNonce() {
    byte[] first = challengeNonce(server(SECRET));
    byte[] second = challengeNonce(new EmbeddedChannel(new AuthServerHandler(SECRET)));
    assertThat(first).hasSize(32).isNotEqualTo(second);
    assertThat(serverApp.active).isTrue();
  }

  private static final byte[] CLIENT_NONCE = new byte[32];

  static {
    new java.util.Random(7).nextBytes(CLIENT_NONCE);
  }

  /** A right answer to the server's challenge, with the client's nonce. */
  private static Message.Authenticate rightAnswer(byte[] serverNonce, String peer) {
    return new Message.Authenticate(SECRET.clientProof(serverNonce), peer, CLIENT_NONCE.clone());
  }

  private static final String AUTHENTICATION_FAILED = "authentication failed (wrong cluster secret?)";

  @Test
  void authenticate_rightAnswer_welcomesWithTheServersProofAndFiresAuthenticated() {
    EmbeddedChannel server = server(SECRET);
    byte[] nonce = challengeNonce(server);
    server.writeInbound(frames(rightAnswer(nonce, "worker@h1")));
    assertThat(serverApp.events).containsExactly(new Authenticated("worker@h1"));
    assertThat(server.pipeline().get(AuthServerHandler.class)).isNull();
    assertThat(server.isOpen()).isTrue();
    List<Message> sent = written(server);
    assertThat(sent).hasSize(1).first().isInstanceOf(Message.Welcome.class);
    byte[] proof = ((Message.Welcome) sent.get(0)).mac();
    assertThat(SECRET.verifiesServer(CLIENT_NONCE, proof)).isTrue();
    assertThat(proof).isEqualTo(SECRET.serverProof(CLIENT_NONCE)).isNotEqualTo(SECRET.clientProof(CLIENT_NONCE));
    // From now on messages sealed with the client's key reach the application.
    SessionKeys.Direction clientKeys = SessionKeys.derive(SECRET, nonce, CLIENT_NONCE).sending(false);
    server.writeInbound(sealed(clientKeys, new Message.Heartbeat(1, 2, 0.5)));
    assertThat(serverApp.events).containsExactly(new Authenticated("worker@h1"), new Message.Heartbeat(1, 2, 0.5));
    // And the ten-second timeout no longer applies.
    server.advanceTimeBy(11, TimeUnit.SECONDS);
    server.runScheduledPendingTasks();
    assertThat(server.isOpen()).isTrue();
  }

  @Test
  void authenticate_followedByASealedMessageInTheSameBuffer_firesAuthenticatedFirst() {
    EmbeddedChannel server = server(SECRET);
    byte[] nonce = challengeNonce(server);
    Message.RegisterWorker register = new Message.RegisterWorker("h1", 7001, 4);
    ByteBuf both = frames(rightAnswer(nonce, "w"));
    both.writeBytes(sealed(SessionKeys.derive(SECRET, nonce, CLIENT_NONCE).sending(false), register));
    server.writeInbound(both);
    assertThat(serverApp.events).containsExactly(new Authenticated("w"), register);
  }

  @Test
  void afterTheHandshake_anUnsealedFrame_isRefusedAndNeverReachesTheApplication() {
    EmbeddedChannel server = server(SECRET);
    server.writeInbound(frames(rightAnswer(challengeNonce(server), "w")));
    written(server);
    assertThatThrownBy(() -> server.writeInbound(Unpooled.wrappedBuffer(kryoFrame(new Message.Heartbeat(1, 1, 1)))))
        .hasRootCauseInstanceOf(ProtocolException.class)
        .hasMessageContaining("sealed record of " + Frames.MAGIC + " bytes");
    assertThat(serverApp.events).containsExactly(new Authenticated("w"));
  }

  @Test
  void afterTheHandshake_aRecordSealedUnderAnotherConnectionsKeyOrReplayed_isRefused() {
    EmbeddedChannel server = server(SECRET);
    byte[] nonce = challengeNonce(server);
    server.writeInbound(frames(rightAnswer(nonce, "w")));
    SessionKeys.Direction right = SessionKeys.derive(SECRET, nonce, CLIENT_NONCE).sending(false);
    ByteBuf first = sealed(right, new Message.Heartbeat(1, 1, 1));
    ByteBuf replay = first.copy();
    server.writeInbound(first);
    // The same record again: its tag was for record number 0, this is number 1.
    assertThatThrownBy(() -> server.writeInbound(replay)).hasRootCauseInstanceOf(ProtocolException.class)
        .hasMessageContaining("frame authentication failed");
    assertThat(serverApp.events).containsExactly(new Authenticated("w"), new Message.Heartbeat(1, 1, 1));

    EmbeddedChannel other = new EmbeddedChannel(new AuthServerHandler(SECRET), new RecordOpener(),
        new RecordSealer(), new FrameDecoder(MAX), new FrameEncoder(MAX));
    byte[] otherNonce = challengeNonce(other);
    other.writeInbound(frames(rightAnswer(otherNonce, "w")));
    // Sealed under the first connection's key, or under the server's own direction (a reflection).
    assertThatThrownBy(() -> other.writeInbound(sealed(SessionKeys.derive(SECRET, nonce, CLIENT_NONCE).sending(false),
        new Message.Heartbeat(1, 1, 1)))).hasMessageContaining("frame authentication failed");
    EmbeddedChannel third = new EmbeddedChannel(new AuthServerHandler(SECRET), new RecordOpener(),
        new RecordSealer(), new FrameDecoder(MAX), new FrameEncoder(MAX));
    byte[] thirdNonce = challengeNonce(third);
    third.writeInbound(frames(rightAnswer(thirdNonce, "w")));
    assertThatThrownBy(() -> third.writeInbound(sealed(SessionKeys.derive(SECRET, thirdNonce, CLIENT_NONCE)
        .sending(true), new Message.Heartbeat(1, 1, 1)))).hasMessageContaining("frame authentication failed");
  }

  /** Feeds the server one first message and checks that it refuses it: error, close, nothing to the app. */
  private static void assertServerRefuses(ByteBuf first, String why) {
    Capture app = new Capture();
    EmbeddedChannel server = new EmbeddedChannel(new AuthServerHandler(SECRET), new RecordOpener(),
        new RecordSealer(), new FrameDecoder(MAX), new FrameEncoder(MAX), app);
    challengeNonce(server);
    server.writeInbound(first);
    assertThat(written(server)).containsExactly(new Message.ProtocolError(why));
    assertThat(server.isOpen()).isFalse();
    assertThat(app.events).containsExactly(new HandshakeFailed(why));
  }

  @Test
  void authenticate_wrongSecret_writesProtocolErrorAndCloses() {
    EmbeddedChannel server = server(SECRET);
    byte[] nonce = challengeNonce(server);
    server.writeInbound(frames(new Message.Authenticate(ClusterSecret.of("wrong wrong wrong").clientProof(nonce), "intruder",
        CLIENT_NONCE)));
    assertThat(written(server)).containsExactly(new Message.ProtocolError(AUTHENTICATION_FAILED));
    assertThat(server.isOpen()).isFalse();
    assertThat(serverApp.events).containsExactly(new HandshakeFailed(AUTHENTICATION_FAILED));
  }

  @Test
  void authenticate_answerToAnotherNonce_isRefused() {
    assertServerRefuses(frames(rightAnswer(new byte[32], "replayer")), AUTHENTICATION_FAILED);
  }

  @Test
  void authenticate_theServersProofOfTheChallenge_isRefused() {
    // A server's proof over this very nonce (from a connection where the nonce was the client's) is
    // no client proof: the role labels differ.
    EmbeddedChannel server = server(SECRET);
    byte[] nonce = challengeNonce(server);
    server.writeInbound(frames(new Message.Authenticate(SECRET.serverProof(nonce), "reflector", CLIENT_NONCE)));
    assertThat(written(server)).containsExactly(new Message.ProtocolError(AUTHENTICATION_FAILED));
    assertThat(server.isOpen()).isFalse();
    assertThat(serverApp.events).containsExactly(new HandshakeFailed(AUTHENTICATION_FAILED));
  }

  @Test
  void authenticate_shorterThanItsFixedLayout_isRefused() {
    byte[] whole = Handshakes.encode(new Message.Authenticate(new byte[32], "", new byte[32]));
    byte[] cut = java.util.Arrays.copyOf(whole, whole.length - 1);
    ByteBuffer.wrap(cut).putInt(6, cut.length - Frames.HEADER_BYTES);
    assertServerRefuses(Unpooled.wrappedBuffer(cut), "malformed Authenticate: 64 bytes, not 65 to 129");
  }

  @Test
  void firstMessageNotAHandshakeMessage_isRefusedUndecoded() {
    // A Kryo frame: RegisterWorker's class id (123) plus 2 is its first byte.
    assertServerRefuses(frames(new Message.RegisterWorker("h1", 7001, 4)),
        "not a handshake frame (type 0x7d): nothing but the handshake is read before authentication");
    assertServerRefuses(frames(new Message.Challenge(new byte[32])), "expected authentication, got Challenge");
  }

  @Test
  void frameOverTheHandshakeLimit_isRefusedAtItsLengthBeforeItsBody() {
    for (int length : new int[] {Frames.HANDSHAKE_MAX_FRAME_BYTES + 1, Frames.DEFAULT_MAX_FRAME_BYTES, -1}) {
      ByteBuf header = Unpooled.buffer().writeInt(Frames.MAGIC).writeShort(Frames.VERSION).writeInt(length);
      assertServerRefuses(header, "frame of " + Integer.toUnsignedString(length)
          + " bytes before authentication exceeds the maximum of " + Frames.HANDSHAKE_MAX_FRAME_BYTES);
    }
  }

  @Test
  void aLongReason_isCutInTheErrorFrameAndTheEvent() {
    Capture app = new Capture();
    EmbeddedChannel client = client(SECRET, app);
    client.writeInbound(frames(new Message.ProtocolError("x".repeat(900))));
    HandshakeFailed f = (HandshakeFailed) app.events.get(0);
    assertThat(f.reason().length()).isLessThan(2 * Frames.MAX_REASON_CHARS);
    // Cut once, cut for good: a ProtocolError cuts text that is often cut already.
    String cut = Frames.brief("y".repeat(5_000));
    assertThat(cut).hasSize(Frames.MAX_REASON_CHARS).endsWith("... (5000 chars)");
    assertThat(Frames.brief(cut)).isEqualTo(cut);
    assertThat(new Message.ProtocolError(cut).message()).isEqualTo(cut);
    // Nor can a peer write lines of its own into a log.
    assertThat(Frames.brief("a\nWARN forged line\r\tb")).isEqualTo("a WARN forged line  b");
  }

  @Test
  void refused_thenTheRightAnswerInTheSameBuffer_nothingMoreIsSentOrPassedOn() {
    EmbeddedChannel server = server(SECRET);
    byte[] nonce = challengeNonce(server);
    server.writeInbound(frames(new Message.Authenticate(new byte[32], "guess", CLIENT_NONCE),
        rightAnswer(nonce, "second guess"), new Message.HasJars(List.of())));
    assertThat(written(server)).containsExactly(new Message.ProtocolError(AUTHENTICATION_FAILED));
    assertThat(serverApp.events).containsExactly(new HandshakeFailed(AUTHENTICATION_FAILED));
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
    assertThat(serverApp.events).containsExactly(new HandshakeFailed("no authentication within 10 s"));
  }

  @Test
  void gate_endsItsSlotOnceHoweverTheHandshakeEnds() {
    int[] released = {0};
    EmbeddedChannel through = new EmbeddedChannel(new AuthServerHandler(SECRET, () -> released[0]++, null),
        new RecordOpener(), new RecordSealer());
    through.writeInbound(frames(rightAnswer(challengeNonce(through), "w")));
    through.close();
    EmbeddedChannel refused = new EmbeddedChannel(new AuthServerHandler(SECRET, () -> released[0]++, null));
    refused.writeInbound(frames(new Message.Welcome(new byte[32])));
    refused.close();
    assertThat(released[0]).isEqualTo(2);
    // Past the cap: closed on connect, before any challenge.
    Capture app = new Capture();
    EmbeddedChannel full = new EmbeddedChannel(new AuthServerHandler(SECRET, () -> {}, "too many"), app);
    assertThat(written(full)).isEmpty();
    assertThat(full.isOpen()).isFalse();
    assertThat(app.events).containsExactly(new HandshakeFailed("too many"));
  }

  @Test
  void handshakeGate_capsConnectionsPerAddressInTheirHandshake() throws Exception {
    HandshakeGate gate = new HandshakeGate(2);
    java.net.InetAddress a = java.net.InetAddress.getByName("127.0.0.1");
    java.net.InetAddress b = java.net.InetAddress.getByName("127.0.0.2");
    Runnable first = gate.enter(a);
    Runnable second = gate.enter(a);
    assertThat(first).isNotNull();
    assertThat(second).isNotNull();
    assertThat(gate.enter(a)).isNull();
    assertThat(gate.enter(b)).isNotNull();
    first.run();
    first.run(); // once only
    assertThat(gate.inHandshake(a)).isEqualTo(1);
    assertThat(gate.enter(a)).isNotNull();
    assertThat(gate.refused()).isEqualTo(1);
  }

  /** Shuttles bytes between the two channels until neither writes anything. */
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
  void clientAndServer_sameSecret_bothAuthenticated_andSealedFramesFlowBothWays() {
    Capture clientApp = new Capture();
    EmbeddedChannel server = server(SECRET);
    EmbeddedChannel client = client(SECRET, clientApp);
    pump(server, client);
    assertThat(serverApp.events).containsExactly(new Authenticated("worker@h2"));
    assertThat(clientApp.events).containsExactly(new Authenticated(String.valueOf(client.remoteAddress())));
    assertThat(client.pipeline().get(AuthClientHandler.class)).isNull();
    assertThat(server.pipeline().get(AuthServerHandler.class)).isNull();
    client.writeOutbound(new Message.RegisterWorker("h2", 7002, 2));
    // A frame of 200 KB crosses as several records.
    byte[] big = new byte[200_000];
    new java.util.Random(1).nextBytes(big);
    server.writeOutbound(new Message.JarChunk("a".repeat(64), big.length, 0, big));
    pump(server, client);
    assertThat(serverApp.events).last().isEqualTo(new Message.RegisterWorker("h2", 7002, 2));
    assertThat(((Message.JarChunk) clientApp.events.get(clientApp.events.size() - 1)).data()).isEqualTo(big);
    // Neither side's timeout fires once it is through.
    for (EmbeddedChannel ch : List.of(server, client)) {
      ch.advanceTimeBy(11, TimeUnit.SECONDS);
      ch.runScheduledPendingTasks();
      assertThat(ch.isOpen()).isTrue();
    }
  }

  @Test
  void clientAndServer_differentSecrets_serverClosesAndClientHearsWhyButNeverAuthenticates() {
    Capture clientApp = new Capture();
    EmbeddedChannel server = server(SECRET);
    EmbeddedChannel client = client(ClusterSecret.of("another another another"), clientApp);
    pump(server, client);
    assertThat(server.isOpen()).isFalse();
    assertThat(serverApp.events).containsExactly(new HandshakeFailed(AUTHENTICATION_FAILED));
    assertThat(client.isOpen()).isFalse();
    assertThat(clientApp.events).containsExactly(new HandshakeFailed("the server at " + client.remoteAddress()
        + " refused the handshake: " + AUTHENTICATION_FAILED));
  }

  private static final byte[] SERVER_NONCE = new byte[32];

  static {
    new java.util.Random(8).nextBytes(SERVER_NONCE);
  }

  /** A client that has answered a challenge of {@code serverNonce}: returns its Authenticate. */
  private static Message.Authenticate answered(EmbeddedChannel client, byte[] serverNonce) {
    client.writeInbound(frames(new Message.Challenge(serverNonce)));
    List<Message> sent = written(client);
    assertThat(sent).hasSize(1).first().isInstanceOf(Message.Authenticate.class);
    return (Message.Authenticate) sent.get(0);
  }

  @Test
  void client_answersTheChallengeWithItsProofAndAFreshNonce_andWaitsForTheServersProof() {
    Capture app = new Capture();
    EmbeddedChannel client = client(SECRET, app);
    Message.Authenticate a = answered(client, SERVER_NONCE);
    assertThat(SECRET.verifiesClient(SERVER_NONCE, a.mac())).isTrue();
    assertThat(a.peer()).isEqualTo("worker@h2");
    assertThat(a.nonce()).hasSize(32).isNotEqualTo(answered(client(SECRET, new Capture()), SERVER_NONCE).nonce());
    // Answering is not enough: the application hears nothing until the server has proven itself.
    assertThat(app.events).isEmpty();
    assertThat(client.pipeline().get(AuthClientHandler.class)).isNotNull();
    Message.Registered registered = new Message.Registered("worker-1", 1000);
    ByteBuf reply = frames(new Message.Welcome(SECRET.serverProof(a.nonce())));
    reply.writeBytes(sealed(SessionKeys.derive(SECRET, SERVER_NONCE, a.nonce()).sending(true), registered));
    client.writeInbound(reply);
    assertThat(app.events).containsExactly(new Authenticated(String.valueOf(client.remoteAddress())), registered);
    assertThat(client.pipeline().get(AuthClientHandler.class)).isNull();
    assertThat(written(client)).isEmpty();
  }

  /** Feeds a client that answered a challenge this reply, and checks it refuses: error, close, no Authenticated. */
  private static void assertClientRefuses(java.util.function.Function<Message.Authenticate, Message> reply,
      String why) {
    Capture app = new Capture();
    EmbeddedChannel client = client(SECRET, app);
    Message.Authenticate a = answered(client, SERVER_NONCE);
    // What a master would say next comes in the same buffer: it must not get through either.
    client.writeInbound(frames(reply.apply(a), new Message.Registered("worker-1", 1000)));
    String reason = why.replace("ADDRESS", String.valueOf(client.remoteAddress()));
    assertThat(written(client)).containsExactly(new Message.ProtocolError(reason));
    assertThat(client.isOpen()).isFalse();
    assertThat(app.events).containsExactly(new HandshakeFailed(reason));
  }

  @Test
  void client_wrongServerProof_sendsProtocolErrorClosesAndNeverAuthenticates() {
    assertClientRefuses(a -> new Message.Welcome(ClusterSecret.of("forged forged forged").serverProof(a.nonce())),
        "the server at ADDRESS does not know the cluster secret");
    assertClientRefuses(a -> new Message.Welcome(new byte[32]), "the server at ADDRESS does not know the cluster secret");
  }

  @Test
  void client_itsOwnProofReflectedAsTheServers_isRefused() {
    // The client's proof over its own nonce, as a second client would have answered a challenge
    // of that nonce: the role labels make it no server proof.
    assertClientRefuses(a -> new Message.Welcome(SECRET.clientProof(a.nonce())),
        "the server at ADDRESS does not know the cluster secret");
    // And its proof over the server's nonce, echoed back.
    assertClientRefuses(a -> new Message.Welcome(a.mac()), "the server at ADDRESS does not know the cluster secret");
  }

  @Test
  void client_anotherMessageInsteadOfTheServersProof_isRefused() {
    assertClientRefuses(a -> new Message.Registered("worker-1", 1000),
        "not a handshake frame (type 0x7e): nothing but the handshake is read before authentication");
    assertClientRefuses(a -> new Message.Challenge(new byte[32]),
        "expected the server at ADDRESS to prove it knows the cluster secret, got Challenge");
  }

  @Test
  void client_firstMessageNotAChallenge_answersProtocolErrorAndCloses() {
    Capture clientApp = new Capture();
    EmbeddedChannel client = client(SECRET, clientApp);
    client.writeInbound(frames(new Message.Welcome(new byte[32])));
    String why = "expected a challenge from the server at " + client.remoteAddress() + ", got Welcome";
    assertThat(written(client)).containsExactly(new Message.ProtocolError(why));
    assertThat(client.isOpen()).isFalse();
    assertThat(clientApp.events).containsExactly(new HandshakeFailed(why));
  }

  @Test
  void client_protocolErrorFromTheServer_closesWithItsReasonAndNoAnswer() {
    Capture clientApp = new Capture();
    EmbeddedChannel client = client(SECRET, clientApp);
    client.writeInbound(frames(new Message.ProtocolError("server full")));
    assertThat(clientApp.events).containsExactly(new HandshakeFailed("the server at " + client.remoteAddress()
        + " refused the handshake: server full"));
    assertThat(written(client)).isEmpty();
    assertThat(client.isOpen()).isFalse();
  }

  @Test
  void client_silentServer_closesAfterTenSeconds() {
    Capture clientApp = new Capture();
    EmbeddedChannel client = client(SECRET, clientApp);
    client.advanceTimeBy(9, TimeUnit.SECONDS);
    client.runScheduledPendingTasks();
    assertThat(client.isOpen()).isTrue();
    client.advanceTimeBy(1, TimeUnit.SECONDS);
    client.runScheduledPendingTasks();
    assertThat(client.isOpen()).isFalse();
    assertThat(clientApp.events).containsExactly(new HandshakeFailed("the server at " + client.remoteAddress()
        + " did not complete the handshake within 10 s"));
  }

  @Test
  void client_serverSilentAfterTheChallenge_closesTenSecondsAfterConnecting() {
    Capture clientApp = new Capture();
    EmbeddedChannel client = client(SECRET, clientApp);
    client.advanceTimeBy(5, TimeUnit.SECONDS);
    answered(client, new byte[32]);
    client.advanceTimeBy(5, TimeUnit.SECONDS);
    client.runScheduledPendingTasks();
    assertThat(client.isOpen()).isFalse();
    assertThat(clientApp.events).hasSize(1).first().isInstanceOf(HandshakeFailed.class);
  }

  // ---------------------------------------------------------------- ClusterSecret

  private static byte[] hmac(String key, String role, byte[] nonce) throws Exception {
    javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacSHA256");
    mac.init(new javax.crypto.spec.SecretKeySpec(key.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
    mac.update(role.getBytes(StandardCharsets.US_ASCII));
    return mac.doFinal(nonce);
  }

  @Test
  void proofs_areHmacSha256OfTheRoleAndTheNonce() throws Exception {
    byte[] nonce = "nonce".getBytes(StandardCharsets.UTF_8);
    ClusterSecret s = ClusterSecret.of("s3cret s3cret s3cret");
    assertThat(s.clientProof(nonce)).containsExactly(hmac("s3cret s3cret s3cret", "client", nonce));
    assertThat(s.serverProof(nonce)).containsExactly(hmac("s3cret s3cret s3cret", "server", nonce));
    assertThat(s.verifiesClient(nonce, hmac("s3cret s3cret s3cret", "client", nonce))).isTrue();
    assertThat(s.verifiesServer(nonce, hmac("s3cret s3cret s3cret", "server", nonce))).isTrue();
    assertThat(s.verifiesClient(nonce, new byte[0])).isFalse();
    assertThat(s.verifiesServer(nonce, null)).isFalse();
    assertThat(ClusterSecret.of("other other other").verifiesClient(nonce, s.clientProof(nonce))).isFalse();
    assertThat(ClusterSecret.of("other other other").verifiesServer(nonce, s.serverProof(nonce))).isFalse();
  }

  @Test
  void proofs_oneRolesProofIsNeverTheOthers() {
    byte[] nonce = {1, 2, 3};
    assertThat(SECRET.clientProof(nonce)).isNotEqualTo(SECRET.serverProof(nonce));
    assertThat(SECRET.verifiesServer(nonce, SECRET.clientProof(nonce))).isFalse();
    assertThat(SECRET.verifiesClient(nonce, SECRET.serverProof(nonce))).isFalse();
  }

  /** A file of mode 0600, as a secret file must be. */
  static Path privateFile(Path file, String text) throws IOException {
    Files.writeString(file, text);
    Files.setPosixFilePermissions(file, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
    return file;
  }

  @Test
  void fromFile_trimsWhitespaceAndNewlines(@TempDir Path dir) throws IOException {
    Path file = privateFile(dir.resolve("secret"), "  s3cret s3cret s3cret \n\n");
    ClusterSecret fromFile = ClusterSecret.fromFile(file);
    byte[] nonce = {1, 2, 3};
    assertThat(fromFile.clientProof(nonce)).containsExactly(ClusterSecret.of("s3cret s3cret s3cret").clientProof(nonce));
    assertThat(fromFile.isConfigured()).isTrue();
    assertThat(fromFile.toString()).isEqualTo("ClusterSecret[configured]").doesNotContain("s3cret s3cret s3cret");
  }

  @Test
  void fromFile_emptyOrBlankFile_isRefusedNamingTheFile(@TempDir Path dir) throws IOException {
    Path empty = privateFile(dir.resolve("empty"), "");
    assertThatThrownBy(() -> ClusterSecret.fromFile(empty))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(empty.toString())
        .hasMessageContaining("empty");
    Path blank = privateFile(dir.resolve("blank"), " \n\t\n");
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
    assertThat(ClusterSecret.NONE.toString()).isEqualTo("ClusterSecret[per-user]");
    assertThat(ClusterSecret.NONE.verifiesClient(nonce, SECRET.clientProof(nonce))).isFalse();
    assertThat(ClusterSecret.NONE.verifiesServer(nonce, SECRET.serverProof(nonce))).isFalse();
    assertThat(ClusterSecret.NONE.verifiesClient(nonce, ClusterSecret.NONE.clientProof(nonce))).isTrue();
    assertThat(ClusterSecret.NONE.verifiesServer(nonce, ClusterSecret.NONE.serverProof(nonce))).isTrue();
  }
}

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
    server.writeInbound(frames(rightAnswer(nonce, "w"), register));
    assertThat(serverApp.events).containsExactly(new Authenticated("w"), register);
  }

  /** Feeds the server one first message and checks that it refuses it: error, close, nothing to the app. */
  private void assertServerRefuses(Message first, String why) {
    EmbeddedChannel server = server(SECRET);
    challengeNonce(server);
    server.writeInbound(frames(first));
    assertThat(written(server)).containsExactly(new Message.ProtocolError(why));
    assertThat(server.isOpen()).isFalse();
    assertThat(serverApp.events).containsExactly(new HandshakeFailed(why));
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
    assertServerRefuses(rightAnswer(new byte[32], "replayer"), AUTHENTICATION_FAILED);
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
  void authenticate_nullMac_isRefused() {
    assertServerRefuses(new Message.Authenticate(null, "x", CLIENT_NONCE), AUTHENTICATION_FAILED);
  }

  @Test
  void authenticate_rightProofWithoutANonce_isRefusedAndNoProofIsSent() {
    EmbeddedChannel server = server(SECRET);
    byte[] nonce = challengeNonce(server);
    server.writeInbound(frames(new Message.Authenticate(SECRET.clientProof(nonce), "w", null)));
    assertThat(written(server)).containsExactly(
        new Message.ProtocolError("authentication without a nonce for the server to answer"));
    assertThat(server.isOpen()).isFalse();
  }

  @Test
  void firstMessageNotAuthenticate_isRefused() {
    assertServerRefuses(new Message.RegisterWorker("h1", 7001, 4), "expected authentication, got RegisterWorker");
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
    EmbeddedChannel client = client(SECRET, clientApp);
    pump(server, client);
    assertThat(serverApp.events).containsExactly(new Authenticated("worker@h2"));
    assertThat(clientApp.events).containsExactly(new Authenticated(String.valueOf(client.remoteAddress())));
    assertThat(client.pipeline().get(AuthClientHandler.class)).isNull();
    assertThat(server.pipeline().get(AuthServerHandler.class)).isNull();
    client.writeOutbound(new Message.RegisterWorker("h2", 7002, 2));
    pump(server, client);
    assertThat(serverApp.events).last().isEqualTo(new Message.RegisterWorker("h2", 7002, 2));
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

  private static EmbeddedChannel client(ClusterSecret secret, Capture app) {
    EmbeddedChannel ch = new EmbeddedChannel(new FrameDecoder(MAX), new FrameEncoder(MAX),
        new AuthClientHandler(secret, "worker@h2"), app);
    ch.freezeTime();
    return ch;
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
    byte[] serverNonce = {1, 2, 3, 4};
    Message.Authenticate a = answered(client, serverNonce);
    assertThat(SECRET.verifiesClient(serverNonce, a.mac())).isTrue();
    assertThat(a.peer()).isEqualTo("worker@h2");
    assertThat(a.nonce()).hasSize(32).isNotEqualTo(answered(client(SECRET, new Capture()), serverNonce).nonce());
    // Answering is not enough: the application hears nothing until the server has proven itself.
    assertThat(app.events).isEmpty();
    assertThat(client.pipeline().get(AuthClientHandler.class)).isNotNull();
    Message.Registered registered = new Message.Registered("worker-1", 1000);
    client.writeInbound(frames(new Message.Welcome(SECRET.serverProof(a.nonce())), registered));
    assertThat(app.events).containsExactly(new Authenticated(String.valueOf(client.remoteAddress())), registered);
    assertThat(client.pipeline().get(AuthClientHandler.class)).isNull();
    assertThat(written(client)).isEmpty();
  }

  /** Feeds a client that answered a challenge this reply, and checks it refuses: error, close, no Authenticated. */
  private static void assertClientRefuses(java.util.function.Function<Message.Authenticate, Message> reply,
      String why) {
    Capture app = new Capture();
    EmbeddedChannel client = client(SECRET, app);
    Message.Authenticate a = answered(client, new byte[] {9, 9, 9});
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
    assertClientRefuses(a -> new Message.Welcome(null), "the server at ADDRESS does not know the cluster secret");
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
        "expected the server at ADDRESS to prove it knows the cluster secret, got Registered");
    assertClientRefuses(a -> new Message.Challenge(new byte[32]),
        "expected the server at ADDRESS to prove it knows the cluster secret, got Challenge");
  }

  @Test
  void client_firstMessageNotAChallenge_answersProtocolErrorAndCloses() {
    Capture clientApp = new Capture();
    EmbeddedChannel client = client(SECRET, clientApp);
    client.writeInbound(frames(new Message.Registered("worker-1", 1000)));
    String why = "expected a challenge from the server at " + client.remoteAddress() + ", got Registered";
    assertThat(written(client)).containsExactly(new Message.ProtocolError(why));
    assertThat(client.isOpen()).isFalse();
    assertThat(clientApp.events).containsExactly(new HandshakeFailed(why));
  }

  @Test
  void client_welcomeBeforeAnyChallenge_isRefused() {
    Capture clientApp = new Capture();
    EmbeddedChannel client = client(SECRET, clientApp);
    client.writeInbound(frames(new Message.Welcome(new byte[32])));
    assertThat(written(client)).hasSize(1);
    assertThat(client.isOpen()).isFalse();
    assertThat(clientApp.events).hasSize(1).first().isInstanceOf(HandshakeFailed.class);
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

package io.mapreduce.netty.protocol;

import io.mapreduce.thirdparty.io.netty.channel.ChannelHandlerContext;

/**
 * The server side of the handshake: challenges the client with a nonce, checks its proof, answers
 * the client's own nonce with the server's proof ({@link Message.Welcome}), seals the connection
 * with keys from both nonces, and leaves the pipeline, firing {@link Authenticated}. A wrong
 * proof, any other first message, or no proof within ten seconds closes the connection. One per
 * channel.
 */
public final class AuthServerHandler extends HandshakeHandler {
  private final ClusterSecret secret;
  private final byte[] nonce = nonce();
  private final String refusal;

  public AuthServerHandler(ClusterSecret secret) {
    this(secret, () -> {}, null);
  }

  /**
   * @param onEnd run once when the handshake ends, however it ends (a {@link HandshakeGate} slot)
   * @param refusal when not null, why the connection is closed on connect, before any challenge
   *     (the gate said no; it logs that, not each connection)
   */
  AuthServerHandler(ClusterSecret secret, Runnable onEnd, String refusal) {
    // A client that never got in is no concern of the server's application: warn here.
    super(refusal == null, onEnd);
    this.secret = secret;
    this.refusal = refusal;
  }

  @Override
  void started(ChannelHandlerContext ctx) {
    if (refusal != null) {
      fail(ctx, refusal, false);
    } else {
      send(ctx, new Message.Challenge(nonce.clone()));
    }
  }

  @Override
  String timeoutReason(ChannelHandlerContext ctx) {
    return "no authentication within " + TIMEOUT_SECONDS + " s";
  }

  @Override
  void handshake(ChannelHandlerContext ctx, Message msg) {
    if (!(msg instanceof Message.Authenticate a)) {
      fail(ctx, "expected authentication, got " + msg.getClass().getSimpleName(), true);
    } else if (!secret.verifiesClient(nonce, a.mac())) {
      fail(ctx, "authentication failed (wrong cluster secret?)", true);
    } else {
      // Before Authenticated, so that the Welcome precedes whatever the application writes.
      send(ctx, new Message.Welcome(secret.serverProof(a.nonce())));
      succeed(ctx, SessionKeys.derive(secret, nonce, a.nonce()), true, new Authenticated(a.peer()));
    }
  }
}

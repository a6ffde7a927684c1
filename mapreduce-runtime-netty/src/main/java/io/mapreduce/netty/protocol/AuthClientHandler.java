package io.mapreduce.netty.protocol;

import io.mapreduce.thirdparty.io.netty.channel.ChannelHandlerContext;

/**
 * The client side of the handshake: answers the server's challenge with its proof and a nonce of
 * its own, checks the server's proof over that nonce, seals the connection with keys from both
 * nonces, and only then leaves the pipeline, firing {@link Authenticated}: the application never
 * hears from a server that has not proven it knows the cluster secret. A wrong proof, any other
 * message, or no proof within ten seconds closes the connection (firing {@link HandshakeFailed}).
 * One per channel.
 */
public final class AuthClientHandler extends HandshakeHandler {
  private final ClusterSecret secret;
  private final String self;
  private final byte[] nonce = nonce();
  private byte[] serverNonce;

  /** @param self what this client calls itself to the server, for its logs */
  public AuthClientHandler(ClusterSecret secret, String self) {
    // The application says why: a job's error, a fetch's failure, a worker's log.
    super(false, () -> {});
    this.secret = secret;
    this.self = self;
  }

  private static String server(ChannelHandlerContext ctx) {
    return "the server at " + ctx.channel().remoteAddress();
  }

  @Override
  String timeoutReason(ChannelHandlerContext ctx) {
    return server(ctx) + " did not complete the handshake within " + TIMEOUT_SECONDS + " s";
  }

  @Override
  void handshake(ChannelHandlerContext ctx, Message msg) {
    if (msg instanceof Message.ProtocolError e) {
      // The server refused us (or our proof): say so, without answering its error with another.
      fail(ctx, server(ctx) + " refused the handshake: " + e.message(), false);
    } else if (serverNonce == null && msg instanceof Message.Challenge c) {
      serverNonce = c.nonce();
      send(ctx, new Message.Authenticate(secret.clientProof(c.nonce()), self, nonce.clone()));
    } else if (serverNonce == null) {
      fail(ctx, "expected a challenge from " + server(ctx) + ", got " + msg.getClass().getSimpleName(), true);
    } else if (!(msg instanceof Message.Welcome w)) {
      fail(ctx, "expected " + server(ctx) + " to prove it knows the cluster secret, got "
          + msg.getClass().getSimpleName(), true);
    } else if (!secret.verifiesServer(nonce, w.mac())) {
      fail(ctx, server(ctx) + " does not know the cluster secret", true);
    } else {
      succeed(ctx, SessionKeys.derive(secret, serverNonce, nonce), false,
          new Authenticated(String.valueOf(ctx.channel().remoteAddress())));
    }
  }
}

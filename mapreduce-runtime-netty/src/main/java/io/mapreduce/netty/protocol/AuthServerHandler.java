package io.mapreduce.netty.protocol;

import io.netty.channel.ChannelHandlerContext;

/**
 * The server side of the handshake: challenges the client with a nonce, checks its proof, answers
 * the client's own nonce with the server's proof ({@link Message.Welcome}), and leaves the
 * pipeline, firing {@link Authenticated}. A wrong proof, any other first message, or no proof
 * within ten seconds closes the connection. One per channel.
 */
public final class AuthServerHandler extends HandshakeHandler {
  private final ClusterSecret secret;
  private final byte[] nonce = nonce();

  public AuthServerHandler(ClusterSecret secret) {
    // A client that never got in is no concern of the server's application: warn here.
    super(true);
    this.secret = secret;
  }

  @Override
  void started(ChannelHandlerContext ctx) {
    ctx.writeAndFlush(new Message.Challenge(nonce.clone()));
  }

  @Override
  String timeoutReason(ChannelHandlerContext ctx) {
    return "no authentication within " + TIMEOUT_SECONDS + " s";
  }

  @Override
  void handshake(ChannelHandlerContext ctx, Object msg) {
    if (!(msg instanceof Message.Authenticate a)) {
      fail(ctx, "expected authentication, got " + msg.getClass().getSimpleName(), true);
    } else if (!secret.verifiesClient(nonce, a.mac())) {
      fail(ctx, "authentication failed (wrong cluster secret?)", true);
    } else if (a.nonce() == null) {
      fail(ctx, "authentication without a nonce for the server to answer", true);
    } else {
      // Before Authenticated, so that the Welcome precedes whatever the application writes.
      ctx.writeAndFlush(new Message.Welcome(secret.serverProof(a.nonce())));
      succeed(ctx, new Authenticated(a.peer()));
    }
  }
}

package io.mapreduce.netty.protocol;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The shared secret that authenticates every connection of a cluster, both ways: the server sends
 * a random nonce, the client answers with its {@linkplain #clientProof proof} over it and a nonce
 * of its own, and the server answers that with its {@linkplain #serverProof proof}, so that each
 * side knows the other holds the secret before it believes a word from it. The secret itself never
 * crosses the wire. Without TLS an active man in the middle can still relay a whole handshake
 * between a real client and a real server and then read (not forge) what follows; TLS with the
 * cluster's shared keystore covers that. Without a configured secret ({@link #NONE}) a fixed key is
 * used, which only proves that the peer speaks this protocol: daemons refuse to bind a
 * non-loopback address that way.
 */
public final class ClusterSecret {
  /** No secret: for clusters on loopback only. */
  public static final ClusterSecret NONE = new ClusterSecret("mapreduce: no cluster secret".getBytes(StandardCharsets.UTF_8), false);

  private final byte[] key;
  private final boolean configured;

  private ClusterSecret(byte[] key, boolean configured) {
    this.key = key;
    this.configured = configured;
  }

  /** A secret from its text (trailing newlines dropped, as a file written by echo has one). */
  public static ClusterSecret of(String secret) {
    String s = secret.strip();
    if (s.isEmpty()) {
      throw new IllegalArgumentException("the cluster secret is empty");
    }
    return new ClusterSecret(s.getBytes(StandardCharsets.UTF_8), true);
  }

  /** The secret in a file. */
  public static ClusterSecret fromFile(Path file) throws IOException {
    try {
      return of(Files.readString(file, StandardCharsets.UTF_8));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("the cluster secret file " + file + " is empty", e);
    }
  }

  /**
   * The secret from {@code --secret-file}, else from the environment variable
   * {@code MAPREDUCE_SECRET}, else {@link #NONE}.
   */
  public static ClusterSecret resolve(Path file) throws IOException {
    if (file != null) {
      return fromFile(file);
    }
    String env = System.getenv("MAPREDUCE_SECRET");
    return env == null || env.isBlank() ? NONE : of(env);
  }

  /**
   * Refuses to serve on an address other machines can reach without a secret.
   *
   * @param what what would listen there, for the message
   * @throws IllegalArgumentException when the address is not loopback and no secret is configured
   */
  public void checkCanListenOn(String address, String what) {
    if (!configured && !isLoopback(address)) {
      throw new IllegalArgumentException("refusing to " + what + " on " + address
          + " without a cluster secret: set --secret-file or MAPREDUCE_SECRET (or bind 127.0.0.1)");
    }
  }

  private static boolean isLoopback(String address) {
    try {
      return java.net.InetAddress.getByName(address).isLoopbackAddress();
    } catch (java.net.UnknownHostException e) {
      return false;
    }
  }

  public boolean isConfigured() {
    return configured;
  }

  /**
   * What the client answers to the server's challenge: HMAC-SHA256 of "client" and the server's
   * nonce.
   */
  public byte[] clientProof(byte[] serverNonce) {
    return hmac(CLIENT, serverNonce);
  }

  /** What the server answers to the client's nonce: HMAC-SHA256 of "server" and that nonce. */
  public byte[] serverProof(byte[] clientNonce) {
    return hmac(SERVER, clientNonce);
  }

  /** Whether {@code mac} is the client's proof for {@code serverNonce}; in constant time. */
  public boolean verifiesClient(byte[] serverNonce, byte[] mac) {
    return MessageDigest.isEqual(clientProof(serverNonce), mac);
  }

  /** Whether {@code mac} is the server's proof for {@code clientNonce}; in constant time. */
  public boolean verifiesServer(byte[] clientNonce, byte[] mac) {
    return MessageDigest.isEqual(serverProof(clientNonce), mac);
  }

  /*
   * Each proof starts with its role, so that one side's proof is never the other's. Without the
   * labels both proofs would be HMAC(nonce), and a fake server could take the nonce a client sent
   * it, send that nonce as its challenge to another client (or to the same one on a second
   * connection), and hand the answer back to the first as its own proof. The labels have the same
   * length, so label and nonce never run into each other.
   */
  private static final byte[] CLIENT = "client".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] SERVER = "server".getBytes(StandardCharsets.US_ASCII);

  private byte[] hmac(byte[] role, byte[] nonce) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key, "HmacSHA256"));
      mac.update(role);
      return mac.doFinal(nonce);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is not available", e);
    }
  }

  /**
   * The key that seals a connection's records once its handshake is through: HMAC-SHA256 of
   * "frames", the server's nonce and the client's. A relay that passed the handshake on cannot
   * compute it, so it cannot forge what follows (see {@link SessionKeys}).
   */
  byte[] sessionKey(byte[] serverNonce, byte[] clientNonce) {
    byte[] both = new byte[serverNonce.length + clientNonce.length];
    System.arraycopy(serverNonce, 0, both, 0, serverNonce.length);
    System.arraycopy(clientNonce, 0, both, serverNonce.length, clientNonce.length);
    return hmac(FRAMES, both);
  }

  /** Same length as the role labels: a session key is never a proof. */
  private static final byte[] FRAMES = "frames".getBytes(StandardCharsets.US_ASCII);

  @Override
  public String toString() {
    return configured ? "ClusterSecret[configured]" : "ClusterSecret[none]";
  }
}

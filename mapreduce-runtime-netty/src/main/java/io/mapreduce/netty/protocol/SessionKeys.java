package io.mapreduce.netty.protocol;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The keys that seal a connection after its handshake, one per direction, derived from the cluster
 * secret and both handshake nonces ({@code ClusterSecret.sessionKey}). Each direction's bytes go
 * as records: a 4-byte length (1 to {@link #MAX_RECORD_BYTES}), the bytes, and a tag: the first 16
 * bytes of HMAC-SHA256 over the direction's record number (8 bytes, from 0), the length and the
 * bytes. A record that is forged, altered, dropped, replayed, reordered or sent back the other way
 * has a tag that does not match, and the receiver closes the connection. Records are not
 * encrypted: TLS hides them; this only proves who wrote them.
 */
public final class SessionKeys {
  public static final int MAX_RECORD_BYTES = 64 << 10;
  public static final int LENGTH_BYTES = 4;
  public static final int TAG_BYTES = 16;

  private final byte[] clientToServer;
  private final byte[] serverToClient;

  private SessionKeys(byte[] clientToServer, byte[] serverToClient) {
    this.clientToServer = clientToServer;
    this.serverToClient = serverToClient;
  }

  /** The keys of a connection whose handshake exchanged these nonces. */
  public static SessionKeys derive(ClusterSecret secret, byte[] serverNonce, byte[] clientNonce) {
    byte[] key = secret.sessionKey(serverNonce, clientNonce);
    return new SessionKeys(hmac(key, "client to server"), hmac(key, "server to client"));
  }

  /** What one side seals its records with. */
  public Direction sending(boolean server) {
    return new Direction(server ? serverToClient : clientToServer);
  }

  /** What one side opens the peer's records with. */
  public Direction receiving(boolean server) {
    return new Direction(server ? clientToServer : serverToClient);
  }

  private static byte[] hmac(byte[] key, String label) {
    Mac mac = newMac(key);
    return mac.doFinal(label.getBytes(StandardCharsets.US_ASCII));
  }

  private static Mac newMac(byte[] key) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key, "HmacSHA256"));
      return mac;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is not available", e);
    }
  }

  /** One direction of a connection: its key and its next record number. Not thread-safe. */
  public static final class Direction {
    private final Mac mac;
    private final ByteBuffer header = ByteBuffer.allocate(8 + LENGTH_BYTES);
    private long next;

    private Direction(byte[] key) {
      this.mac = newMac(key);
    }

    /** The tag of the next record, which holds {@code bytes} (its position to limit); counts the record. */
    public byte[] tag(ByteBuffer bytes) {
      header.clear();
      header.putLong(next++).putInt(bytes.remaining()).flip();
      mac.update(header);
      mac.update(bytes);
      byte[] full = mac.doFinal();
      byte[] tag = new byte[TAG_BYTES];
      System.arraycopy(full, 0, tag, 0, TAG_BYTES);
      return tag;
    }

    /** Whether {@code tag} is the next record's for these bytes, in constant time; counts the record. */
    public boolean verify(ByteBuffer bytes, byte[] tag) {
      return MessageDigest.isEqual(tag(bytes), tag);
    }

    /** A whole record (length, bytes, tag) of these bytes, at most {@link #MAX_RECORD_BYTES}. */
    public byte[] seal(byte[] bytes, int offset, int length) {
      if (length < 1 || length > MAX_RECORD_BYTES) {
        throw new IllegalArgumentException("a record holds 1 to " + MAX_RECORD_BYTES + " bytes, not " + length);
      }
      byte[] tag = tag(ByteBuffer.wrap(bytes, offset, length));
      return ByteBuffer.allocate(LENGTH_BYTES + length + TAG_BYTES).putInt(length).put(bytes, offset, length)
          .put(tag).array();
    }
  }
}

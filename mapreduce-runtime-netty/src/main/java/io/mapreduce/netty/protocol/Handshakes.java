package io.mapreduce.netty.protocol;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The handshake's frames in a fixed layout, read without Kryo: before a peer has proven it knows
 * the secret, nothing it sends is decoded by anything larger than this. A payload is a type byte
 * and fixed fields:
 *
 * <pre>
 *   1 Challenge      nonce[32]
 *   2 Authenticate   mac[32] nonce[32] peer[0..64] (printable ASCII, the rest of the frame)
 *   3 Welcome        mac[32]
 *   4 ProtocolError  message (UTF-8, the rest of the frame, at most 200 characters kept)
 * </pre>
 *
 * Every frame fits in {@link Frames#HANDSHAKE_MAX_FRAME_BYTES}.
 */
public final class Handshakes {
  static final int NONCE_BYTES = 32;
  static final int MAC_BYTES = 32;
  static final int MAX_PEER_BYTES = 64;
  private static final byte CHALLENGE = 1;
  private static final byte AUTHENTICATE = 2;
  private static final byte WELCOME = 3;
  private static final byte PROTOCOL_ERROR = 4;

  private Handshakes() {}

  /**
   * A whole frame (header and payload) holding a handshake message.
   *
   * @throws IllegalArgumentException for any other message, or a nonce or mac that is not 32 bytes
   */
  public static byte[] encode(Message m) {
    byte[] payload;
    if (m instanceof Message.Challenge c) {
      payload = join(CHALLENGE, fixed(c.nonce(), NONCE_BYTES, "nonce"));
    } else if (m instanceof Message.Authenticate a) {
      payload = join(AUTHENTICATE, fixed(a.mac(), MAC_BYTES, "mac"), fixed(a.nonce(), NONCE_BYTES, "nonce"),
          printable(a.peer()));
    } else if (m instanceof Message.Welcome w) {
      payload = join(WELCOME, fixed(w.mac(), MAC_BYTES, "mac"));
    } else if (m instanceof Message.ProtocolError e) {
      payload = join(PROTOCOL_ERROR, String.valueOf(e.message()).getBytes(StandardCharsets.UTF_8));
    } else {
      throw new IllegalArgumentException(m.getClass().getSimpleName() + " is not a handshake message");
    }
    return ByteBuffer.allocate(Frames.HEADER_BYTES + payload.length).putInt(Frames.MAGIC).putShort(Frames.VERSION)
        .putInt(payload.length).put(payload).array();
  }

  /**
   * The message in a handshake frame's payload.
   *
   * @throws ProtocolException when the payload is not exactly one handshake message
   */
  public static Message decode(byte[] p) {
    if (p.length == 0) {
      throw new ProtocolException("empty handshake frame");
    }
    switch (p[0]) {
      case CHALLENGE -> {
        exactly(p, 1 + NONCE_BYTES, "Challenge");
        return new Message.Challenge(Arrays.copyOfRange(p, 1, p.length));
      }
      case AUTHENTICATE -> {
        int fixed = 1 + MAC_BYTES + NONCE_BYTES;
        if (p.length < fixed || p.length > fixed + MAX_PEER_BYTES) {
          throw new ProtocolException("malformed Authenticate: " + p.length + " bytes, not " + fixed + " to "
              + (fixed + MAX_PEER_BYTES));
        }
        return new Message.Authenticate(Arrays.copyOfRange(p, 1, 1 + MAC_BYTES),
            new String(printable(Arrays.copyOfRange(p, fixed, p.length)), StandardCharsets.US_ASCII),
            Arrays.copyOfRange(p, 1 + MAC_BYTES, fixed));
      }
      case WELCOME -> {
        exactly(p, 1 + MAC_BYTES, "Welcome");
        return new Message.Welcome(Arrays.copyOfRange(p, 1, p.length));
      }
      case PROTOCOL_ERROR -> {
        return new Message.ProtocolError(new String(p, 1, p.length - 1, StandardCharsets.UTF_8));
      }
      default -> throw new ProtocolException(String.format(
          "not a handshake frame (type 0x%02x): nothing but the handshake is read before authentication", p[0]));
    }
  }

  private static void exactly(byte[] p, int length, String what) {
    if (p.length != length) {
      throw new ProtocolException("malformed " + what + ": " + p.length + " bytes, not " + length);
    }
  }

  private static byte[] fixed(byte[] b, int length, String what) {
    if (b == null || b.length != length) {
      throw new IllegalArgumentException("a handshake " + what + " is " + length + " bytes, not "
          + (b == null ? "null" : b.length));
    }
    return b;
  }

  /** A peer name as it travels: at most 64 bytes, anything but printable ASCII as '?'. */
  private static byte[] printable(String peer) {
    byte[] b = String.valueOf(peer).getBytes(StandardCharsets.US_ASCII);
    return printable(Arrays.copyOf(b, Math.min(b.length, MAX_PEER_BYTES)));
  }

  private static byte[] printable(byte[] b) {
    for (int i = 0; i < b.length; i++) {
      if (b[i] < 0x20 || b[i] > 0x7e) {
        b[i] = '?';
      }
    }
    return b;
  }

  private static byte[] join(byte type, byte[]... parts) {
    int n = 1;
    for (byte[] part : parts) {
      n += part.length;
    }
    ByteBuffer b = ByteBuffer.allocate(n).put(type);
    for (byte[] part : parts) {
      b.put(part);
    }
    return b.array();
  }
}

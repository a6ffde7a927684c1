package io.mapreduce.netty;

import io.mapreduce.netty.protocol.ClusterSecret;
import io.mapreduce.netty.protocol.Frames;
import io.mapreduce.netty.protocol.Handshakes;
import io.mapreduce.netty.protocol.Message;
import io.mapreduce.netty.protocol.ProtocolKryo;
import io.mapreduce.netty.protocol.SessionKeys;
import java.io.DataInputStream;
import java.io.InputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;

/**
 * A peer on a plain {@link Socket}, outside Netty: it writes whatever bytes a test asks for and
 * reads frames by hand, so that tests of a live master or worker do not share the code under
 * test. It plays a client ({@link #connect}) or, to a live client, a server ({@link #accept}).
 * Every read times out (5 s unless told), so a test never hangs on a silent peer. Before the
 * handshake it reads handshake frames ({@link Handshakes}); once {@link #authenticate} is through,
 * it seals what it sends and opens what it reads ({@link SessionKeys}), as a real peer does.
 */
public final class RawPeer implements AutoCloseable {
  public static final int READ_TIMEOUT_MILLIS = 5_000;
  private static final SecureRandom RANDOM = new SecureRandom();

  private final Socket socket;
  private final DataInputStream wire;
  private final OutputStream out;
  /** The wire before the handshake; the opened records after it. */
  private DataInputStream in;
  private SessionKeys.Direction sealing;
  private byte[] serverNonce;
  private byte[] clientNonce;

  private RawPeer(Socket socket) throws IOException {
    this.socket = socket;
    this.wire = new DataInputStream(socket.getInputStream());
    this.in = wire;
    this.out = socket.getOutputStream();
  }

  /** Connects to 127.0.0.1:port. */
  public static RawPeer connect(int port) throws IOException {
    Socket s = new Socket();
    s.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
    return configured(s);
  }

  /**
   * The server's end of the next connection to {@code server} (the server socket's own timeout,
   * if set, bounds the wait).
   */
  public static RawPeer accept(ServerSocket server) throws IOException {
    return configured(server.accept());
  }

  private static RawPeer configured(Socket s) throws IOException {
    try {
      s.setSoTimeout(READ_TIMEOUT_MILLIS);
      s.setTcpNoDelay(true);
      return new RawPeer(s);
    } catch (IOException e) {
      s.close();
      throw e;
    }
  }

  public Socket socket() {
    return socket;
  }

  /** A frame with any header: the magic, version and length need not fit the payload. */
  public static byte[] frame(int magic, short version, int length, byte[] payload) {
    ByteBuffer b = ByteBuffer.allocate(Frames.HEADER_BYTES + payload.length);
    b.putInt(magic).putShort(version).putInt(length).put(payload);
    return b.array();
  }

  /** A well-formed frame holding these payload bytes. */
  public static byte[] frame(byte[] payload) {
    return frame(Frames.MAGIC, Frames.VERSION, payload.length, payload);
  }

  /** A well-formed frame holding a message, as {@code FrameEncoder} writes it. */
  public static byte[] frame(Message m) {
    return frame(ProtocolKryo.encode(m));
  }

  /** Sends bytes: as they are before the handshake, in sealed records after it. */
  public void send(byte[] bytes) throws IOException {
    if (sealing == null) {
      sendUnsealed(bytes);
      return;
    }
    java.io.ByteArrayOutputStream records = new java.io.ByteArrayOutputStream();
    for (int at = 0; at < bytes.length; at += SessionKeys.MAX_RECORD_BYTES) {
      records.write(sealing.seal(bytes, at, Math.min(SessionKeys.MAX_RECORD_BYTES, bytes.length - at)));
    }
    sendUnsealed(records.toByteArray());
  }

  /** Sends bytes as they are, even after the handshake (a forgery, to a sealed connection). */
  public void sendUnsealed(byte[] bytes) throws IOException {
    out.write(bytes);
    out.flush();
  }

  /** Sends a message: a handshake message in its fixed layout, any other as a Kryo frame. */
  public void send(Message m) throws IOException {
    send(wire(m));
  }

  /** A message's frame as it goes on the wire: a handshake message in its fixed layout, any other by Kryo. */
  public static byte[] wire(Message m) {
    return isHandshake(m) ? Handshakes.encode(m) : frame(m);
  }

  private static boolean isHandshake(Message m) {
    return m instanceof Message.Challenge || m instanceof Message.Authenticate || m instanceof Message.Welcome;
  }

  /** Reads one frame and decodes its message; EOFException when the peer closed first. */
  public Message read() throws IOException {
    byte[] header = new byte[Frames.HEADER_BYTES];
    in.readFully(header);
    ByteBuffer h = ByteBuffer.wrap(header);
    int magic = h.getInt();
    short version = h.getShort();
    int length = h.getInt();
    if (magic != Frames.MAGIC || version != Frames.VERSION || length < 0 || length > Frames.DEFAULT_MAX_FRAME_BYTES) {
      throw new IOException(String.format("bad frame header from the peer: magic 0x%08x version %d length %d", magic,
          version, length));
    }
    byte[] payload = new byte[length];
    in.readFully(payload);
    return in == wire ? Handshakes.decode(payload) : ProtocolKryo.decode(payload);
  }

  /** Reads one frame that must hold a message of this type. */
  public <T extends Message> T read(Class<T> type) throws IOException {
    Message m = read();
    if (!type.isInstance(m)) {
      throw new IOException("expected " + type.getSimpleName() + " but got " + m);
    }
    return type.cast(m);
  }

  /** Reads exactly n raw bytes (outside any frame). */
  public byte[] readRaw(long n) throws IOException {
    byte[] b = new byte[Math.toIntExact(n)];
    in.readFully(b);
    return b;
  }

  /**
   * Reads the server's challenge and answers it under this secret, with a fresh nonce of its own
   * (returned) for the server to answer; does not read the server's answer.
   */
  public byte[] answerChallenge(ClusterSecret secret) throws IOException {
    Message.Challenge c = read(Message.Challenge.class);
    byte[] nonce = new byte[32];
    RANDOM.nextBytes(nonce);
    send(new Message.Authenticate(secret.clientProof(c.nonce()), "raw-peer", nonce.clone()));
    serverNonce = c.nonce();
    clientNonce = nonce.clone();
    return nonce;
  }

  /**
   * From now on, seal and open records under the keys of the handshake this client answered (as
   * the client); {@link #authenticate} does it after checking the server's proof.
   */
  public void seal(ClusterSecret secret) {
    seal(SessionKeys.derive(secret, serverNonce, clientNonce), false);
  }

  /** From now on, seal and open records under these keys, as the server or the client. */
  public void seal(SessionKeys keys, boolean server) {
    sealing = keys.sending(server);
    in = new DataInputStream(new Opened(wire, keys.receiving(server)));
  }

  /** The peer's sealed records, checked, as one stream of bytes. */
  private static final class Opened extends InputStream {
    private final DataInputStream wire;
    private final SessionKeys.Direction keys;
    private byte[] record = new byte[0];
    private int at;

    Opened(DataInputStream wire, SessionKeys.Direction keys) {
      this.wire = wire;
      this.keys = keys;
    }

    private boolean fill() throws IOException {
      if (at < record.length) {
        return true;
      }
      int length;
      try {
        length = wire.readInt();
      } catch (EOFException e) {
        return false;
      }
      if (length < 1 || length > SessionKeys.MAX_RECORD_BYTES) {
        throw new IOException("the peer sent a sealed record of " + length + " bytes");
      }
      byte[] sealed = new byte[length + SessionKeys.TAG_BYTES];
      wire.readFully(sealed);
      byte[] r = keys.open(sealed);
      if (r == null) {
        throw new IOException("the peer's record does not carry this connection's tag");
      }
      record = r;
      at = 0;
      return true;
    }

    @Override
    public int read() throws IOException {
      return fill() ? record[at++] & 0xff : -1;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      if (len == 0) {
        return 0;
      }
      if (!fill()) {
        return -1;
      }
      int n = Math.min(len, record.length - at);
      System.arraycopy(record, at, b, off, n);
      at += n;
      return n;
    }
  }

  /**
   * The whole handshake as a client, under this secret: answers the server's challenge, then reads
   * the server's {@code Welcome} and checks its proof.
   *
   * @throws IOException when the server sends anything else, or a wrong proof
   */
  public void authenticate(ClusterSecret secret) throws IOException {
    byte[] nonce = answerChallenge(secret);
    Message.Welcome w = read(Message.Welcome.class);
    if (!secret.verifiesServer(nonce, w.mac())) {
      throw new IOException("the server's Welcome does not prove it knows the secret");
    }
    seal(secret);
  }

  /**
   * Reads frames until the peer closes the connection, and returns them. A reset counts as a
   * close (a peer that closes with unread input resets); whatever a reset swallowed is lost.
   *
   * @throws SocketTimeoutException when the peer neither closes nor writes for the read timeout
   */
  public List<Message> readUntilClosed() throws IOException {
    List<Message> got = new ArrayList<>();
    while (true) {
      try {
        got.add(read());
      } catch (EOFException e) {
        return got;
      } catch (SocketTimeoutException e) {
        throw new SocketTimeoutException("the peer did not close the connection within " + socket.getSoTimeout()
            + " ms; it sent " + got);
      } catch (SocketException e) {
        if (String.valueOf(e.getMessage()).contains("reset")) {
          return got;
        }
        throw e;
      }
    }
  }

  /** Whether nothing at all arrives within {@code millis} (the connection still open). */
  public boolean silentFor(int millis) throws IOException {
    int before = socket.getSoTimeout();
    socket.setSoTimeout(millis);
    try {
      int b = wire.read();
      if (b < 0) {
        throw new EOFException("the peer closed the connection");
      }
      return false;
    } catch (SocketTimeoutException e) {
      return true;
    } finally {
      socket.setSoTimeout(before);
    }
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}

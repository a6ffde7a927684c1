package io.mapreduce.netty;

import io.mapreduce.netty.protocol.ClusterSecret;
import io.mapreduce.netty.protocol.Frames;
import io.mapreduce.netty.protocol.Message;
import io.mapreduce.netty.protocol.ProtocolKryo;
import java.io.DataInputStream;
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
 * Every read times out (5 s unless told), so a test never hangs on a silent peer.
 */
public final class RawPeer implements AutoCloseable {
  public static final int READ_TIMEOUT_MILLIS = 5_000;
  private static final SecureRandom RANDOM = new SecureRandom();

  private final Socket socket;
  private final DataInputStream in;
  private final OutputStream out;

  private RawPeer(Socket socket) throws IOException {
    this.socket = socket;
    this.in = new DataInputStream(socket.getInputStream());
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

  public void send(byte[] bytes) throws IOException {
    out.write(bytes);
    out.flush();
  }

  public void send(Message m) throws IOException {
    send(frame(m));
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
    return ProtocolKryo.decode(payload);
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
    return nonce;
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
      int b = in.read();
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

package io.mapreduce.netty.protocol;

import io.mapreduce.internal.io.PrivateDirectories;
import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.Set;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The shared secret that authenticates every connection of a cluster, both ways: the server sends
 * a random nonce, the client answers with its {@linkplain #clientProof proof} over it and a nonce
 * of its own, and the server answers that with its {@linkplain #serverProof proof}, so that each
 * side knows the other holds the secret before it believes a word from it. The secret itself never
 * crosses the wire. Without TLS an active man in the middle can still relay a whole handshake
 * between a real client and a real server and then read (not forge) what follows; TLS with the
 * cluster's shared keystore covers that.
 *
 * <p>A configured secret ({@link #of}, {@link #fromFile}, {@code MAPREDUCE_SECRET}) has at least
 * {@value #MIN_BYTES} bytes, since a captured handshake lets a short one be guessed offline; its
 * file must be private to its user. Without one ({@link #NONE}) this user's own secret on this
 * machine is used ({@link #perUserFile}, made on first use): it keeps other local users out of a
 * one-machine cluster, but only daemons of the same user on the same machine share it, so it is
 * good for loopback only: daemons refuse to listen on, and workers and clients to connect to, any
 * other address with it.
 */
public final class ClusterSecret {
  /** The shortest secret taken: 128 bits, if its bytes were random. */
  public static final int MIN_BYTES = 16;
  /** No configured secret: this user's per-machine secret, for clusters on loopback only. */
  public static final ClusterSecret NONE = new ClusterSecret(null, false);

  private static final boolean POSIX = FileSystems.getDefault().supportedFileAttributeViews().contains("posix");
  private static final Set<PosixFilePermission> OWNER_READ_WRITE = PosixFilePermissions.fromString("rw-------");
  private static final SecureRandom RANDOM = new SecureRandom();
  /** This user's secret, read (or made) once by the first {@link #NONE} that needs it. */
  private static byte[] perUser;

  /** The key, or null for {@link #NONE}, whose key is {@link #perUser}. */
  private final byte[] key;
  private final boolean configured;

  private ClusterSecret(byte[] key, boolean configured) {
    this.key = key;
    this.configured = configured;
  }

  /**
   * A secret from its text (surrounding whitespace dropped, as a file written by echo ends in a
   * newline).
   *
   * @throws IllegalArgumentException when it is empty or shorter than {@value #MIN_BYTES} bytes
   */
  public static ClusterSecret of(String secret) {
    return of(secret, "the cluster secret");
  }

  private static ClusterSecret of(String secret, String what) {
    byte[] key = secret.strip().getBytes(StandardCharsets.UTF_8);
    if (key.length == 0) {
      throw new IllegalArgumentException(what + " is empty");
    }
    if (key.length < MIN_BYTES) {
      throw new IllegalArgumentException(what + " is " + key.length + " bytes long; at least " + MIN_BYTES
          + " are needed (bin/mapreduce secret makes a good one)");
    }
    return new ClusterSecret(key, true);
  }

  /**
   * The secret in a file, which only its user may read or write.
   *
   * @throws IllegalArgumentException naming the file when group or others may read or write it, or
   *     when the secret in it is empty or too short
   */
  public static ClusterSecret fromFile(Path file) throws IOException {
    if (POSIX) {
      Set<PosixFilePermission> mode = Files.getPosixFilePermissions(file);
      if (!OWNER_READ_WRITE.containsAll(mode)) {
        throw new IllegalArgumentException("the cluster secret file " + file + " may be read or written by others"
            + " (mode " + PosixFilePermissions.toString(mode) + "): chmod 600 " + file);
      }
    }
    return of(Files.readString(file, StandardCharsets.UTF_8), "the cluster secret in " + file);
  }

  /**
   * The secret from {@code --secret-file}, else from the environment variable
   * {@code MAPREDUCE_SECRET}, else {@link #NONE} (this user's per-machine secret).
   */
  public static ClusterSecret resolve(Path file) throws IOException {
    if (file != null) {
      return fromFile(file);
    }
    String env = System.getenv("MAPREDUCE_SECRET");
    return env == null || env.isBlank() ? NONE : of(env, "the cluster secret in MAPREDUCE_SECRET");
  }

  /** A new secret: 32 random bytes in hex, as {@code bin/mapreduce secret} prints. */
  public static String generate() {
    byte[] bytes = new byte[32];
    RANDOM.nextBytes(bytes);
    return HexFormat.of().formatHex(bytes);
  }

  /**
   * Writes a {@linkplain #generate new secret} to a new file of mode 0600.
   *
   * @throws java.nio.file.FileAlreadyExistsException when the file exists: a cluster's secret is
   *     never overwritten
   */
  public static void writeNew(Path file) throws IOException {
    FileAttribute<?>[] mode = POSIX
        ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(OWNER_READ_WRITE)} : new FileAttribute<?>[0];
    try (var ch = Files.newByteChannel(file, EnumSet.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE),
        mode)) {
      ch.write(ByteBuffer.wrap((generate() + "\n").getBytes(StandardCharsets.US_ASCII)));
    }
  }

  /**
   * Where this user's per-machine secret lives: {@code $XDG_CONFIG_HOME/mapreduce/local-secret},
   * else {@code ~/.mapreduce/local-secret}; the directory is 0700, the file 0600.
   */
  public static Path perUserFile() {
    String xdg = System.getenv("XDG_CONFIG_HOME");
    Path dir = xdg != null && !xdg.isBlank() && Path.of(xdg).isAbsolute() ? Path.of(xdg, "mapreduce")
        : Path.of(System.getProperty("user.home"), ".mapreduce");
    return dir.resolve("local-secret");
  }

  private static synchronized byte[] perUserKey() {
    if (perUser == null) {
      Path file = perUserFile();
      try {
        PrivateDirectories.ensure(file.getParent());
        if (!Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
          // Written whole under another name, then linked into place, which fails if another
          // process got there first: no one ever reads a half-written secret, and all agree on one.
          Path partial = file.resolveSibling(".local-secret-" + ProcessHandle.current().pid() + "-" + System.nanoTime());
          try {
            writeNew(partial);
            Files.createLink(file, partial);
          } catch (FileAlreadyExistsException raced) {
            // Another process made it: use theirs.
          } finally {
            Files.deleteIfExists(partial);
          }
        }
        perUser = fromFile(file).key;
      } catch (IOException | RuntimeException e) {
        throw new IllegalStateException("cannot use this user's cluster secret " + file + ": " + e.getMessage()
            + " (or give a secret: --secret-file or MAPREDUCE_SECRET)", e);
      }
    }
    return perUser;
  }

  private byte[] key() {
    return key != null ? key : perUserKey();
  }

  /**
   * Refuses to serve on an address other machines can reach without a secret. Reads (or makes)
   * the per-user secret now if this is {@link #NONE}, so a problem with it stops the daemon at
   * start.
   *
   * @param what what would listen there, for the message
   * @throws IllegalArgumentException when the address is not loopback and no secret is configured
   * @throws IllegalStateException when the per-user secret cannot be read or made
   */
  public void checkCanListenOn(String address, String what) {
    if (!configured && !isLoopback(address)) {
      throw new IllegalArgumentException("refusing to " + what + " on " + address
          + " without a cluster secret: set --secret-file or MAPREDUCE_SECRET (or bind 127.0.0.1)");
    }
    key();
  }

  /**
   * Refuses to talk to a server on another machine without a secret: with this user's per-machine
   * secret it could not prove itself, and a worker would be left trusting whatever answers there.
   * Reads (or makes) the per-user secret now, as {@link #checkCanListenOn} does.
   *
   * @param what who would connect to whom, for the message ("take jobs from the master at")
   * @throws IllegalArgumentException when the host is not loopback and no secret is configured
   * @throws IllegalStateException when the per-user secret cannot be read or made
   */
  public void checkCanConnectTo(String host, int port, String what) {
    if (!configured && !isLoopback(host)) {
      throw new IllegalArgumentException("refusing to " + what + " " + host + ":" + port
          + " without a cluster secret: set --secret-file or MAPREDUCE_SECRET (only a master on 127.0.0.1 can do"
          + " without)");
    }
    key();
  }

  /** Whether every address the name stands for is a loopback one. */
  private static boolean isLoopback(String address) {
    try {
      InetAddress[] all = InetAddress.getAllByName(address);
      return Arrays.stream(all).allMatch(InetAddress::isLoopbackAddress);
    } catch (UnknownHostException e) {
      return false;
    }
  }

  /** Whether a secret was given, rather than this user's per-machine one. */
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
      mac.init(new SecretKeySpec(key(), "HmacSHA256"));
      mac.update(role);
      return mac.doFinal(nonce);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is not available", e);
    }
  }

  /**
   * The key that seals a connection's records once its handshake is through: HMAC-SHA256 of
   * "frames", the server's nonce and the client's. A relay that passed the handshake on cannot
   * compute it, so it can neither read nor forge what follows (see {@link SessionKeys}).
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
    return configured ? "ClusterSecret[configured]" : "ClusterSecret[per-user]";
  }
}

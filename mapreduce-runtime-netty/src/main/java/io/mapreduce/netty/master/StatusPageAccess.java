package io.mapreduce.netty.master;

import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;

/**
 * Who may read the status page: the address it listens on, the token it asks for (if any) and
 * the host names it answers to. Loopback without a token by default (the page is then for the
 * users of the master's machine, as the job port without a secret is); any other address needs a
 * token, since the page names every worker and job of the cluster.
 *
 * <p>The token is its own, read from a file, not the cluster secret: the secret lets its holder
 * run code on every worker, and a token typed into browsers and dashboards should not. A client
 * sends it as {@code Authorization: Bearer TOKEN} (scripts) or as the password of HTTP Basic with
 * any user name (browsers, which prompt for it). Without TLS it crosses the network in the clear:
 * open the page beyond loopback only on a network you trust, or reach it through an SSH tunnel.
 *
 * <p>Host names are checked against DNS rebinding: a web page of another origin that points its
 * own name at this address would otherwise read the page through a visitor's browser.
 */
public final class StatusPageAccess {
  /** A token shorter than this is refused: it could be guessed from the network. */
  static final int MIN_TOKEN_CHARS = 16;
  private static final Set<String> ALWAYS_ALLOWED_HOSTS = Set.of("localhost", "127.0.0.1", "::1");

  private final String bindAddress;
  /** SHA-256 of the token, or null for none: compared digest to digest, in constant time. */
  private final byte[] tokenDigest;
  private final Set<String> hostNames;

  private StatusPageAccess(String bindAddress, byte[] tokenDigest, List<String> hostNames) {
    this.bindAddress = Objects.requireNonNull(bindAddress, "bindAddress");
    this.tokenDigest = tokenDigest;
    List<String> names = new ArrayList<>(ALWAYS_ALLOWED_HOSTS);
    for (String n : Objects.requireNonNull(hostNames, "hostNames")) {
      String name = hostOnly(Objects.requireNonNull(n, "a host name"));
      if (name.isEmpty()) {
        throw new IllegalArgumentException("not a host name for the status page: '" + n + "'");
      }
      names.add(name);
    }
    if (!isWildcard(bindAddress)) {
      names.add(hostOnly(bindAddress));
    }
    this.hostNames = Set.copyOf(new java.util.HashSet<>(names));
  }

  /** On 127.0.0.1, without a token: the default. */
  public static StatusPageAccess loopback() {
    return withoutToken("127.0.0.1");
  }

  /**
   * The status page on {@code bindAddress}, asking for the token in {@code tokenFile} (null: no
   * token, which {@link Master#start} accepts on a loopback address only), answering to requests
   * whose {@code Host} is localhost, 127.0.0.1, [::1], the bind address, the address the request
   * reached, or one of {@code hostNames}.
   *
   * @throws IllegalArgumentException if the token file is readable or writable by group or others,
   *     or holds fewer than {@value #MIN_TOKEN_CHARS} characters (leading and trailing white space
   *     is not part of it), or a host name is empty
   * @throws IOException if the token file cannot be read
   */
  public static StatusPageAccess of(String bindAddress, Path tokenFile, List<String> hostNames) throws IOException {
    return new StatusPageAccess(bindAddress, tokenFile == null ? null : digest(readToken(tokenFile)), hostNames);
  }

  /** On this address, without a token. */
  static StatusPageAccess withoutToken(String bindAddress) {
    return new StatusPageAccess(bindAddress, null, List.of());
  }

  /** With this token (for tests: the daemons read theirs from a file). */
  static StatusPageAccess withToken(String bindAddress, String token, List<String> hostNames) {
    return new StatusPageAccess(bindAddress, digest(checkedToken(token, "the token")), hostNames);
  }

  public String bindAddress() {
    return bindAddress;
  }

  public boolean asksForToken() {
    return tokenDigest != null;
  }

  /**
   * Refuses to open the page beyond loopback without a token.
   *
   * @throws IllegalArgumentException if the bind address is not loopback and no token is set
   */
  void checkCanListen() {
    if (tokenDigest == null && !isLoopback(bindAddress)) {
      throw new IllegalArgumentException("refusing to serve the status page on " + bindAddress
          + " without a token: set --http-auth-file (or leave --http-bind at 127.0.0.1)");
    }
  }

  /**
   * Whether a request with this {@code Host} header (null: none) may be answered, having reached
   * {@code local}. A request without one is HTTP/1.0 (HTTP/1.1 requires it, and browsers always
   * send it), so it cannot come from a page that rebinds a name.
   */
  boolean allowsHost(String host, InetAddress local) {
    if (host == null) {
      return true;
    }
    String name = hostOnly(host);
    if (hostNames.contains(name)) {
      return true;
    }
    // An IP literal names the address itself, never a name an attacker's DNS could point here.
    return local != null && name.equals(hostOnly(local.getHostAddress()));
  }

  /** Whether this {@code Authorization} header (null: none) carries the token, if one is asked for. */
  boolean authorizes(String authorization) {
    if (tokenDigest == null) {
      return true;
    }
    if (authorization == null) {
      return false;
    }
    String offered = null;
    int space = authorization.indexOf(' ');
    String scheme = space < 0 ? authorization : authorization.substring(0, space);
    String rest = space < 0 ? "" : authorization.substring(space + 1).strip();
    if (scheme.equalsIgnoreCase("Bearer")) {
      offered = rest;
    } else if (scheme.equalsIgnoreCase("Basic")) {
      try {
        String userAndPassword = new String(Base64.getDecoder().decode(rest), StandardCharsets.UTF_8);
        int colon = userAndPassword.indexOf(':');
        offered = colon < 0 ? null : userAndPassword.substring(colon + 1);
      } catch (IllegalArgumentException notBase64) {
        offered = null;
      }
    }
    // Digests of equal length compared whole: the time taken says nothing about the token.
    return offered != null && MessageDigest.isEqual(digest(offered), tokenDigest);
  }

  /** A Host header's or address's host, lower case, without port or IPv6 brackets. */
  static String hostOnly(String host) {
    String h = host.strip().toLowerCase(Locale.ROOT);
    if (h.startsWith("[")) {
      int close = h.indexOf(']');
      return close < 0 ? h : h.substring(1, close);
    }
    int colon = h.indexOf(':');
    // Two colons or more: an IPv6 address without brackets (no port can follow it).
    if (colon >= 0 && h.indexOf(':', colon + 1) < 0) {
      h = h.substring(0, colon);
    }
    return h.endsWith(".") ? h.substring(0, h.length() - 1) : h;
  }

  private static boolean isWildcard(String address) {
    String a = hostOnly(address);
    return a.equals("0.0.0.0") || a.equals("::") || a.equals("0:0:0:0:0:0:0:0");
  }

  private static boolean isLoopback(String address) {
    try {
      return InetAddress.getByName(address).isLoopbackAddress();
    } catch (UnknownHostException e) {
      return false;
    }
  }

  private static String readToken(Path file) throws IOException {
    PosixFileAttributeView posix = Files.getFileAttributeView(file, PosixFileAttributeView.class);
    if (posix != null) {
      Set<PosixFilePermission> p = posix.readAttributes().permissions();
      for (PosixFilePermission open : List.of(PosixFilePermission.GROUP_READ, PosixFilePermission.GROUP_WRITE,
          PosixFilePermission.OTHERS_READ, PosixFilePermission.OTHERS_WRITE)) {
        if (p.contains(open)) {
          throw new IllegalArgumentException("the status page token file " + file + " is open to group or others ("
              + java.nio.file.attribute.PosixFilePermissions.toString(p) + "): chmod 600 " + file);
        }
      }
    }
    return checkedToken(Files.readString(file, StandardCharsets.UTF_8), "the status page token file " + file);
  }

  private static String checkedToken(String token, String what) {
    String t = token.strip();
    if (t.length() < MIN_TOKEN_CHARS) {
      throw new IllegalArgumentException(what + " holds " + t.length() + " characters; at least " + MIN_TOKEN_CHARS
          + " are needed (e.g. head -c 24 /dev/urandom | base64)");
    }
    return t;
  }

  private static byte[] digest(String s) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }
}

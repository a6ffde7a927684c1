package io.mapreduce.launcher.ec2;

import io.mapreduce.launcher.NodeLayout;
import io.mapreduce.launcher.RemoteScripts;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;

/**
 * The boot script an instance runs as root from its user data: installs Java, then, as the login
 * user, fetches the runnable jar from a presigned S3 URL into the content-addressed store (checking
 * its SHA-256), waits for the node's secret to arrive over ssh, and starts the daemon exactly as
 * the ssh provider does ({@link RemoteScripts#start}). After boot the node is an ssh provider's node.
 *
 * <p>User data holds no secret: any process on the instance reads it from the metadata service,
 * and anyone allowed {@code ec2:DescribeInstanceAttribute} reads it through the API. What it holds
 * is a URL to read code for an hour. The secret comes later, over ssh, into a 0600 file.
 */
final class UserData {
  /** Stands for the address this instance's daemons give the others; found at boot, it is unknown at launch. */
  static final String OWN_ADDRESS = "@OWN_ADDRESS@";
  /** Stands for the host name the status page answers to: the public address if the instance has one. */
  static final String STATUS_HOST = "@STATUS_HOST@";
  /** Stands for where the instance runs, as the status page shows it: "ec2 INSTANCE-ID ZONE". */
  static final String LOCATION = "@LOCATION@";
  /** Exit code of a boot whose jar could not be fetched. */
  static final int NO_JAR = 44;
  /** Exit code of a boot whose secret did not arrive in time. */
  static final int NO_SECRET = 45;
  /** Exit code of a boot whose login user does not exist. */
  static final int NO_USER = 46;
  /** The end of the here-document carrying the login user's part. */
  private static final String END = "MAPREDUCE_NODE_SCRIPT_END";

  private UserData() {}

  /**
   * One node's boot script.
   *
   * @param daemonArgs the daemon's arguments, in which {@link #OWN_ADDRESS} and {@link #STATUS_HOST}
   *     stand for values found at boot
   * @param peer an address whose route names this instance's own (the master's, for a worker), or
   *     null to take the first global address
   */
  static String script(NodeLayout layout, String node, String loginUser, String jarSha, String jarUrl,
      List<String> javaOptions, List<String> daemonArgs, String peer, Duration secretWait) {
    if (!loginUser.matches("[a-z_][a-z0-9_-]{0,31}")) {
      throw new IllegalArgumentException("login user '" + loginUser + "' is not a user name");
    }
    String jar = layout.jar(jarSha);
    String nodeDir = layout.nodeDir(node);
    String start = RemoteScripts.start(nodeDir, jar, javaOptions, daemonArgs, false)
        .replace(RemoteScripts.word(OWN_ADDRESS), "\"$own_address\"")
        .replace(RemoteScripts.word(STATUS_HOST), "\"$status_host\"")
        .replace(RemoteScripts.word(LOCATION), "\"$location\"");
    String userPart = "u=" + RemoteScripts.word(jarUrl) + "\n"
        + "jar=" + RemoteScripts.word(jar) + "\n"
        + "d=" + RemoteScripts.word(nodeDir) + "\n"
        + """
        log() { echo "mapreduce boot: $*"; }
        if [ ! -f "$jar" ]; then
          mkdir -p "$(dirname "$jar")"
          t="$jar.incoming.$$"
          n=0
          until curl -fsS --connect-timeout 10 --max-time 600 --retry 5 --retry-delay 3 -o "$t" "$u" 2>/dev/null \\
              || wget -q -T 30 -t 3 -O "$t" "$u"; do
            n=$((n + 1))
            if [ "$n" -ge 10 ]; then rm -f "$t"; log "could not fetch the jar (curl or wget)" >&2; exit %1$d; fi
            sleep 6
          done
          got=$(sha256sum "$t" | cut -d ' ' -f 1)
          if [ "$got" != '%2$s' ]; then
            rm -f "$t"; log "the jar arrived with SHA-256 $got, not %2$s" >&2; exit %3$d
          fi
          chmod 644 "$t"
          mv -f "$t" "$jar"
        fi
        log "jar stored at $jar"
        waited=0
        until [ -s "$d/secret" ] && [ -s "$d/http-token" ]; do
          if [ "$waited" -ge %4$d ]; then log "no secret arrived in $d within %4$d s" >&2; exit %5$d; fi
          sleep 2
          waited=$((waited + 2))
        done
        own_address=$(ip -4 -o route get %6$s 2>/dev/null | sed -n 's/.* src \\([0-9.]*\\).*/\\1/p')
        [ -n "$own_address" ] || own_address=$(ip -4 -o addr show scope global | sed -n 's/.* inet \\([0-9.]*\\)\\/.*/\\1/p' | head -n 1)
        status_host="${PUBLIC_ADDRESS:-$own_address}"
        location="${LOCATION:-ec2 $own_address}"
        log "secret present; starting %7$s at $own_address"
        (
        """.formatted(NO_JAR, jarSha, RemoteScripts.CORRUPT_JAR, secretWait.toSeconds(), NO_SECRET,
            peer == null ? "192.0.2.1" : RemoteScripts.word(peer), node)
        + start
        + ")\n";
    return "#!/bin/sh\n"
        + "# mapreduce: node " + node + " of cluster " + layout.cluster() + ". No secret here: it comes over ssh.\n"
        + "user=" + RemoteScripts.word(loginUser) + "\n"
        + RemoteScripts.findJava(true)
        + """
        echo "mapreduce boot: java $java"
        home=$(getent passwd "$user" | cut -d : -f 6)
        [ -n "$home" ] || { echo "mapreduce boot: no user $user on this image" >&2; exit %d; }
        """.formatted(NO_USER)
        + PUBLIC_ADDRESS
        + "su -s /bin/sh \"$user\" -c \"HOME='$home' PATH='$PATH' PUBLIC_ADDRESS='$pub' LOCATION='$where' sh -s\" <<'"
        + END + "'\n"
        + "set -e\n" + userPart
        + END + "\n";
  }

  /**
   * Asks the metadata service (IMDSv2, two seconds at most) for the public address, for the status
   * page to answer to it. None off EC2, or without one.
   */
  private static final String PUBLIC_ADDRESS = """
      pub=$(t=$(curl -fsS -m 2 -X PUT -H 'X-aws-ec2-metadata-token-ttl-seconds: 60' \\
          http://169.254.169.254/latest/api/token 2>/dev/null) \\
        && curl -fsS -m 2 -H "X-aws-ec2-metadata-token: $t" http://169.254.169.254/latest/meta-data/public-ipv4 \\
          2>/dev/null || true)
      case "$pub" in *[!0-9.]*) pub='' ;; esac
      where=$(t=$(curl -fsS -m 2 -X PUT -H 'X-aws-ec2-metadata-token-ttl-seconds: 60' \\
          http://169.254.169.254/latest/api/token 2>/dev/null) \\
        && printf 'ec2 %s %s' \\
          "$(curl -fsS -m 2 -H "X-aws-ec2-metadata-token: $t" http://169.254.169.254/latest/meta-data/instance-id)" \\
          "$(curl -fsS -m 2 -H "X-aws-ec2-metadata-token: $t" \\
            http://169.254.169.254/latest/meta-data/placement/availability-zone)" 2>/dev/null || true)
      case "$where" in *[!A-Za-z0-9\\ -]*) where='' ;; esac
      """;

  /** The script as RunInstances takes it: base64. */
  static String base64(String script) {
    return Base64.getEncoder().encodeToString(script.getBytes(StandardCharsets.UTF_8));
  }
}

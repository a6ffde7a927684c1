package io.mapreduce.launcher;

import java.util.List;
import java.util.stream.Collectors;

/**
 * The POSIX shell programs a launcher runs on a node's host (over ssh, or in an instance's user
 * data): find or install Java, start a daemon unless it runs, stop it, report it. Each prints what
 * it did on stdout in lines a launcher reads ({@code java PATH}, {@code running PID},
 * {@code started PID}, {@code stopped}), and fails with one line on stderr and its own exit code.
 */
public final class RemoteScripts {
  /** Exit code of a script that found no Java 17+ and was not allowed to install it. */
  public static final int NO_JAVA = 40;
  /** Exit code of a start whose daemon exited at once (its log's last lines are on stderr). */
  public static final int EXITED_AT_ONCE = 41;
  /** Exit code of a start that waited a minute for another start of the same node. */
  public static final int START_LOCKED = 44;
  /** Exit code of a jar upload whose bytes did not hash to the name. */
  public static final int CORRUPT_JAR = 42;

  private RemoteScripts() {}

  /** A word for a POSIX shell: single-quoted, but a leading {@code $HOME/} stays expandable. */
  public static String word(String s) {
    if (s.startsWith("$HOME/")) {
      return "\"$HOME\"" + word(s.substring("$HOME".length()));
    }
    return "'" + s.replace("'", "'\\''") + "'";
  }

  static String words(List<String> args) {
    return args.stream().map(RemoteScripts::word).collect(Collectors.joining(" "));
  }

  /** Defines {@code find_java}, which sets {@code java} to a Java 17 or newer if one is there. */
  private static final String FIND_JAVA = """
      find_java() {
        for j in "${JAVA_HOME:+$JAVA_HOME/bin/java}" "$(command -v java 2>/dev/null)" /usr/lib/jvm/*/bin/java; do
          [ -n "$j" ] && [ -x "$j" ] || continue
          v=$("$j" -version 2>&1 | sed -n 's/.* version "\\([0-9][0-9]*\\).*/\\1/p' | head -n 1)
          if [ "${v:-0}" -ge 17 ] 2>/dev/null; then java="$j"; return 0; fi
        done
        return 1
      }
      """;

  /**
   * Sets {@code java} to a Java 17 or newer: {@code $JAVA_HOME}'s, the one on the path, or one
   * under /usr/lib/jvm; else installs one through the host's package manager (apt, dnf, yum or
   * apk, as root or with {@code sudo -n}) if {@code install}, else exits with {@link #NO_JAVA}.
   */
  public static String findJava(boolean install) {
    return FIND_JAVA + """
        if ! find_java; then
        """ + (install ? """
          if [ "$(id -u)" = 0 ]; then sudo=""; else sudo="sudo -n"; fi
          if command -v apt-get >/dev/null 2>&1; then
            $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -q openjdk-17-jre-headless >/dev/null 2>&1 \\
              || { $sudo apt-get update -q >/dev/null 2>&1 && $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -q openjdk-17-jre-headless >/dev/null; }
          elif command -v dnf >/dev/null 2>&1; then
            $sudo dnf install -y -q java-17-amazon-corretto-headless >/dev/null 2>&1 || $sudo dnf install -y -q java-17-openjdk-headless >/dev/null
          elif command -v yum >/dev/null 2>&1; then
            $sudo yum install -y -q java-17-amazon-corretto-headless >/dev/null 2>&1 || $sudo yum install -y -q java-17-openjdk-headless >/dev/null
          elif command -v apk >/dev/null 2>&1; then
            $sudo apk add -q openjdk17-jre-headless >/dev/null
          fi
          find_java || { echo "no Java 17 or newer, and installing one failed (apt-get, dnf, yum or apk, as root or with sudo -n)" >&2; exit %d; }
        """.formatted(NO_JAVA) : """
          echo "no Java 17 or newer, and installing it is not allowed (allow it with --install-java)" >&2; exit %d
        """.formatted(NO_JAVA)) + """
        fi
        """;
  }

  /** Shell lines that set {@code alive} to 1 if the node's pid file names its running daemon. */
  private static String aliveCheck(String dir) {
    return "d=" + word(dir) + "\n" + """
        alive=0; p=""
        if [ -f "$d/pid" ]; then
          p=$(cat "$d/pid")
          # The pid must still be this node's daemon, not a process that took a freed pid.
          if kill -0 "$p" 2>/dev/null && tr '\\000' ' ' < "/proc/$p/cmdline" 2>/dev/null | grep -qF -- "$d/"; then alive=1; fi
        fi
        """;
  }

  /**
   * Starts the node's daemon unless it runs: {@code java [javaOpts] -jar JAR ARGS} in its own
   * session, output to {@code node.log}, its pid in {@code pid}. Needs the secret already there.
   */
  public static String start(String nodeDir, String jar, List<String> javaOpts, List<String> args,
      boolean installJava) {
    return "set -e\nd=" + word(nodeDir) + "\n" + """
        mkdir -p "$d"
        # One start of a node at a time (two ups, or one cut short whose ssh still runs): the second
        # waits, then finds the first's daemon running. The daemon does not inherit the lock.
        if command -v flock >/dev/null 2>&1; then
          exec 9>"$d/.start.lock"
          flock -w 60 9 || { echo "another start of this node has held its lock for 60 s" >&2; exit %d; }
        fi
        """.formatted(START_LOCKED) + aliveCheck(nodeDir) + """
        if [ "$alive" = 1 ]; then echo "running $p"; exit 0; fi
        [ -s "$d/secret" ] || { echo "no cluster secret in $d" >&2; exit 43; }
        """ + findJava(installJava) + """
        mkdir -p "$d/work"
        chmod 700 "$d" "$d/work"
        """ + "nohup setsid \"$java\" " + words(javaOpts) + " -jar " + word(jar) + " " + words(args)
        + " > \"$d/node.log\" 2>&1 < /dev/null 9>&- &\n" + """
        p=$!
        echo "$p" > "$d/pid"
        sleep 1
        if ! kill -0 "$p" 2>/dev/null; then
          echo "the daemon exited at once; its log ends: $(tail -n 5 "$d/node.log" | tr '\\n' '|')" >&2
          exit %d
        fi
        echo "started $p"
        """.formatted(EXITED_AT_ONCE);
  }

  /** Stops the node's daemon: SIGTERM, then SIGKILL after {@code graceSeconds}. Prints stopped or killed. */
  public static String stop(String nodeDir, int graceSeconds) {
    return aliveCheck(nodeDir) + """
        if [ "$alive" = 1 ]; then
          kill -TERM "$p" 2>/dev/null || true
          # Tenths of a second where sleep takes them (GNU, busybox), else whole seconds.
          step=0.1; sleep "$step" 2>/dev/null || step=1
          i=0; n=$(awk -v g=%d -v s="$step" 'BEGIN { print int(g / s) }')
          while kill -0 "$p" 2>/dev/null && [ "$i" -lt "$n" ]; do sleep "$step"; i=$((i + 1)); done
          if kill -0 "$p" 2>/dev/null; then kill -KILL "$p" 2>/dev/null || true; echo killed; else echo stopped; fi
        else
          echo "not running"
        fi
        rm -f "$d/pid"
        """.formatted(graceSeconds);
  }

  /** Prints {@code running PID} or {@code not running} for the node. */
  public static String status(String nodeDir) {
    return aliveCheck(nodeDir) + """
        if [ "$alive" = 1 ]; then echo "running $p"; else echo "not running"; fi
        """;
  }

  /** Prints the node log's last lines. */
  static String tail(String nodeDir, int lines) {
    return "d=" + word(nodeDir) + "\n"
        + "if [ -f \"$d/node.log\" ]; then tail -n " + lines + " \"$d/node.log\"; else echo \"(no log at $d/node.log)\"; fi\n";
  }

  /** Writes the secret and the status page token read from stdin (one line each) into the node's directory, 0600. */
  static String writeSecrets(String nodeDir) {
    return "set -e\numask 077\nd=" + word(nodeDir) + "\n" + """
        mkdir -p "$d"
        chmod 700 "$d"
        IFS= read -r secret
        IFS= read -r token
        printf '%s\\n' "$secret" > "$d/secret.new" && mv -f "$d/secret.new" "$d/secret"
        printf '%s\\n' "$token" > "$d/http-token.new" && mv -f "$d/http-token.new" "$d/http-token"
        """;
  }

  /** Prints {@code jar present} or {@code jar absent}, and {@code java PATH} or {@code java none}. */
  static String probe(String jar) {
    return "if [ -f " + word(jar) + " ]; then echo 'jar present'; else echo 'jar absent'; fi\n"
        + FIND_JAVA + "if find_java; then echo \"java $java\"; else echo 'java none'; fi\n";
  }

  /** Receives the jar on stdin into the content-addressed store, checking its hash before it is named. */
  static String receiveJar(String jars, String sha256) {
    return "set -e\nj=" + word(jars) + "\n" + """
        mkdir -p "$j"
        t="$j/.incoming.$$"
        # A copy cut short (a lost connection, a deadline) leaves nothing behind.
        trap 'rm -f "$t"' EXIT HUP INT TERM
        cat > "$t"
        got=$(sha256sum "$t" | cut -d ' ' -f 1)
        if [ "$got" != "%s" ]; then rm -f "$t"; echo "the jar arrived with SHA-256 $got, not %s" >&2; exit %d; fi
        chmod 644 "$t"
        mv -f "$t" "$j/%s.jar"
        echo "jar stored"
        """.formatted(sha256, sha256, CORRUPT_JAR, sha256);
  }

  /** Removes the cluster's directory from the host (after its nodes stopped). */
  static String removeClusterDir(String clusterDir) {
    return "rm -rf " + word(clusterDir) + "\necho removed\n";
  }
}

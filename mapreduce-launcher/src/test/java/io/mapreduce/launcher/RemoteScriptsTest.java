package io.mapreduce.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The shell programs a launcher runs on a host, run for real here by {@code /bin/sh} the way ssh
 * hands them to the remote shell ({@code sh -c WORD}): quoting that survives hostile strings, and
 * start, status and stop of a real daemon (a JVM running a jar made here) in a node directory.
 */
class RemoteScriptsTest {
  @TempDir
  Path tmp;

  private final List<Long> daemons = new ArrayList<>();

  /** A daemon for the scripts to start: sleeps, or with "exit" says why it cannot run and exits at once. */
  public static final class Daemon {
    public static void main(String[] args) throws InterruptedException {
      if (args[0].equals("exit")) {
        System.err.println("cannot listen on 0.0.0.0:7077: Address already in use");
        System.exit(3);
      }
      System.out.println("daemon up");
      Thread.sleep(120_000);
    }
  }

  @AfterEach
  void killDaemons() {
    for (long pid : daemons) {
      ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
    }
  }

  record Run(int exitCode, String out, String err) {}

  /** Runs the script as the remote shell does with ssh's command, {@code sh -c WORD}, with HOME set. */
  private Run sh(String script, byte[] stdin, Map<String, String> env) throws IOException, InterruptedException {
    ProcessBuilder pb = new ProcessBuilder("/bin/sh", "-c", "sh -c " + RemoteScripts.word(script))
        .directory(tmp.toFile()); // where an injected "touch pwned" would leave its mark
    pb.environment().put("HOME", tmp.resolve("home dir").toString());
    pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
    pb.environment().putAll(env);
    Path out = Files.createTempFile(tmp, "out", ".txt");
    Path err = Files.createTempFile(tmp, "err", ".txt");
    Process p = pb.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
    try (var in = p.getOutputStream()) {
      if (stdin != null) {
        in.write(stdin);
      }
    }
    assertThat(p.waitFor(30, TimeUnit.SECONDS)).as("the script ended within 30 s").isTrue();
    return new Run(p.exitValue(), Files.readString(out), Files.readString(err));
  }

  private Run sh(String script) throws IOException, InterruptedException {
    return sh(script, null, Map.of());
  }

  @ParameterizedTest
  @ValueSource(strings = {"a'b\"c$d`e", "$(touch pwned)", "`touch pwned`", "x; touch pwned", "two  spaces\ttab",
      "line\nbreak", "back\\slash\\", "*", "'", "''", "-n", "é ß 漢", "$HOME", "a$HOME/x", " $HOME/x"})
  void word_anyString_reachesTheProgramAsItIs(String s) throws Exception {
    Run r = sh("printf '%s' " + RemoteScripts.word(s));
    assertThat(r.exitCode).isZero();
    assertThat(r.out).isEqualTo(s);
    assertThat(tmp.resolve("pwned")).doesNotExist();
  }

  @Test
  void word_emptyString_isOneEmptyArgument() throws Exception {
    Run r = sh("set -- " + RemoteScripts.word("") + " b; echo $#");
    assertThat(r.out.strip()).isEqualTo("2");
  }

  @Test
  void word_leadingHomeExpands_evenToAHomeWithSpaces_andTheRestStaysQuoted() throws Exception {
    assertThat(sh("printf '%s' " + RemoteScripts.word("$HOME/x")).out).isEqualTo(tmp.resolve("home dir") + "/x");
    assertThat(sh("printf '%s' " + RemoteScripts.word("$HOME/it's $(here)")).out)
        .isEqualTo(tmp.resolve("home dir") + "/it's $(here)");
  }

  @Test
  void words_aListOfHostileArguments_arrivesAsThatList() throws Exception {
    List<String> args = List.of("-Xmx1g", "a b", "", "it's", "$PATH", "--x=\"y\"");
    Run r = sh("for a in " + RemoteScripts.words(args) + "; do printf '[%s]' \"$a\"; done");
    assertThat(r.out).isEqualTo("[-Xmx1g][a b][][it's][$PATH][--x=\"y\"]");
  }

  /** A jar whose main class is {@link Daemon}, copied from this test's classes. */
  private Path daemonJar() throws IOException {
    Path jar = tmp.resolve("daemon.jar");
    Manifest manifest = new Manifest();
    manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
    manifest.getMainAttributes().put(Attributes.Name.MAIN_CLASS, Daemon.class.getName());
    String entry = Daemon.class.getName().replace('.', '/') + ".class";
    try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar), manifest);
        InputStream in = Daemon.class.getResourceAsStream("/" + entry)) {
      out.putNextEntry(new JarEntry(entry));
      in.transferTo(out);
    }
    return jar;
  }

  /** A node directory with its secret, as {@code up} leaves it before starting the daemon. */
  private String nodeDir() throws IOException {
    Path d = Files.createDirectories(tmp.resolve("clusters/lab/worker-1"));
    Files.writeString(d.resolve("secret"), "s3cret\n");
    return d.toString();
  }

  private String start(String dir, String jar, String mode) {
    // The daemon's arguments name its directory, as a real node's --secret-file does: that is how it is known.
    return RemoteScripts.start(dir, jar, List.of("-Xmx32m", "-XX:TieredStopAtLevel=1"), List.of(mode, dir + "/work"),
        false);
  }

  private long pidIn(Run r, String word) {
    assertThat(r.out.strip()).as("stdout; stderr: %s", r.err).matches(word + " \\d+");
    long pid = Long.parseLong(r.out.strip().substring(word.length() + 1));
    daemons.add(pid);
    return pid;
  }

  @Test
  void start_startsTheDaemonOnce_statusSeesIt_stopEndsIt() throws Exception {
    String dir = nodeDir();
    String jar = daemonJar().toString();

    long pid = pidIn(sh(start(dir, jar, "sleep")), "started");
    assertThat(Files.readString(Path.of(dir, "pid")).strip()).isEqualTo(Long.toString(pid));
    assertThat(ProcessHandle.of(pid)).hasValueSatisfying(p -> assertThat(p.isAlive()).isTrue());
    assertThat(Files.getPosixFilePermissions(Path.of(dir))).isEqualTo(PosixFilePermissions.fromString("rwx------"));
    assertThat(Path.of(dir, "work")).isDirectory();
    assertThat(Files.readString(Path.of(dir, "node.log"))).contains("daemon up");

    // Started again: it runs, nothing new is started.
    assertThat(sh(start(dir, jar, "sleep")).out.strip()).isEqualTo("running " + pid);
    assertThat(sh(RemoteScripts.status(dir)).out.strip()).isEqualTo("running " + pid);

    // Stopped: SIGTERM ends the JVM within the grace, and the pid file goes.
    Run stop = sh(RemoteScripts.stop(dir, 10));
    assertThat(stop.out.strip()).isEqualTo("stopped");
    assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)).isFalse();
    assertThat(Path.of(dir, "pid")).doesNotExist();
    assertThat(sh(RemoteScripts.status(dir)).out.strip()).isEqualTo("not running");
    assertThat(sh(RemoteScripts.stop(dir, 10)).out.strip()).isEqualTo("not running");
  }

  @Test
  void twoStartsAtOnce_startOneDaemon_theOtherFindsItRunning() throws Exception {
    String dir = nodeDir();
    String jar = daemonJar().toString();
    java.util.concurrent.ExecutorService two = java.util.concurrent.Executors.newFixedThreadPool(2);
    try {
      var a = two.submit(() -> sh(start(dir, jar, "sleep")));
      var b = two.submit(() -> sh(start(dir, jar, "sleep")));
      List<String> outs = List.of(a.get().out.strip(), b.get().out.strip());
      String started = outs.stream().filter(o -> o.startsWith("started ")).findFirst().orElseThrow(
          () -> new AssertionError("neither started: " + outs));
      long pid = Long.parseLong(started.substring("started ".length()));
      daemons.add(pid);
      // The lock is the start's, not the daemon's: the other start waited for it, then found the daemon.
      assertThat(outs).containsExactlyInAnyOrder(started, "running " + pid);
    } finally {
      two.shutdownNow();
    }
  }

  @Test
  void pidFileNamingAnotherProcess_isNotTakenForTheDaemon() throws Exception {
    String dir = nodeDir();
    Process stranger = new ProcessBuilder("sleep", "60").start();
    daemons.add(stranger.pid());
    Files.writeString(Path.of(dir, "pid"), stranger.pid() + "\n");

    assertThat(sh(RemoteScripts.status(dir)).out.strip()).isEqualTo("not running");
    assertThat(sh(RemoteScripts.stop(dir, 10)).out.strip()).isEqualTo("not running");
    assertThat(stranger.isAlive()).as("stop left the stranger alone").isTrue();

    Files.writeString(Path.of(dir, "pid"), stranger.pid() + "\n");
    long pid = pidIn(sh(start(dir, daemonJar().toString(), "sleep")), "started");
    assertThat(pid).isNotEqualTo(stranger.pid());
    assertThat(stranger.isAlive()).isTrue();
  }

  @Test
  void start_daemonThatExitsAtOnce_failsWithTheEndOfItsLog() throws Exception {
    String dir = nodeDir();
    Run r = sh(start(dir, daemonJar().toString(), "exit"));
    assertThat(r.exitCode).isEqualTo(RemoteScripts.EXITED_AT_ONCE);
    assertThat(r.out).doesNotContain("started");
    assertThat(r.err.strip()).isEqualTo("the daemon exited at once; its log ends: cannot listen on 0.0.0.0:7077:"
        + " Address already in use|");
  }

  @Test
  void start_withoutTheSecret_refusesToStart() throws Exception {
    String dir = nodeDir();
    Files.delete(Path.of(dir, "secret"));
    Run r = sh(start(dir, daemonJar().toString(), "sleep"));
    assertThat(r.exitCode).isEqualTo(43);
    assertThat(r.err.strip()).isEqualTo("no cluster secret in " + dir);
    assertThat(Path.of(dir, "pid")).doesNotExist();
  }

  @Test
  void probe_saysWhetherTheJarIsThere_andWhichJava() throws Exception {
    Path jar = daemonJar();
    assertThat(sh(RemoteScripts.probe(jar.toString())).out.lines()).containsExactly("jar present",
        "java " + System.getProperty("java.home") + "/bin/java");
    assertThat(sh(RemoteScripts.probe(jar + ".gone")).out.lines().findFirst()).hasValue("jar absent");
  }

  @Test
  void receiveJar_storesBytesOnlyUnderTheirOwnHash() throws Exception {
    Path jar = daemonJar();
    String sha = SshLauncher.sha256(jar);
    byte[] bytes = Files.readAllBytes(jar);
    Path store = tmp.resolve("home dir/.mapreduce/jars");

    byte[] corrupt = bytes.clone();
    corrupt[corrupt.length / 2] ^= 1;
    Run wrong = sh(RemoteScripts.receiveJar("$HOME/.mapreduce/jars", sha), corrupt, Map.of());
    assertThat(wrong.exitCode).isEqualTo(RemoteScripts.CORRUPT_JAR);
    assertThat(wrong.err.strip()).matches("the jar arrived with SHA-256 [0-9a-f]{64}, not " + sha);
    try (var files = Files.list(store)) {
      assertThat(files).as("nothing left of the bad upload").isEmpty();
    }

    Run right = sh(RemoteScripts.receiveJar("$HOME/.mapreduce/jars", sha), bytes, Map.of());
    assertThat(right.out.strip()).as("stderr: %s", right.err).isEqualTo("jar stored");
    assertThat(store.resolve(sha + ".jar")).hasBinaryContent(bytes);
    assertThat(sh(RemoteScripts.probe("$HOME/.mapreduce/jars/" + sha + ".jar")).out).startsWith("jar present\n");
  }

  @Test
  void writeSecrets_writesBothFromStdin_readableOnlyByTheUser() throws Exception {
    String dir = tmp.resolve("clusters/lab/master").toString();
    Run r = sh(RemoteScripts.writeSecrets(dir), "the-secret\nthe-token\n".getBytes(StandardCharsets.UTF_8),
        Map.of());
    assertThat(r.exitCode).as("stderr: %s", r.err).isZero();
    assertThat(Files.readString(Path.of(dir, "secret"))).isEqualTo("the-secret\n");
    assertThat(Files.readString(Path.of(dir, "http-token"))).isEqualTo("the-token\n");
    assertThat(Files.getPosixFilePermissions(Path.of(dir, "secret"))).isEqualTo(
        PosixFilePermissions.fromString("rw-------"));
    assertThat(Files.getPosixFilePermissions(Path.of(dir))).isEqualTo(PosixFilePermissions.fromString("rwx------"));
  }
}

package io.mapreduce.launcher;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Runs shell programs on hosts with the system's {@code ssh}: never prompting (batch mode), never
 * hanging (a connect timeout, keep-alives, and a deadline on every step after which the process is
 * killed), and trusting a host key on first contact only, into the cluster's own known-hosts file
 * ({@code StrictHostKeyChecking=accept-new}: a changed key is refused, never accepted). The
 * program travels as ssh's remote command ({@code sh -c '...'}), with no secret in it: secrets
 * and jars go on stdin.
 */
final class Ssh {
  /** Pumps the ssh processes' streams: blocking reads, so not the common pool (one thread on 2 CPUs). */
  private static final java.util.concurrent.ExecutorService PUMPS = java.util.concurrent.Executors.newCachedThreadPool(
      r -> {
        Thread t = new Thread(r, "mapreduce-ssh-pump");
        t.setDaemon(true);
        return t;
      });
  private final String user;
  private final Path identity;
  private final int port;
  private final Path knownHosts;
  private final Duration connectTimeout;

  Ssh(String user, Path identity, int port, Path knownHosts, Duration connectTimeout) {
    if (knownHosts.toString().matches(".*[\"%~].*")) {
      throw new IllegalArgumentException("the state directory's path " + knownHosts.getParent()
          + " holds a quote, % or ~, which ssh would read as its own: choose another (MAPREDUCE_STATE_DIR)");
    }
    this.user = user;
    this.identity = identity;
    this.port = port;
    this.knownHosts = knownHosts;
    this.connectTimeout = connectTimeout;
  }

  /** What a remote step printed, and how it ended. */
  record Result(String host, int exitCode, String out, String err) {
    boolean ok() {
      return exitCode == 0;
    }

    /** The step's failure in one line: ssh's own words when it could not connect. */
    String failure(String step) {
      String why = err.strip().isEmpty() ? out.strip() : err.strip();
      why = why.replace('\n', ' ').replace('\r', ' ');
      if (exitCode == 255) {
        return host + ": " + step + ": ssh failed: " + (why.isEmpty() ? "exit status 255" : why);
      }
      if (exitCode == TIMED_OUT) {
        return host + ": " + step + ": no answer within the step's deadline";
      }
      return host + ": " + step + ": " + (why.isEmpty() ? "exit status " + exitCode : why);
    }
  }

  static final int TIMED_OUT = -1;

  List<String> command(String host, String script) {
    List<String> cmd = new ArrayList<>(List.of("ssh",
        "-o", "BatchMode=yes",
        "-o", "ConnectTimeout=" + Math.max(1, connectTimeout.toSeconds()),
        "-o", "StrictHostKeyChecking=accept-new",
        // Quoted: ssh splits option values at blanks (and expands % and ~, refused in the state path).
        "-o", "UserKnownHostsFile=\"" + knownHosts + "\"",
        // The user's connection sharing would skip this cluster's known hosts on a shared connection.
        "-o", "ControlMaster=no",
        "-o", "ControlPath=none",
        "-o", "GlobalKnownHostsFile=/dev/null",
        "-o", "ServerAliveInterval=5",
        "-o", "ServerAliveCountMax=3",
        "-o", "LogLevel=ERROR",
        "-p", Integer.toString(port)));
    if (identity != null) {
      cmd.addAll(List.of("-o", "IdentitiesOnly=yes", "-i", identity.toString()));
    }
    if (user != null) {
      cmd.addAll(List.of("-l", user));
    }
    cmd.add("--");
    cmd.add(host);
    cmd.add("sh -c " + RemoteScripts.word(script));
    return cmd;
  }

  /** Runs the script on the host, with {@code stdin} (or nothing) as its input, within the deadline. */
  Result run(String host, String script, InputStream stdin, Duration deadline) throws InterruptedException {
    Process p;
    try {
      p = new ProcessBuilder(command(host, script)).start();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot run ssh (is OpenSSH's client installed?): " + e.getMessage(), e);
    }
    CompletableFuture<String> out = drain(p.getInputStream());
    CompletableFuture<String> err = drain(p.getErrorStream());
    CompletableFuture<Void> in = CompletableFuture.runAsync(() -> feed(stdin, p.getOutputStream()), PUMPS);
    try {
      if (!p.waitFor(deadline.toMillis(), TimeUnit.MILLISECONDS)) {
        p.destroyForcibly();
        p.waitFor(5, TimeUnit.SECONDS);
        return new Result(host, TIMED_OUT, out.getNow(""), err.getNow(""));
      }
    } catch (InterruptedException e) {
      // The step is abandoned (another host's failed, or the caller gave up): so is its ssh.
      p.destroyForcibly();
      throw e;
    }
    in.cancel(true);
    return new Result(host, p.exitValue(), out.join(), err.join());
  }

  private static void feed(InputStream stdin, OutputStream to) {
    try (OutputStream o = to) {
      if (stdin != null) {
        stdin.transferTo(o);
      }
    } catch (IOException e) {
      // the remote side ended early: its exit status says why
    }
  }

  private static CompletableFuture<String> drain(InputStream from) {
    return CompletableFuture.supplyAsync(() -> {
      try (InputStream in = from) {
        return new String(in.readAllBytes(), StandardCharsets.UTF_8);
      } catch (IOException e) {
        return "";
      }
    }, PUMPS);
  }
}

package io.mapreduce.netty.master;

import io.mapreduce.netty.protocol.ClusterSecret;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;

/**
 * A master in its own JVM with its status page on an ephemeral port, for {@link StatusPageAttackIT}:
 * {@code StatusPageMasterProcess WORK_DIR READY_FILE BIND HTTP_BIND|- [TOKEN_FILE]} ({@code -}: the
 * default, loopback). A BIND off loopback gets a fixed cluster secret. Writes "PID PORT HTTP_PORT"
 * to READY_FILE once it listens, then runs until killed; a refused start exits 3 with the reason
 * on stderr.
 */
public final class StatusPageMasterProcess {
  static final String SECRET = "status-page-it-secret-0123456789";

  private StatusPageMasterProcess() {}

  public static void main(String[] args) throws Exception {
    Master.Config local = Master.Config.local();
    String bind = args[2];
    ClusterSecret secret = bind.equals("127.0.0.1") ? ClusterSecret.NONE : ClusterSecret.of(SECRET);
    Master.Config config = new Master.Config(bind, 0, local.policy(), secret, local.maxFrameBytes(), local.settings(),
        Path.of(args[0]), 0, local.tls());
    if (!args[3].equals("-") || args.length > 4) {
      config = config.withStatusPage(StatusPageAccess.of(args[3].equals("-") ? "127.0.0.1" : args[3],
          args.length > 4 ? Path.of(args[4]) : null, List.of()));
    }
    Master m;
    try {
      m = Master.start(config);
    } catch (IllegalArgumentException e) {
      System.err.println("refused: " + e.getMessage());
      System.exit(3);
      return;
    }
    Runtime.getRuntime().addShutdownHook(new Thread(m::close));
    Path ready = Path.of(args[1]);
    Path tmp = ready.resolveSibling(ready.getFileName() + ".tmp");
    Files.writeString(tmp, ProcessHandle.current().pid() + " " + m.port() + " " + m.httpPort());
    Files.move(tmp, ready, StandardCopyOption.ATOMIC_MOVE);
    Thread.currentThread().join();
  }
}

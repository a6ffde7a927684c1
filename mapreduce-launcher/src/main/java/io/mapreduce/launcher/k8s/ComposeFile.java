package io.mapreduce.launcher.k8s;

import java.util.List;

/**
 * A {@code compose.yaml} for the same cluster on one machine: a master and {@code workers}
 * workers (each its own service, so each has a name the others resolve), with the cluster secret
 * as a compose secret file, never an environment variable.
 *
 * <p>Compose mounts a secret file as it is on the host (its owner and mode; the long syntax's
 * {@code uid} and {@code mode} apply to swarm only), and the daemons accept a secret file only
 * with mode 0600 or less. So the services run as the user that owns the file: {@code user} is
 * that user's {@code uid:gid}, chosen when the files are written ({@link ClusterFiles}).
 */
final class ComposeFile {
  static final String SECRET_FILE = "cluster-secret";

  private ComposeFile() {}

  /**
   * @param user the {@code uid:gid} the services run as: the owner of the secret file
   */
  static String render(KubernetesCluster c, String user) {
    KubernetesCluster.Ports p = c.ports();
    StringBuilder y = new StringBuilder()
        // No top-level "name": the compose schema the tests validate against predates it.
        .append("# Cluster ").append(c.name()).append(" on this machine: docker compose -p ").append(c.name())
        .append(" up (or podman compose).\n")
        .append("# Written by 'mapreduce cluster k8s manifest'. Clients reach the master at 127.0.0.1:")
        .append(p.master()).append(" with --secret-file ").append(SECRET_FILE).append(".\n")
        .append("services:\n");
    service(y, c, "master", user, Manifests.masterArgs(c, "/run/secrets/" + SECRET_FILE));
    y.append("    ports:\n")
        .append("      - ").append(Yaml.quote("127.0.0.1:" + p.master() + ":" + p.master())).append('\n');
    for (int i = 1; i <= c.workers(); i++) {
      String name = "worker-" + i;
      service(y, c, name, user, Manifests.workerArgs(c, name, "/run/secrets/" + SECRET_FILE,
          "compose " + name));
      y.append("    hostname: ").append(name).append('\n')
          .append("    depends_on:\n")
          .append("      master:\n")
          .append("        condition: service_healthy\n");
    }
    return y.append("secrets:\n")
        .append("  ").append(SECRET_FILE).append(":\n")
        .append("    file: ./").append(SECRET_FILE).append('\n')
        .toString();
  }

  private static void service(StringBuilder y, KubernetesCluster c, String name, String user, List<String> command) {
    y.append("  ").append(name).append(":\n")
        .append("    image: ").append(Yaml.quote(c.image())).append('\n')
        .append("    command: ").append(flow(command)).append('\n')
        .append("    user: ").append(Yaml.quote(user)).append('\n')
        .append("    read_only: true\n")
        // The daemon makes its work directory (mode 0700) inside /work.
        .append("    tmpfs:\n")
        .append("      - /tmp\n")
        .append("      - /work:mode=1777\n")
        .append("    secrets:\n")
        .append("      - ").append(SECRET_FILE).append('\n')
        // The image has bash but no HTTP client: ask /readyz over bash's /dev/tcp.
        .append("    healthcheck:\n")
        .append("      test: ").append(flow(List.of("CMD", "bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/"
            + c.ports().health() + " && printf 'GET /readyz HTTP/1.0\\r\\n\\r\\n' >&3 && grep -q '^HTTP/1.[01] 200' <&3")))
        .append('\n')
        .append("      interval: 5s\n")
        .append("      timeout: 3s\n")
        .append("      retries: 12\n");
  }

  private static String flow(List<String> items) {
    StringBuilder b = new StringBuilder("[");
    for (String s : items) {
      b.append(b.length() > 1 ? ", " : "").append(Yaml.quote(s));
    }
    return b.append(']').toString();
  }
}

package io.mapreduce.launcher.k8s;

import java.util.List;

/**
 * The Kubernetes manifests of a {@link KubernetesCluster}, as YAML text: a namespace, the cluster
 * secret, the master (a Deployment of one and its Service) and the workers (a Deployment).
 *
 * <p>The workers are a Deployment, not a StatefulSet: they are interchangeable, each registers
 * under its pod IP, and none needs a stable name or disk of its own (a lost worker's map outputs
 * are re-run by the master). The master is a Deployment of one with the {@code Recreate}
 * strategy, so an update never runs two masters at once.
 *
 * <p>The secret reaches a daemon as a file of mode 0600 that its own user owns, which is what
 * {@code --secret-file} accepts: Kubernetes mounts a Secret owned by root (mode 0400 here), and
 * with {@code fsGroup} set it adds group read (0440), which the daemons refuse. So an init
 * container, as the pod's user in the {@code fsGroup}, copies it into a memory-backed emptyDir
 * with mode 0600, and the daemon reads that copy.
 */
final class Manifests {
  /** The uid and gid the pods run as: the image's own non-root user (see {@link ClusterFiles#dockerfile}). */
  static final int USER = 10001;
  static final String SECRET_NAME = "cluster-secret";
  static final String SECRET_KEY = "cluster-secret";
  /** Where the daemons read the secret: the init container's copy. */
  static final String SECRET_FILE = "/run/mapreduce/" + SECRET_KEY;
  static final String WORK_DIR = "/work/data";

  private Manifests() {}

  static String namespace(KubernetesCluster c) {
    return header("The namespace of cluster " + c.name() + ": everything else lives in it.")
        + "apiVersion: v1\n"
        + "kind: Namespace\n"
        + "metadata:\n"
        + "  name: " + c.name() + "\n"
        + labels("  ", c, null);
  }

  /** The Secret holding the cluster secret; {@code secret} goes into the text as it is. */
  static String secret(KubernetesCluster c, String secret) {
    return header("The cluster secret, generated when this file was written (keep this file private: mode 0600).")
        + "apiVersion: v1\n"
        + "kind: Secret\n"
        + "metadata:\n"
        + "  name: " + SECRET_NAME + "\n"
        + "  namespace: " + c.name() + "\n"
        + labels("  ", c, null)
        + "type: Opaque\n"
        + "stringData:\n"
        + "  " + SECRET_KEY + ": " + Yaml.quote(secret) + "\n";
  }

  static String master(KubernetesCluster c) {
    KubernetesCluster.Ports p = c.ports();
    return header("The master: one pod (Recreate: never two at once), and the Service workers and clients reach it by.")
        + "apiVersion: v1\n"
        + "kind: Service\n"
        + "metadata:\n"
        + "  name: master\n"
        + "  namespace: " + c.name() + "\n"
        + labels("  ", c, "master")
        + "spec:\n"
        + "  selector:\n"
        + selector("    ", c, "master")
        + "  ports:\n"
        + "    - name: jobs\n"
        + "      port: " + p.master() + "\n"
        + "      targetPort: jobs\n"
        + "      protocol: TCP\n"
        + "---\n"
        + deployment(c, "master", "master", 1, "  strategy:\n    type: Recreate\n")
        + podSpec(c, "master", c.master(), list("            ", masterArgs(c, SECRET_FILE)),
            ""
            + "            - name: jobs\n"
            + "              containerPort: " + p.master() + "\n"
            + "              protocol: TCP\n",
            "");
  }

  static String workers(KubernetesCluster c) {
    KubernetesCluster.Ports p = c.ports();
    return header("The workers: interchangeable pods (a Deployment), spread across nodes, each advertising its pod IP.")
        + deployment(c, "workers", "worker", c.workers(), "")
        // ScheduleAnyway: a cluster of one node still runs every worker, just not spread.
        + "      topologySpreadConstraints:\n"
        + "        - maxSkew: 1\n"
        + "          topologyKey: kubernetes.io/hostname\n"
        + "          whenUnsatisfiable: ScheduleAnyway\n"
        + "          labelSelector:\n"
        + "            matchLabels:\n"
        + selector("              ", c, "worker")
        + podSpec(c, "worker", c.worker(), list("            ", workerArgs(c, "$(POD_IP)", SECRET_FILE, "k8s $(POD_NAME) on $(NODE_NAME)")),
            ""
            + "            - name: shuffle\n"
            + "              containerPort: " + p.shuffle() + "\n"
            + "              protocol: TCP\n",
            ""
            + "          env:\n"
            + "            - name: POD_IP\n"
            + "              valueFrom:\n"
            + "                fieldRef:\n"
            + "                  fieldPath: status.podIP\n"
            + "            - name: POD_NAME\n"
            + "              valueFrom:\n"
            + "                fieldRef:\n"
            + "                  fieldPath: metadata.name\n"
            + "            - name: NODE_NAME\n"
            + "              valueFrom:\n"
            + "                fieldRef:\n"
            + "                  fieldPath: spec.nodeName\n");
  }

  /** The master's command line (after the image's {@code java -jar}), reading the secret from {@code secretFile}. */
  static List<String> masterArgs(KubernetesCluster c, String secretFile) {
    KubernetesCluster.Ports p = c.ports();
    return List.of("master", "--bind", "0.0.0.0", "--port", String.valueOf(p.master()), "--http-port",
        String.valueOf(p.http()), "--health-port", String.valueOf(p.health()), "--secret-file", secretFile,
        "--work-dir", WORK_DIR);
  }

  /** A worker's command line, advertising itself as {@code advertise}, saying it runs at {@code location}. */
  static List<String> workerArgs(KubernetesCluster c, String advertise, String secretFile, String location) {
    KubernetesCluster.Ports p = c.ports();
    return List.of("worker", "--master", "master:" + p.master(), "--slots", String.valueOf(c.slots()), "--bind",
        "0.0.0.0", "--advertise", advertise, "--shuffle-port", String.valueOf(p.shuffle()), "--health-port",
        String.valueOf(p.health()), "--secret-file", secretFile, "--work-dir", WORK_DIR, "--location", location);
  }

  /** A block sequence at {@code indent}; a number is quoted, as a container's args are strings. */
  private static String list(String indent, List<String> items) {
    StringBuilder b = new StringBuilder();
    for (String item : items) {
      b.append(indent).append("- ").append(item.chars().allMatch(Character::isDigit) ? Yaml.quote(item) : item)
          .append('\n');
    }
    return b.toString();
  }

  /** A Deployment up to its pod template's {@code spec:}, which the caller goes on with. */
  private static String deployment(KubernetesCluster c, String name, String component, int replicas,
      String strategy) {
    return "apiVersion: apps/v1\n"
        + "kind: Deployment\n"
        + "metadata:\n"
        + "  name: " + name + "\n"
        + "  namespace: " + c.name() + "\n"
        + labels("  ", c, component)
        + "spec:\n"
        + "  replicas: " + replicas + "\n"
        + strategy
        + "  selector:\n"
        + "    matchLabels:\n"
        + selector("      ", c, component)
        + "  template:\n"
        + "    metadata:\n"
        + labels("      ", c, component)
        + "    spec:\n";
  }

  /**
   * The pod spec below {@code spec:} of a template (at indent 6): its security context, the init
   * container that copies the secret, the daemon's container and the volumes.
   */
  private static String podSpec(KubernetesCluster c, String component, KubernetesCluster.Resources r, String args,
      String ports, String env) {
    KubernetesCluster.Ports p = c.ports();
    return ""
        // The daemons use no Kubernetes API: no token in their pods.
        + "      automountServiceAccountToken: false\n"
        + "      enableServiceLinks: false\n"
        + "      terminationGracePeriodSeconds: 30\n"
        + "      securityContext:\n"
        + "        runAsNonRoot: true\n"
        + "        runAsUser: " + USER + "\n"
        + "        runAsGroup: " + USER + "\n"
        + "        fsGroup: " + USER + "\n"
        + "        seccompProfile:\n"
        + "          type: RuntimeDefault\n"
        + "      initContainers:\n"
        + "        - name: secret\n"
        + "          image: " + Yaml.quote(c.image()) + "\n"
        + "          command:\n"
        + "            - /bin/sh\n"
        + "            - -c\n"
        // umask 077: the copy is 0400 (0440 less group), this user's, as --secret-file wants it.
        + "            - umask 077 && rm -f " + SECRET_FILE + " && cp /etc/mapreduce/secret/" + SECRET_KEY + " "
        + SECRET_FILE + "\n"
        + containerSecurity()
        + "          resources:\n"
        + "            requests:\n"
        + "              cpu: 10m\n"
        + "              memory: 16Mi\n"
        + "            limits:\n"
        + "              cpu: 100m\n"
        + "              memory: 32Mi\n"
        + "          volumeMounts:\n"
        + "            - name: secret\n"
        + "              mountPath: /etc/mapreduce/secret\n"
        + "              readOnly: true\n"
        + "            - name: secret-copy\n"
        + "              mountPath: /run/mapreduce\n"
        + "      containers:\n"
        + "        - name: " + component + "\n"
        + "          image: " + Yaml.quote(c.image()) + "\n"
        + "          args:\n"
        + args
        + env
        + "          ports:\n"
        + ports
        + "            - name: health\n"
        + "              containerPort: " + p.health() + "\n"
        + "              protocol: TCP\n"
        + "          readinessProbe:\n"
        + "            httpGet:\n"
        + "              path: /readyz\n"
        + "              port: health\n"
        + "            periodSeconds: 5\n"
        + "            timeoutSeconds: 2\n"
        + "            failureThreshold: 3\n"
        // Generous: a master reading a long journal is alive (the endpoint answers from the start).
        + "          livenessProbe:\n"
        + "            httpGet:\n"
        + "              path: /healthz\n"
        + "              port: health\n"
        + "            initialDelaySeconds: 10\n"
        + "            periodSeconds: 10\n"
        + "            timeoutSeconds: 2\n"
        + "            failureThreshold: 3\n"
        + "          resources:\n"
        + "            requests:\n"
        + "              cpu: " + Yaml.quote(r.cpuRequest()) + "\n"
        + "              memory: " + Yaml.quote(r.memoryRequest()) + "\n"
        + "            limits:\n"
        + (r.cpuLimit() == null ? "" : "              cpu: " + Yaml.quote(r.cpuLimit()) + "\n")
        + "              memory: " + Yaml.quote(r.memoryLimit()) + "\n"
        + containerSecurity()
        + "          volumeMounts:\n"
        + "            - name: secret-copy\n"
        + "              mountPath: /run/mapreduce\n"
        + "              readOnly: true\n"
        + "            - name: work\n"
        + "              mountPath: /work\n"
        + "            - name: tmp\n"
        + "              mountPath: /tmp\n"
        + "      volumes:\n"
        + "        - name: secret\n"
        + "          secret:\n"
        + "            secretName: " + SECRET_NAME + "\n"
        + "            defaultMode: 256 # 0400\n"
        + "        - name: secret-copy\n"
        + "          emptyDir:\n"
        + "            medium: Memory\n"
        + "            sizeLimit: 1Mi\n"
        + "        - name: work\n"
        + "          emptyDir: {}\n"
        + "        - name: tmp\n"
        + "          emptyDir: {}\n";
  }

  private static String containerSecurity() {
    return ""
        + "          securityContext:\n"
        + "            allowPrivilegeEscalation: false\n"
        + "            readOnlyRootFilesystem: true\n"
        + "            capabilities:\n"
        + "              drop:\n"
        + "                - ALL\n";
  }

  /** The {@code labels:} block of a metadata, at {@code indent}. */
  private static String labels(String indent, KubernetesCluster c, String component) {
    return indent + "labels:\n" + selector(indent + "  ", c, component);
  }

  /** The labels that pick out this cluster's pods of one component (all of it when null). */
  private static String selector(String indent, KubernetesCluster c, String component) {
    return indent + "app.kubernetes.io/name: mapreduce\n"
        + indent + "app.kubernetes.io/instance: " + c.name() + "\n"
        + (component == null ? "" : indent + "app.kubernetes.io/component: " + component + "\n");
  }

  private static String header(String comment) {
    return "# " + comment + "\n# Written by 'mapreduce cluster k8s manifest'.\n";
  }
}

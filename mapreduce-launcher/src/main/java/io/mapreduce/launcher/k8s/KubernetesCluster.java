package io.mapreduce.launcher.k8s;

import java.util.Objects;
import java.util.regex.Pattern;

/**
 * What a cluster on Kubernetes (or under compose) is made of: its name, the image its pods run,
 * how many workers with how many slots, what each pod asks for and may use, and the daemons'
 * ports. Immutable; made with {@link #builder(String, String)}, whose setters check their
 * arguments.
 *
 * @param name the namespace, and the {@code app.kubernetes.io/instance} label of everything in it
 *     (a DNS-1123 label)
 * @param image the image of the master and worker pods, as built from the {@code Dockerfile}
 *     written beside the manifests
 * @param workers worker replicas
 * @param slots tasks a worker runs at once ({@code --slots})
 * @param master what the master's pod asks for and may use
 * @param worker what each worker's pod asks for and may use
 * @param ports the daemons' ports
 */
public record KubernetesCluster(String name, String image, int workers, int slots, Resources master,
    Resources worker, Ports ports) {
  /** Kubernetes' DNS-1123 label: what a namespace name and a label value may be. */
  private static final Pattern DNS_1123_LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?");
  /** A Kubernetes resource quantity in the forms these manifests use: 500m, 2, 1.5, 512Mi, 2Gi, 1G. */
  private static final Pattern QUANTITY = Pattern.compile("[0-9]+(\\.[0-9]+)?(m|k|Ki|M|Mi|G|Gi|T|Ti)?");
  /** An image reference: no spaces, no quotes, nothing a YAML or shell reader would take apart. */
  private static final Pattern IMAGE = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._/:@+-]*");
  static final int MAX_WORKERS = 10_000;
  static final int MAX_SLOTS = 1_024;

  public KubernetesCluster {
    checkName(name);
    checkImage(image);
    checkRange("workers", workers, 0, MAX_WORKERS);
    checkRange("slots", slots, 1, MAX_SLOTS);
    Objects.requireNonNull(master, "master");
    Objects.requireNonNull(worker, "worker");
    Objects.requireNonNull(ports, "ports");
  }

  /**
   * CPU and memory of one pod: what it asks for (the scheduler places it where that is free) and
   * the most it may use (memory beyond its limit kills it; CPU beyond it is throttled).
   *
   * @param cpuLimit null: no CPU limit
   */
  public record Resources(String cpuRequest, String cpuLimit, String memoryRequest, String memoryLimit) {
    public Resources {
      checkQuantity("CPU request", cpuRequest);
      if (cpuLimit != null) {
        checkQuantity("CPU limit", cpuLimit);
      }
      checkQuantity("memory request", memoryRequest);
      checkQuantity("memory limit", memoryLimit);
    }
  }

  /**
   * The daemons' ports in their pods.
   *
   * @param master the master's port for workers and clients ({@code --port}), behind the Service
   * @param http the master's status page ({@code --http-port}), on the pod's loopback only:
   *     reached with {@code kubectl port-forward}
   * @param health the health endpoint of every daemon ({@code --health-port}), for the probes
   * @param shuffle the port a worker serves map outputs on ({@code --shuffle-port})
   */
  public record Ports(int master, int http, int health, int shuffle) {
    /** 7077 for the master, 8080 for its status page, 8081 for health, 7078 for the shuffle. */
    public static final Ports DEFAULT = new Ports(7077, 8080, 8081, 7078);

    public Ports {
      checkRange("master port", master, 1, 65535);
      checkRange("status page port", http, 1, 65535);
      checkRange("health port", health, 1, 65535);
      checkRange("shuffle port", shuffle, 1, 65535);
      if (health == master || health == http || http == master || shuffle == health) {
        throw new IllegalArgumentException("the ports must differ (master " + master + ", status page " + http
            + ", health " + health + ", shuffle " + shuffle + ")");
      }
    }
  }

  /** A builder with these defaults: 2 workers of 2 slots, {@link Ports#DEFAULT}, modest resources. */
  public static Builder builder(String name, String image) {
    return new Builder(name, image);
  }

  /** Sets what differs from the defaults; each setter checks its argument at once. */
  public static final class Builder {
    private final String name;
    private final String image;
    private int workers = 2;
    private int slots = 2;
    private Resources master = new Resources("500m", null, "1Gi", "1Gi");
    private Resources worker = new Resources("1", "2", "2Gi", "2Gi");
    private Ports ports = Ports.DEFAULT;

    private Builder(String name, String image) {
      this.name = checkName(name);
      this.image = checkImage(image);
    }

    /** Worker replicas, 0 to {@value KubernetesCluster#MAX_WORKERS}. */
    public Builder workers(int n) {
      workers = checkRange("workers", n, 0, MAX_WORKERS);
      return this;
    }

    /** Tasks each worker runs at once, 1 to {@value KubernetesCluster#MAX_SLOTS}. */
    public Builder slots(int n) {
      slots = checkRange("slots", n, 1, MAX_SLOTS);
      return this;
    }

    public Builder master(Resources r) {
      master = Objects.requireNonNull(r, "master");
      return this;
    }

    public Builder worker(Resources r) {
      worker = Objects.requireNonNull(r, "worker");
      return this;
    }

    public Builder ports(Ports p) {
      ports = Objects.requireNonNull(p, "ports");
      return this;
    }

    public KubernetesCluster build() {
      return new KubernetesCluster(name, image, workers, slots, master, worker, ports);
    }
  }

  /**
   * Checks a cluster name: it names the namespace, so it is a DNS-1123 label.
   *
   * @throws IllegalArgumentException in one line naming the name and what it must be
   */
  static String checkName(String name) {
    Objects.requireNonNull(name, "name");
    if (name.length() > 63 || !DNS_1123_LABEL.matcher(name).matches()) {
      throw new IllegalArgumentException("cluster name '" + printable(name) + "' is not a DNS-1123 label: 1 to 63 "
          + "lower-case letters, digits and '-', starting and ending with a letter or digit");
    }
    return name;
  }

  private static String checkImage(String image) {
    Objects.requireNonNull(image, "image");
    if (image.length() > 512 || !IMAGE.matcher(image).matches()) {
      throw new IllegalArgumentException("image '" + printable(image) + "' is not an image reference such as "
          + "registry.example/mapreduce:0.1.0");
    }
    return image;
  }

  private static void checkQuantity(String what, String q) {
    Objects.requireNonNull(q, what);
    if (q.length() > 32 || !QUANTITY.matcher(q).matches()) {
      throw new IllegalArgumentException(what + " '" + printable(q) + "' is not a quantity such as 500m, 2, 512Mi or 2Gi");
    }
  }

  private static int checkRange(String what, int n, int min, int max) {
    if (n < min || n > max) {
      throw new IllegalArgumentException(what + " must be in " + min + ".." + max + ", was " + n);
    }
    return n;
  }

  /** The start of a bad argument, without control characters, to quote in a one-line error. */
  private static String printable(String s) {
    String cut = s.length() > 80 ? s.substring(0, 80) + "..." : s;
    return cut.replaceAll("\\p{Cntrl}", "?");
  }
}

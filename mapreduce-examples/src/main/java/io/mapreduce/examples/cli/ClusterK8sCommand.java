package io.mapreduce.examples.cli;

import io.mapreduce.launcher.k8s.ClusterFiles;
import io.mapreduce.launcher.k8s.KubernetesCluster;
import io.mapreduce.netty.protocol.ClusterSecret;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code mapreduce cluster k8s}: a cluster on Kubernetes, or under compose on one machine. */
@Command(name = "k8s", mixinStandardHelpOptions = true, subcommands = {ClusterK8sCommand.Manifest.class},
    description = "A cluster on Kubernetes (or under compose): 'manifest' writes what it needs.")
final class ClusterK8sCommand implements Callable<Integer> {
  @Spec
  CommandSpec spec;

  @Override
  public Integer call() {
    throw new ParameterException(spec.commandLine(), "missing command: manifest");
  }

  @Command(name = "manifest", mixinStandardHelpOptions = true, sortOptions = false,
      description = {
          "Writes into --out: k8s/*.yaml (a namespace named --name, the cluster secret, the master as a Deployment "
              + "and Service, the workers as a Deployment spread across nodes, probed on --health-port), a "
              + "Dockerfile for the image (and mapreduce.jar, the jar this runs from), and compose.yaml for the "
              + "same cluster on one machine.",
          "The cluster secret is generated now and written into k8s/10-secret.yaml and cluster-secret, both "
              + "mode 0600: keep them private. Existing files are not overwritten without --force.",
          "Then: docker build -t IMAGE DIR; push IMAGE; kubectl apply -f DIR/k8s/; submit jobs to the master's "
              + "Service (master.NAME:PORT) with --secret-file DIR/cluster-secret; the status page: "
              + "kubectl -n NAME port-forward deploy/master HTTP-PORT."})
  static final class Manifest implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Where to write the files.")
    Path out;

    @Option(names = "--name", required = true, paramLabel = "NAME",
        description = "The cluster's name: its namespace and instance label (lower-case letters, digits, '-').")
    String name;

    @Option(names = "--image", required = true, paramLabel = "IMAGE",
        description = "The image the pods run, as built from the Dockerfile written (e.g. registry.example/mapreduce:0.1.0).")
    String image;

    @Option(names = "--workers", defaultValue = "2", paramLabel = "N", description = "Worker replicas (default: ${DEFAULT-VALUE}).")
    int workers;

    @Option(names = "--slots", defaultValue = "2", paramLabel = "N",
        description = "Tasks each worker runs at once (default: ${DEFAULT-VALUE}).")
    int slots;

    @Option(names = "--worker-cpu", defaultValue = "1", paramLabel = "Q",
        description = "CPU a worker asks for (default: ${DEFAULT-VALUE}).")
    String workerCpu;

    @Option(names = "--worker-cpu-limit", defaultValue = "2", paramLabel = "Q",
        description = "CPU a worker may use; 'none' for no limit (default: ${DEFAULT-VALUE}).")
    String workerCpuLimit;

    @Option(names = "--worker-memory", defaultValue = "2Gi", paramLabel = "Q",
        description = "Memory a worker asks for, and may use unless --worker-memory-limit (default: ${DEFAULT-VALUE}).")
    String workerMemory;

    @Option(names = "--worker-memory-limit", paramLabel = "Q", description = "Memory a worker may use.")
    String workerMemoryLimit;

    @Option(names = "--master-cpu", defaultValue = "500m", paramLabel = "Q",
        description = "CPU the master asks for; no limit (default: ${DEFAULT-VALUE}).")
    String masterCpu;

    @Option(names = "--master-memory", defaultValue = "1Gi", paramLabel = "Q",
        description = "Memory the master asks for and may use (default: ${DEFAULT-VALUE}).")
    String masterMemory;

    @Option(names = "--port", defaultValue = "7077", paramLabel = "PORT",
        description = "The master's port for workers and clients (default: ${DEFAULT-VALUE}).")
    int port;

    @Option(names = "--http-port", defaultValue = "8080", paramLabel = "PORT",
        description = "The master's status page, on its pod's loopback (default: ${DEFAULT-VALUE}).")
    int httpPort;

    @Option(names = "--health-port", defaultValue = "8081", paramLabel = "PORT",
        description = "The daemons' /healthz and /readyz, for the probes (default: ${DEFAULT-VALUE}).")
    int healthPort;

    @Option(names = "--shuffle-port", defaultValue = "7078", paramLabel = "PORT",
        description = "The workers' map output port (default: ${DEFAULT-VALUE}).")
    int shufflePort;

    @Option(names = "--jar", paramLabel = "FILE",
        description = "The runnable jar to copy in as mapreduce.jar (default: the jar this command runs from).")
    Path jar;

    @Option(names = "--force", description = "Overwrite existing files (the cluster secret too: a new one).")
    boolean force;

    @Override
    public Integer call() throws Exception {
      KubernetesCluster cluster;
      try {
        cluster = KubernetesCluster.builder(name, image).workers(workers).slots(slots)
            .worker(new KubernetesCluster.Resources(workerCpu, workerCpuLimit.equals("none") ? null : workerCpuLimit,
                workerMemory, workerMemoryLimit != null ? workerMemoryLimit : workerMemory))
            .master(new KubernetesCluster.Resources(masterCpu, null, masterMemory, masterMemory))
            .ports(new KubernetesCluster.Ports(port, httpPort, healthPort, shufflePort))
            .build();
      } catch (IllegalArgumentException e) {
        throw new ParameterException(spec.commandLine(), e.getMessage());
      }
      Path theJar = jar != null ? jar : runningJar();
      if (theJar != null && !Files.isRegularFile(theJar)) {
        throw new ParameterException(spec.commandLine(), "--jar " + theJar + " is not a file");
      }
      List<Path> written;
      try {
        written = ClusterFiles.write(cluster, out, ClusterSecret.generate(), theJar, force);
      } catch (FileAlreadyExistsException e) {
        throw new ParameterException(spec.commandLine(), e.getFile() + " exists: pass --force to overwrite it");
      }
      var err = spec.commandLine().getErr();
      err.println("mapreduce: wrote " + written.size() + " files into " + out + " (the cluster secret in "
          + out.resolve("k8s/10-secret.yaml") + " and " + out.resolve("cluster-secret") + ", mode 0600)");
      if (theJar == null) {
        err.println("mapreduce: copy mapreduce-examples-*-all.jar to " + out.resolve("mapreduce.jar")
            + " before building the image");
      }
      err.flush();
      return 0;
    }

    /** The jar this command runs from, or null when it runs from classes (a build, a test). */
    private static Path runningJar() {
      try {
        Path p = Path.of(ClusterK8sCommand.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        return Files.isRegularFile(p) && p.toString().endsWith(".jar") ? p : null;
      } catch (Exception e) {
        return null;
      }
    }
  }
}

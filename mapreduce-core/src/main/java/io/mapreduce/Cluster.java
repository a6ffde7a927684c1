package io.mapreduce;

import java.nio.file.Path;
import java.util.Optional;

/**
 * A running cluster a job can be sent to: its master's address and the file holding its secret.
 * Launchers ({@code mapreduce-launcher}) return one for a cluster they started, which
 * {@link #close()} takes down, or attach to one started before, which {@code close} leaves running.
 * Give it to {@link MapReduceSpecification.Builder#cluster(Cluster)}.
 */
public interface Cluster extends AutoCloseable {

  /** The master's {@code HOST:PORT}, as this machine reaches it. */
  String master();

  /**
   * The file holding the cluster's secret (mode 0600), or empty for a cluster on loopback that
   * uses this user's own secret.
   */
  Optional<Path> secretFile();

  /** Takes the cluster down if this handle started it; a handle that attached leaves it running. */
  @Override
  default void close() {}
}

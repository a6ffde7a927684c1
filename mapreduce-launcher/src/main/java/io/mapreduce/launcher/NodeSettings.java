package io.mapreduce.launcher;

import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * The settings every provider's builder takes alike: how the nodes are reached and run, and where
 * the launcher keeps its state and says what it does. {@code B} is the builder itself.
 */
public interface NodeSettings<B extends NodeSettings<B>> {

  /** The private key ssh logs in with. */
  B identity(Path key);

  /** Where nodes keep their files on their hosts (default {@code $HOME/.mapreduce}). */
  B remoteDir(String dir);

  /** The master's port (default 7077). */
  B masterPort(int port);

  /** The status page's port (default 8080). */
  B httpPort(int port);

  /** Task slots per worker (default: its processors). */
  B slots(int slots);

  /** The daemons' JVM options, such as {@code -Xmx4g}. */
  B javaOptions(List<String> options);

  /** How long {@code up} waits for the master to answer, and again for the workers to register. */
  B registerTimeout(Duration timeout);

  /** The runnable jar the nodes run (default: the one the launcher was loaded from). */
  B jar(Path jar);

  /** The state directory (default: {@code $MAPREDUCE_STATE_DIR}, else the per-user one). */
  B stateRoot(Path root);

  /** Where progress lines go (default: standard error). */
  B progress(PrintStream progress);
}

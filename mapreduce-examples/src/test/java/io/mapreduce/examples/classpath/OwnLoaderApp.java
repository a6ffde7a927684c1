package io.mapreduce.examples.classpath;

import io.mapreduce.netty.LocalCluster;
import java.nio.file.Path;

/**
 * An application whose classes, and the library's, a class loader of its own holds, as under
 * spark-submit or in a servlet container ({@link OwnLoaderLauncher} makes it): the job of
 * {@link ConflictingLibrariesApp} on a {@link LocalCluster} of one worker.
 */
public final class OwnLoaderApp {
  private OwnLoaderApp() {}

  /** Runs in the application's own loader; throws if the job's output is not the oracle's. */
  public static void run(Path dir) throws Exception {
    if (OwnLoaderApp.class.getClassLoader() == ClassLoader.getSystemClassLoader()) {
      throw new IllegalStateException("the library must not be on java.class.path here");
    }
    try (LocalCluster cluster = LocalCluster.start(1)) {
      ConflictingLibrariesApp.runJob(dir, cluster);
    }
  }
}

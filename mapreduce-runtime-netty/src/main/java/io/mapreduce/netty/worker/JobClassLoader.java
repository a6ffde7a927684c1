package io.mapreduce.netty.worker;

import java.net.URL;
import java.net.URLClassLoader;
import java.util.List;

/**
 * The class loader of one job on a worker: its jars first, so two jobs with different versions of
 * a class run side by side, except for the classes the job shares with the worker (the JDK, the
 * library, and the dependencies that cross between the two), which must be the worker's own for the
 * two to talk. Kryo, Guava and Netty are the library's relocated copies under {@code io.mapreduce.},
 * so a job's jar may bring its own versions of them. Closed when the job ends, which releases its
 * classes.
 */
final class JobClassLoader extends URLClassLoader {
  private static final List<String> SHARED = List.of("java.", "javax.", "jdk.", "sun.", "com.sun.", "org.slf4j.",
      "io.mapreduce.", "net.jpountz.", "com.github.luben.zstd.");

  static {
    registerAsParallelCapable();
  }

  JobClassLoader(String jobId, URL[] jars, ClassLoader parent) {
    super("job-" + jobId, jars, parent);
  }

  private static boolean shared(String name) {
    for (String prefix : SHARED) {
      if (name.startsWith(prefix)) {
        return true;
      }
    }
    return false;
  }

  @Override
  protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
    if (shared(name)) {
      return super.loadClass(name, resolve);
    }
    synchronized (getClassLoadingLock(name)) {
      Class<?> c = findLoadedClass(name);
      if (c == null) {
        try {
          c = findClass(name);
        } catch (ClassNotFoundException notInJobJars) {
          c = getParent().loadClass(name);
        }
      }
      if (resolve) {
        resolveClass(c);
      }
      return c;
    }
  }
}

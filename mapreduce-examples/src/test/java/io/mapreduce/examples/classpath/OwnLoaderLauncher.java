package io.mapreduce.examples.classpath;

import java.io.File;
import java.lang.reflect.InvocationTargetException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code OwnLoaderLauncher LIBRARY_CLASS_PATH DIR}: with only this class's directory on {@code
 * java.class.path}, makes a class loader of the library's jars and that directory (parent: the
 * platform loader) and runs {@link OwnLoaderApp#run} in it. Prints "PASSED" and exits 0, or its
 * failure and exits 1. It names no class of the library, which this JVM's own loader cannot find.
 */
public final class OwnLoaderLauncher {
  private OwnLoaderLauncher() {}

  public static void main(String[] args) throws Exception {
    List<URL> urls = new ArrayList<>();
    urls.add(Path.of(OwnLoaderLauncher.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toUri()
        .toURL());
    for (String entry : args[0].split(File.pathSeparator)) {
      urls.add(Path.of(entry).toUri().toURL());
    }
    ClassLoader own = new URLClassLoader("application", urls.toArray(URL[]::new), ClassLoader.getPlatformClassLoader());
    Thread.currentThread().setContextClassLoader(own);
    Class<?> app = Class.forName(OwnLoaderLauncher.class.getPackageName() + ".OwnLoaderApp", true, own);
    try {
      app.getMethod("run", Path.class).invoke(null, Path.of(args[1]));
    } catch (InvocationTargetException e) {
      e.getCause().printStackTrace();
      System.out.println("FAILED");
      System.exit(1);
    }
    System.out.println("PASSED");
    System.exit(0);
  }
}

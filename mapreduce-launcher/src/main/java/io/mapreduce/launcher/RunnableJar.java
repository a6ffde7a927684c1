package io.mapreduce.launcher;

import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.jar.JarFile;

/** Finds the runnable jar (the one {@code bin/mapreduce} runs) that nodes are given. */
final class RunnableJar {
  private RunnableJar() {}

  /** The jar this class was loaded from, if it is a runnable one (it has a Main-Class). */
  static Path thisOne() {
    Path source;
    try {
      source = Path.of(RunnableJar.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    } catch (URISyntaxException | NullPointerException | SecurityException e) {
      throw new IllegalArgumentException("cannot tell which jar this is: name the runnable jar (--jar)");
    }
    if (Files.isRegularFile(source) && source.toString().endsWith(".jar")) {
      try (JarFile jar = new JarFile(source.toFile())) {
        if (jar.getManifest() != null && jar.getManifest().getMainAttributes().getValue("Main-Class") != null) {
          return source;
        }
      } catch (java.io.IOException e) {
        throw new IllegalArgumentException("cannot read " + source + ": " + e.getMessage());
      }
    }
    throw new IllegalArgumentException("the launcher runs from " + source + ", not from the runnable jar: name it"
        + " (--jar, or the builder's jar(...)), e.g. mapreduce-examples/target/mapreduce-examples-*-all.jar");
  }
}

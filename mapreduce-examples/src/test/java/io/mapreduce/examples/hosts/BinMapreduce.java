package io.mapreduce.examples.hosts;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code bin/mapreduce} as a user runs it, as a child process: this JVM's Java first on the path,
 * no JAVA_OPTS or secret from the environment, and the state directory given in
 * {@code MAPREDUCE_STATE_DIR}.
 */
final class BinMapreduce {
  private final Path script;
  private final Path workDir;

  /** Finds bin/mapreduce above the test classes; commands run in {@code workDir}. */
  BinMapreduce(Path workDir) throws URISyntaxException {
    Path d = Path.of(BinMapreduce.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    while (d != null && !Files.isRegularFile(d.resolve("bin/mapreduce"))) {
      d = d.getParent();
    }
    assertThat(d).as("a parent of the test classes holding bin/mapreduce").isNotNull();
    this.script = d.resolve("bin/mapreduce");
    this.workDir = workDir;
  }

  ProcessBuilder command(Path stateRoot, String... args) {
    List<String> argv = new ArrayList<>();
    argv.add(script.toString());
    argv.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(argv).directory(workDir.toFile());
    pb.environment().put("PATH", Path.of(System.getProperty("java.home"), "bin") + File.pathSeparator
        + pb.environment().getOrDefault("PATH", "/usr/bin:/bin"));
    pb.environment().remove("JAVA_OPTS");
    pb.environment().remove("MAPREDUCE_SECRET");
    pb.environment().put("MAPREDUCE_STATE_DIR", stateRoot.toString());
    return pb;
  }
}

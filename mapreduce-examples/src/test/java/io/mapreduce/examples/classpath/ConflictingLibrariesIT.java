package io.mapreduce.examples.classpath;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 18, quickly: the library's jars share a class path with an application's Kryo 4 (Spark's
 * {@code kryo-shaded}) and Guava 27, in both orders, and both the library's job and the
 * application's own use of those libraries work ({@link ConflictingLibrariesApp}, in a child JVM).
 * The full application, with Spark itself, is {@code src/it/embedding-app}, run by the invoker.
 * The build puts the library's run time class path in {@code target/conflicts/library.classpath}
 * and the application's jars in {@code target/conflicts/application/} (maven-dependency-plugin).
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class ConflictingLibrariesIT {
  private static final Path CONFLICTS = Path.of("target", "conflicts");
  private static List<String> library;
  private static List<String> application;

  @TempDir Path work;

  @BeforeAll
  static void readClassPaths() throws IOException {
    Path classpathFile = CONFLICTS.resolve("library.classpath");
    assertThat(classpathFile).as("written by maven-dependency-plugin's build-classpath (mvn verify)").exists();
    library = List.of(Files.readString(classpathFile).trim().split(File.pathSeparator));
    try (Stream<Path> jars = Files.list(CONFLICTS.resolve("application"))) {
      application = jars.map(p -> p.toAbsolutePath().toString()).sorted().toList();
    }
    assertThat(application).as("the application's jars").anyMatch(j -> j.contains("kryo-shaded-4"))
        .anyMatch(j -> j.contains("guava-27"));
  }

  @Test
  void jobAndApplicationLibraries_libraryJarsFirst_allWork() throws Exception {
    assertRunsClean(library, application);
  }

  @Test
  void jobAndApplicationLibraries_applicationJarsFirst_allWork() throws Exception {
    assertRunsClean(application, library);
  }

  /**
   * The library held by the application's own class loader, not on {@code java.class.path}
   * (spark-submit, a container): a {@code LocalCluster}'s workers still get its jars.
   */
  @Test
  void localCluster_libraryInTheApplicationsOwnLoader_workersStillRunTheJob() throws Exception {
    Path log = work.resolve("own-loader.log");
    Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m",
        "-cp", testClasses().toString(), OwnLoaderLauncher.class.getName(), String.join(File.pathSeparator, library),
        work.resolve("own").toString())
        .redirectErrorStream(true).redirectOutput(log.toFile()).start();
    assertFinishedClean(p, log);
  }

  private void assertRunsClean(List<String> first, List<String> then) throws Exception {
    List<String> classPath = new ArrayList<>();
    classPath.add(testClasses().toString());
    classPath.addAll(first);
    classPath.addAll(then);
    Path log = work.resolve("child.log");
    Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m",
        "-cp", String.join(File.pathSeparator, classPath), ConflictingLibrariesApp.class.getName(),
        work.resolve("job").toString())
        .redirectErrorStream(true).redirectOutput(log.toFile()).start();
    assertFinishedClean(p, log);
  }

  private static void assertFinishedClean(Process p, Path log) throws Exception {
    if (!p.waitFor(2, TimeUnit.MINUTES)) {
      p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      throw new AssertionError("the child JVM did not finish in 2 minutes; output:\n" + Files.readString(log));
    }
    String output = Files.readString(log);
    assertThat(p.exitValue()).as("exit code of the child JVM; output:%n%s", output).isZero();
    assertThat(output).contains("PASSED");
  }

  private static Path testClasses() throws Exception {
    return Path.of(ConflictingLibrariesApp.class.getProtectionDomain().getCodeSource().getLocation().toURI());
  }
}

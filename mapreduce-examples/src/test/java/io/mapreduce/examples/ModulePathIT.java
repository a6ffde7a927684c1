package io.mapreduce.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The library as a Java module, used by an application that is a named module on the module path
 * ({@code src/test/module-app}): compiled by javac against the built jars, then run in a child JVM,
 * embedded and on a local cluster, with a record key and an enum key. And the module descriptors'
 * promise: a module that imports an internal package does not compile.
 */
class ModulePathIT {
  /** The jars of a user's module path: our library modules, their relocated dependencies, the rest. */
  private static final Pattern MODULE_JARS = Pattern.compile(
      "(mapreduce-core|mapreduce-runtime-netty|mapreduce-thirdparty|mapreduce-thirdparty-netty|slf4j-api|slf4j-simple"
          + "|lz4-java|zstd-jni)-[0-9][^/]*(?<!-tests)\\.jar");
  private static final Path SOURCES = Path.of("src/test/module-app");

  private static List<Path> modulePath;

  @TempDir
  Path dir;

  @BeforeAll
  static void findJars() {
    modulePath = Stream.of(System.getProperty("java.class.path").split(File.pathSeparator)).map(Path::of)
        .filter(p -> MODULE_JARS.matcher(p.getFileName().toString()).matches()).collect(Collectors.toList());
    assertThat(modulePath).as("module jars on the test class path").hasSize(8);
  }

  @Test
  void applicationModule_runsJobsEmbeddedAndOnALocalCluster() throws Exception {
    Path classes = dir.resolve("app");
    String errors = compile(SOURCES.resolve("app"), classes);
    assertThat(errors).isEmpty();
    Path input = dir.resolve("words.txt");
    Random random = new Random(18);
    StringBuilder text = new StringBuilder();
    for (int line = 0; line < 2_000; line++) {
      for (int w = 0; w < 8; w++) {
        int length = 1 + random.nextInt(9);
        for (int c = 0; c < length; c++) {
          text.append((char) ('a' + random.nextInt(6)));
        }
        text.append(' ');
      }
      text.append('\n');
    }
    Files.writeString(input, text);

    List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx256m", "--module-path", classes + File.pathSeparator + joined(modulePath), "-m", "app/app.Main",
        input.toString(), dir.resolve("out").toString()));
    Path log = dir.resolve("app.log");
    Process app = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    try {
      assertThat(app.waitFor(3, TimeUnit.MINUTES)).as("the application finished within 3 minutes").isTrue();
    } finally {
      app.destroyForcibly();
    }
    String output = Files.readString(log);
    assertThat(app.exitValue()).as(output).isZero();
    assertThat(output).contains("embedded, record key: ", "embedded, enum key: 2 keys as expected",
        "local cluster, record key: ", "local cluster, enum key: 2 keys as expected").endsWith("ok\n");
  }

  @Test
  void moduleImportingInternals_doesNotCompile() throws IOException {
    String errors = compile(SOURCES.resolve("intruder"), dir.resolve("intruder"));
    assertThat(errors).contains("package io.mapreduce.internal.io is declared in module io.mapreduce, which does not "
        + "export it to module intruder");
  }

  /** Compiles one module's sources; returns javac's diagnostics (empty when it compiled). */
  private static String compile(Path sources, Path out) throws IOException {
    // An empty class path: in-process javac would otherwise take this JVM's, which holds the library.
    List<String> args = new ArrayList<>(List.of("-d", out.toString(), "--module-path", joined(modulePath),
        "--class-path", Files.createDirectories(out.resolveSibling(out.getFileName() + "-empty")).toString()));
    try (Stream<Path> files = Files.walk(sources)) {
      files.filter(f -> f.toString().endsWith(".java")).forEach(f -> args.add(f.toString()));
    }
    JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
    ByteArrayOutputStream diagnostics = new ByteArrayOutputStream();
    int status = javac.run(null, diagnostics, diagnostics, args.toArray(String[]::new));
    String text = diagnostics.toString(StandardCharsets.UTF_8);
    return status == 0 ? "" : text.isEmpty() ? "javac failed with status " + status : text;
  }

  private static String joined(List<Path> paths) {
    return paths.stream().map(Path::toString).collect(Collectors.joining(File.pathSeparator));
  }
}

package io.mapreduce.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * topwords, timeline, join and average on {@code --local-workers 2} write what they write in this
 * JVM, file for file (lines of a file compared as sets: a join key's lines have no set order). The
 * inputs are spelled relative to the working directory: the client ships them absolute, so join's
 * mapper must tell its sides apart by absolute paths too.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class TypedExamplesClusterIT {
  @TempDir
  Path tmp;

  static Stream<Arguments> commands() {
    return Stream.of(
        Arguments.of("topwords", List.of("--input", "{sample}", "--top", "25")),
        Arguments.of("timeline", List.of("--input", "{in}/events.csv", "--newest-first")),
        Arguments.of("join", List.of("--left", "{in}/users", "--right", "{in}/orders-*.csv")),
        Arguments.of("average", List.of("--input", "{in}/numbers.txt")));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("commands")
  void command_onLocalWorkers_writesWhatItWritesEmbedded(String command, List<String> args) throws IOException {
    Path in = Files.createDirectories(tmp.resolve("in"));
    Files.createDirectories(in.resolve("users"));
    Files.writeString(in.resolve("events.csv"), "user,epochMillis,event\nann,5,login\r\nbob,3,view\nann,9,buy\n"
        + "ann,5,é\nbroken\nZoë,1,𝒳\n");
    Files.writeString(in.resolve("users/a.csv"), "1,ann\n2,bob\n3,cy\n");
    Files.writeString(in.resolve("users/b.csv"), "4,Zoë\r\n1,ann again\r\n");
    Files.writeString(in.resolve("orders-1.csv"), "1,10\n1,20\n2,5\n9,7\n");
    Files.writeString(in.resolve("orders-2.csv"), "4,1\n4,2\n");
    Files.writeString(in.resolve("numbers.txt"), "a 1\nb 2\na 2\nZoë -7\nbad\n");
    Path cwd = Path.of("").toAbsolutePath();
    List<String> relative = args.stream()
        .map(a -> a.replace("{in}", cwd.relativize(in).toString())
            .replace("{sample}", cwd.relativize(Path.of("sample").toAbsolutePath()).toString()))
        .toList();

    Path embedded = run(command, relative, "embedded");
    Path cluster = run(command, relative, "cluster", "--local-workers", "2");

    List<String> names = names(embedded);
    assertThat(names(cluster)).containsExactlyElementsOf(names);
    assertThat(names).contains("_SUCCESS", "mr-out-00000");
    for (String name : names) {
      assertThat(Files.readAllLines(cluster.resolve(name))).as(name)
          .containsExactlyInAnyOrderElementsOf(Files.readAllLines(embedded.resolve(name)));
    }
    assertThat(Files.readAllLines(embedded.resolve("mr-out-00000"))).as("some output").isNotEmpty();
  }

  private Path run(String command, List<String> args, String name, String... extra) {
    Path out = tmp.resolve(name);
    List<String> all = new ArrayList<>(List.of(command, "--output", out.toString(), "--reduce-tasks", "2",
        "--work-dir", tmp.resolve("work").toString()));
    all.addAll(args);
    all.addAll(List.of(extra));
    StringWriter err = new StringWriter();
    int code = Main.run(new PrintWriter(new StringWriter(), true), new PrintWriter(err, true),
        all.toArray(String[]::new));
    assertThat(code).as("%s exit code; stderr: %s", all, err).isZero();
    assertThat(Path.of(out + ".counts")).doesNotExist();
    return out;
  }

  private static List<String> names(Path dir) throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      return files.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }
}

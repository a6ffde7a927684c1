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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@code mapreduce commands}: each line a shell command, each in a task of its own, on worker JVMs. */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class CommandsCommandIT {
  @TempDir Path tmp;

  private record Run(int code, String err) {}

  private Run run(String... args) {
    StringWriter err = new StringWriter();
    int code = Main.run(new PrintWriter(new StringWriter(), true), new PrintWriter(err, true), args);
    return new Run(code, err.toString());
  }

  private List<String> outputLines(Path out) throws IOException {
    List<String> lines = new ArrayList<>();
    try (Stream<Path> files = Files.list(out)) {
      for (Path f : files.filter(f -> f.getFileName().toString().startsWith("mr-out-")).sorted().toList()) {
        lines.addAll(Files.readAllLines(f));
      }
    }
    return lines;
  }

  @Test
  void commands_onTwoWorkerJvms_eachLineRunsInATaskOfItsOwn_outputInInputOrder() throws Exception {
    Path commands = tmp.resolve("cmds.txt");
    List<String> lines = new ArrayList<>();
    for (int i = 0; i < 12; i++) {
      // Shell syntax of every kind: arithmetic, a pipe, quotes, the task's own environment.
      lines.add("echo \"job $((i * 7))\" | tr a-z A-Z | sed \"s/\\$/ $mapreduce_task_id/\"".replace("i * 7",
          i + " * 7"));
    }
    Files.write(commands, lines);
    Path out = tmp.resolve("out");
    Run r = run("commands", "--input", commands.toString(), "--output", out.toString(), "--work-dir",
        tmp.resolve("work").toString(), "--local-workers", "2");
    assertThat(r.code()).as("stderr: %s", r.err()).isZero();
    List<String> got = outputLines(out);
    assertThat(got).hasSize(12);
    List<String> taskIds = new ArrayList<>();
    for (int i = 0; i < 12; i++) {
      String[] words = got.get(i).split(" ");
      assertThat(words[0] + " " + words[1]).isEqualTo("JOB " + i * 7);
      taskIds.add(words[2]);
    }
    assertThat(taskIds).doesNotHaveDuplicates();
  }

  /**
   * Review finding: with the lines piped into /bin/sh, a command that reads its stdin swallowed
   * the commands after it (the shell reads ahead), which never ran, and the task succeeded.
   */
  @Test
  void commands_aCommandThatReadsStdin_doesNotSwallowTheOthers_andALastLineWithoutNewlineRuns() throws Exception {
    StringBuilder text = new StringBuilder("cat >/dev/null\nread line || true\n");
    for (int i = 0; i < 300; i++) {
      text.append("echo command-").append(i).append(' ').append("x".repeat(60)).append('\n');
    }
    text.append("echo the-last-line");
    Path commands = tmp.resolve("cmds.txt");
    Files.writeString(commands, text);
    Path out = tmp.resolve("out");
    Run r = run("commands", "--input", commands.toString(), "--output", out.toString(), "--work-dir",
        tmp.resolve("work").toString(), "--lines-per-task", "1000");
    assertThat(r.code()).as("stderr: %s", r.err()).isZero();
    List<String> got = outputLines(out);
    assertThat(got).hasSize(301).endsWith("the-last-line");
    assertThat(got.get(0)).startsWith("command-0 ");
  }

  @Test
  void commands_aFailingCommand_failsTheJobInOneLineAndLeavesNoOutput() throws Exception {
    Path commands = tmp.resolve("cmds.txt");
    Files.write(commands, List.of("echo fine", "echo about to fail; exit 4", "echo fine too"));
    Path out = tmp.resolve("out");
    Run r = run("commands", "--input", commands.toString(), "--output", out.toString(), "--work-dir",
        tmp.resolve("work").toString(), "--lines-per-task", "2", "--max-attempts", "2");
    assertThat(r.code()).isEqualTo(1);
    assertThat(r.err()).contains("exited with status 4");
    assertThat(out).doesNotExist();
  }

  @Test
  void commands_withAnInputFormat_isABadArgument() {
    Run r = run("commands", "--input", tmp.toString(), "--output", tmp.resolve("o").toString(), "--input-format",
        "text");
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).contains("--lines-per-task");
  }
}

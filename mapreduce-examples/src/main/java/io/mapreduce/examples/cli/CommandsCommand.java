package io.mapreduce.examples.cli;

import io.mapreduce.MapReduceSpecification;
import io.mapreduce.format.InputFormat;
import io.mapreduce.lib.streaming.StreamingMapper;
import io.mapreduce.lib.streaming.StreamingProgram;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code mapreduce commands}: the "work is a list of commands" job. Each input line is a shell
 * command; each runs in a map task of its own (or {@code --lines-per-task} of them, in order), so
 * they spread over the cluster's workers, or this machine's cores, and a failed one is retried as
 * any task is. What they print is the output. It is Hadoop Streaming's
 * {@code -inputformat NLineInputFormat -mapper /bin/sh -reducer NONE}, less the line offset that
 * Hadoop writes before each line (which would make {@code /bin/sh} run a command named
 * {@code 0}).
 */
@Command(name = "commands", mixinStandardHelpOptions = true,
    description = {"Runs each line of the input files as a shell command, each in a map task of its own, across the"
        + " cluster (or this machine's cores): what the commands print is the output, in files mr-out-N (one per"
        + " task, in input order). The commands of a task run in order, each through /bin/sh -c with /dev/null as"
        + " its stdin, in a fresh working directory; one that fails fails its task, which is retried"
        + " (--max-attempts) and then fails the job.",
        "The same job in Hadoop Streaming's words: streaming -input FILE -inputformat NLineInputFormat"
            + " -D stream.map.input.ignoreKey=true -mapper /bin/sh -reducer NONE"})
final class CommandsCommand extends Main.InputJobCommand {
  /**
   * Runs each line read on stdin as a command, in order, stopping at the first that fails. Not
   * the lines piped into {@code /bin/sh}: a shell reads its script ahead in blocks, so a command
   * that reads its stdin (cat, ssh, a script) would swallow the commands after it; {@code read}
   * takes one line at a time, and each command gets /dev/null as its stdin. A last line without
   * a newline runs too.
   */
  static final String RUN_EACH_LINE =
      "while IFS= read -r command || [ -n \"$command\" ]; do /bin/sh -c \"$command\" </dev/null || exit $?; done";

  @Option(names = "--lines-per-task", paramLabel = "N", defaultValue = "1",
      description = "How many commands (lines) each task runs, in order (default: 1).")
  int linesPerTask;

  @Override
  MapReduceSpecification<?, ?> specification() {
    if (options.inputFormat != null) {
      throw new IllegalArgumentException("commands reads one command per line: use --lines-per-task, not"
          + " --input-format");
    }
    if (options.reduceTasks != null && options.reduceTasks != 0) {
      throw new IllegalArgumentException("commands runs no reduce: --reduce-tasks must not be given");
    }
    if (linesPerTask < 1) {
      throw new IllegalArgumentException("--lines-per-task must be at least 1 but was " + linesPerTask);
    }
    var b = MapReduceSpecification.builder().mapper(new StreamingMapper(StreamingProgram.of(RUN_EACH_LINE)))
        .inputFormat(InputFormat.nLines(linesPerTask));
    options.apply(b, true, false);
    return b.name("commands").reduceTasks(0).build();
  }
}

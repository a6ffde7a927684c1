package io.mapreduce.examples.cli;

import io.mapreduce.MapReduceSpecification;
import io.mapreduce.examples.Average;
import io.mapreduce.examples.Join;
import io.mapreduce.examples.Timeline;
import io.mapreduce.examples.TopWords;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The commands of the examples of typed pairs, chained jobs, secondary sort and side outputs:
 * {@code topwords}, {@code timeline}, {@code join} and {@code average}.
 */
final class TypedJobCommands {
  private TypedJobCommands() {}

  /** R as given, refusing 0: these jobs need their reducers (a map-only run would write map output). */
  private static int reduceTasks(JobOptions options, String command) {
    int r = options.reduceTasksOr(1);
    if (r == 0) {
      throw new IllegalArgumentException(command + " needs at least one reduce task, but --reduce-tasks is 0");
    }
    return r;
  }

  @Command(name = "topwords", mixinStandardHelpOptions = true,
      description = {"The K most frequent words (words as wordcount's), by two chained jobs: a word count written"
          + " as typed pairs, then a job that reads them, sorts counts in decreasing order and keeps the first K."
          + " Lines count<TAB>word, most frequent first, words of equal count in the UTF-8 order of the words.",
          "The counts go to the local directory OUTPUT.counts, removed at the end however the jobs end."
              + " --reduce-tasks and --input-format are the word count's, --output-format and --lazy-output the"
              + " second job's (which has one reduce task)."})
  static final class TopWordsCommand extends Main.InputJobCommand {
    @Option(names = "--top", paramLabel = "K", defaultValue = "" + TopWords.DEFAULT_TOP,
        description = "How many words (default: ${DEFAULT-VALUE}).")
    int top;

    @Override
    int run() {
      CommandLine cmd = spec.commandLine();
      var counts = orUsage(() -> {
        if (top < 1) {
          throw new IllegalArgumentException("--top must be at least 1 but was " + top);
        }
        var b = TopWords.countsBuilder().input(options.inputs.toArray(String[]::new))
            .output(countsDirectory(options.output)).reduceTasks(reduceTasks(options, "topwords"));
        if (options.inputFormat != null) {
          b.inputFormat(options.inputFormat);
        }
        return options.settings(b).build();
      });
      var ranking = orUsage(() -> {
        var b = TopWords.builder(counts, top).output(options.output);
        if (options.outputFormat != null) {
          b.outputFormat(options.outputFormat);
        }
        if (options.lazyOutput) {
          b.lazyOutput(true);
        }
        return options.settings(b).build();
      });
      // The second job would refuse an existing output too, but only after the word count.
      if (TopWords.localDirectoryExists(options.output)) {
        cmd.getErr().println("mapreduce: job failed: output directory already exists: " + options.output
            + " (remove it or choose another; it was not touched)");
        return Main.JOB_FAILED;
      }
      // A counts directory that was there before is not ours to remove: the word count fails on it.
      boolean ours = !TopWords.localDirectoryExists(counts.output());
      Runnable removeCounts = () -> {
        if (ours) {
          TopWords.removeCounts(counts);
        }
      };
      try {
        int code = Main.execute(cmd, counts, removeCounts);
        return code != 0 ? code : Main.execute(cmd, ranking, removeCounts);
      } finally {
        removeCounts.run();
      }
    }

    /** {@code out} (or {@code out/}) keeps its counts in {@code out.counts}. */
    private static String countsDirectory(String output) {
      String o = output.endsWith("/") && output.length() > 1 ? output.substring(0, output.length() - 1) : output;
      return o + ".counts";
    }
  }

  @Command(name = "timeline", mixinStandardHelpOptions = true,
      description = "Each user's events in time order, by secondary sort. Input lines user,epochMillis,event (a"
          + " first line starting with user, is a header; malformed lines are counted as timeline.malformed and"
          + " skipped); lines user<TAB>event1,event2,..., events at the same time in the UTF-8 order of their text.")
  static final class TimelineCommand extends Main.InputJobCommand {
    @Option(names = "--newest-first", description = "Newest event first (default: oldest first).")
    boolean newestFirst;

    @Override
    MapReduceSpecification<?, ?> specification() {
      var b = newestFirst ? Timeline.newestFirstBuilder() : Timeline.builder();
      return options.apply(b.reduceTasks(reduceTasks(options, "timeline")), true, false).build();
    }
  }

  @Command(name = "join", mixinStandardHelpOptions = true,
      description = {"An inner join of two inputs of separated fields (CSV by default) on a key column: lines"
          + " key<TAB>leftFields<TAB>rightFields for every left and right row with the same key (each side's"
          + " fields without its key). Rows with no match go to the side output unmatched-NNNNN as"
          + " key<TAB>left|right<TAB>fields; rows without the key column are counted as join.malformed.",
          "A file belongs to the side whose input names it, its directory, or a glob matching either."})
  static final class JoinCommand extends Main.JobCommand {
    @Option(names = "--left", required = true, arity = "1..*", paramLabel = "PATH",
        description = "The left input: files, directories or globs (quote globs); may repeat. A key's left rows"
            + " are held in memory while its right rows stream: put the smaller side here.")
    List<String> left;

    @Option(names = "--right", required = true, arity = "1..*", paramLabel = "PATH",
        description = "The right input; may repeat.")
    List<String> right;

    @Option(names = "--left-key-column", paramLabel = "N", defaultValue = "1",
        description = "The key's column in left rows, counted from 1 (default: ${DEFAULT-VALUE}).")
    int leftKeyColumn;

    @Option(names = "--right-key-column", paramLabel = "N", defaultValue = "1",
        description = "The key's column in right rows, counted from 1 (default: ${DEFAULT-VALUE}).")
    int rightKeyColumn;

    @Option(names = "--separator", paramLabel = "SEP", defaultValue = ",",
        description = "What separates fields, taken literally (default: ${DEFAULT-VALUE}; a tab: $'\\t').")
    String separator;

    @Override
    List<String> inputs() {
      List<String> all = new ArrayList<>(left);
      all.addAll(right);
      return all;
    }

    @Override
    MapReduceSpecification<?, ?> specification() {
      var b = Join.builder(left, right, leftKeyColumn, rightKeyColumn, separator);
      return options.apply(b.reduceTasks(reduceTasks(options, "join")), false, false).build();
    }
  }

  @Command(name = "average", mixinStandardHelpOptions = true,
      description = "The mean value of each key: input lines key value (whitespace between, the value a long;"
          + " malformed lines are counted as average.malformed and skipped); lines key<TAB>mean. A combiner adds"
          + " up (sum, count) pairs before the shuffle.")
  static final class AverageCommand extends Main.InputJobCommand {
    @Override
    MapReduceSpecification<?, ?> specification() {
      return options.apply(Average.builder().reduceTasks(reduceTasks(options, "average")), true, false).build();
    }
  }
}

package io.mapreduce.examples.cli;

import io.mapreduce.netty.LocalCluster;
import io.mapreduce.Job;
import io.mapreduce.JobResult;
import io.mapreduce.MapReduce;
import io.mapreduce.MapReduceSpecification;
import io.mapreduce.examples.Grep;
import io.mapreduce.examples.Indexer;
import io.mapreduce.examples.Sort;
import io.mapreduce.examples.WordCount;
import io.mapreduce.launcher.StepFailedException;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.function.Supplier;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * The command line: {@code mapreduce wordcount|indexer|grep|sort|topwords|timeline|join|average|streaming|commands ...}.
 * Exit codes: 0 success, 1 the job failed (one line on stderr says why), 2 bad arguments.
 */
@Command(name = "mapreduce", mixinStandardHelpOptions = true, version = "mapreduce 0.1.0",
    description = "Runs MapReduce jobs, embedded in this JVM or on a cluster.",
    subcommands = {Main.WordCountCommand.class, Main.IndexerCommand.class, Main.GrepCommand.class,
        Main.SortCommand.class, TypedJobCommands.TopWordsCommand.class, TypedJobCommands.TimelineCommand.class,
        TypedJobCommands.JoinCommand.class, TypedJobCommands.AverageCommand.class, StreamingCommand.class,
        CommandsCommand.class,
        DaemonCommands.MasterCommand.class, DaemonCommands.WorkerCommand.class, DaemonCommands.SecretCommand.class,
        ClusterCommands.class})
public final class Main implements Runnable {
  static final int JOB_FAILED = 1;
  static final int USAGE = 2;

  @Spec
  CommandLine.Model.CommandSpec spec;

  public static void main(String[] args) {
    int code = run(args);
    // A job on a cluster leaves the client's network thread, which would hold the exit 300 ms.
    io.mapreduce.netty.client.ClusterEngine.stopClientThread();
    System.exit(code);
  }

  /** Runs the command line and returns the exit code. */
  public static int run(String... args) {
    boolean daemon = args.length > 0 && (args[0].equals("master") || args[0].equals("worker"));
    CommandLine cli = daemon ? newCommandLine(true) : newCommandLine();
    return execute(cli, args);
  }

  /** Runs the command line with the given output and error streams (for tests); returns the exit code. */
  static int run(PrintWriter out, PrintWriter err, String... args) {
    CommandLine cli = newCommandLine();
    cli.setOut(out);
    cli.setErr(err);
    return execute(cli, args);
  }

  /** Runs the command, Hadoop Streaming's spellings translated first (their errors are bad arguments). */
  private static int execute(CommandLine cli, String[] args) {
    HadoopStreamingArgs.Translation t;
    try {
      t = HadoopStreamingArgs.translate(args);
    } catch (IllegalArgumentException e) {
      cli.getErr().println("mapreduce streaming: " + oneLine(e));
      cli.getErr().println("Try 'mapreduce streaming --help' for more information.");
      cli.getErr().flush();
      return USAGE;
    }
    if (t.warning() != null) {
      cli.getErr().println(t.warning());
      cli.getErr().flush();
    }
    return cli.execute(t.args());
  }

  private static CommandLine newCommandLine() {
    // The command line prints a job's failure itself, in one line; the engine's warning about it
    // would only repeat it, so the engine's logs show from ERROR up unless the user asks otherwise.
    if (System.getProperty("org.slf4j.simpleLogger.defaultLogLevel") == null) {
      System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "error");
    }
    return newCommandLine(false);
  }

  private static CommandLine newCommandLine(boolean daemon) {
    // Daemons log what they do (registrations, jobs, lost workers) unless told otherwise.
    if (daemon && System.getProperty("org.slf4j.simpleLogger.defaultLogLevel") == null) {
      System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "info");
    }
    CommandLine cli = new CommandLine(new Main());
    cli.setParameterExceptionHandler(Main::badArguments);
    cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
      if (e instanceof StepFailedException failed) {
        // One line per host at fault, as the cluster commands promise.
        failed.lines().forEach(line -> commandLine.getErr().println("mapreduce: " + line));
      } else {
        commandLine.getErr().println("mapreduce: " + oneLine(e));
      }
      return JOB_FAILED;
    });
    return cli;
  }

  private static int badArguments(ParameterException e, String[] args) {
    CommandLine cmd = e.getCommandLine();
    PrintWriter err = cmd.getErr();
    err.println(cmd.getCommandSpec().qualifiedName() + ": " + oneLine(e));
    err.println("Try '" + cmd.getCommandSpec().qualifiedName() + " --help' for more information.");
    return USAGE;
  }

  static String oneLine(Throwable t) {
    String m = t.getMessage() == null ? t.toString() : t.getMessage();
    return m.replaceAll("\\s*[\\r\\n]+\\s*", " ").trim();
  }

  @Override
  public void run() {
    throw new ParameterException(spec.commandLine(),
        "missing command: wordcount, indexer, grep, sort, topwords, timeline, join, average, streaming, master,"
            + " worker or secret");
  }

  /** Runs a job, showing progress, and prints its summary; returns the exit code. */
  static int execute(CommandLine cmd, MapReduceSpecification<?, ?> jobSpec) {
    return execute(cmd, jobSpec, () -> {});
  }

  /**
   * Runs a job as {@link #execute(CommandLine, MapReduceSpecification)} does; when the JVM exits
   * meanwhile (Ctrl-C, SIGTERM), runs {@code afterCancel} once the cancelled job has stopped writing,
   * for a command to remove what its earlier jobs wrote.
   */
  static int execute(CommandLine cmd, MapReduceSpecification<?, ?> jobSpec, Runnable afterCancel) {
    Job job = MapReduce.exec(jobSpec);
    Progress progress = Progress.start(job, cmd.getErr());
    // On Ctrl-C or SIGTERM, cancel the job and let it remove its files before the JVM exits.
    Thread cancelOnExit = new Thread(() -> {
      job.cancel(true);
      try {
        // Also when the cancel came too late: a job that is committing is then waited for.
        job.awaitTermination(Duration.ofSeconds(30));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      afterCancel.run();
    }, "mapreduce-cancel-on-exit");
    Runtime.getRuntime().addShutdownHook(cancelOnExit);
    try {
      JobResult result = job.get();
      progress.stop();
      Summary.print(result, jobSpec, cmd.getOut());
      return 0;
    } catch (ExecutionException e) {
      progress.stop();
      cmd.getErr().println("mapreduce: job failed: " + oneLine(e.getCause()));
      return JOB_FAILED;
    } catch (CancellationException e) {
      progress.stop();
      cmd.getErr().println("mapreduce: the job was cancelled; it left no output");
      return JOB_FAILED;
    } catch (InterruptedException e) {
      job.cancel(true);
      Thread.currentThread().interrupt();
      progress.stop();
      cmd.getErr().println("mapreduce: interrupted; the job was cancelled");
      return JOB_FAILED;
    } finally {
      try {
        Runtime.getRuntime().removeShutdownHook(cancelOnExit);
      } catch (IllegalStateException shuttingDown) {
        // The hook is running or has run: it is what cancelled the job.
      }
    }
  }

  abstract static class JobCommand implements Callable<Integer> {
    @Spec
    CommandLine.Model.CommandSpec spec;

    @Mixin
    JobOptions options;

    /** What the command reads: its {@code --input}, or join's {@code --left} and {@code --right}. */
    abstract List<String> inputs();

    /** The command's job; a command of several jobs overrides {@link #run()} instead. */
    MapReduceSpecification<?, ?> specification() {
      throw new UnsupportedOperationException(spec.name() + " runs several jobs");
    }

    /** Runs the command's job (or jobs); returns the exit code. */
    int run() {
      return execute(spec.commandLine(), orUsage(this::specification));
    }

    @Override
    public Integer call() throws Exception {
      options.inputs = inputs();
      if (options.localWorkers != null) {
        if (options.cluster != null) {
          throw new ParameterException(spec.commandLine(), "--cluster and --local-workers exclude each other");
        }
        if (options.localWorkers < 1) {
          throw new ParameterException(spec.commandLine(),
              "--local-workers must be at least 1 but was " + options.localWorkers);
        }
        try (LocalCluster cluster = LocalCluster.start(options.localWorkers)) {
          options.cluster = cluster.master();
          int code = run();
          // The master runs in this JVM: its own CPU time, beside the job's summary.
          spec.commandLine().getErr().println(cluster.masterCpu());
          spec.commandLine().getErr().flush();
          return code;
        }
      }
      return run();
    }

    /** What {@code make} returns; its IllegalArgumentException or IllegalStateException as bad arguments. */
    <T> T orUsage(Supplier<T> make) {
      try {
        return make.get();
      } catch (IllegalArgumentException | IllegalStateException e) {
        // Not the five-argument constructor: it throws when both the option and the value are null.
        throw new ParameterException(spec.commandLine(), e.getMessage(), e);
      }
    }
  }

  /** A job command that reads {@code --input PATH...}. */
  abstract static class InputJobCommand extends JobCommand {
    @Option(names = "--input", required = true, arity = "1..*", paramLabel = "PATH",
        description = "Input files, directories or globs (quote globs); may repeat.")
    List<String> inputs;

    @Override
    List<String> inputs() {
      return inputs;
    }
  }

  @Command(name = "wordcount", mixinStandardHelpOptions = true,
      description = "Counts words (maximal runs of Unicode letters, case kept): lines word<TAB>count.")
  static final class WordCountCommand extends InputJobCommand {
    @Override
    MapReduceSpecification<?, ?> specification() {
      return options.apply(WordCount.builder(), true, true).build();
    }
  }

  @Command(name = "indexer", mixinStandardHelpOptions = true,
      description = "Builds an inverted index: lines word<TAB>N doc1,doc2,... (documents are file names).")
  static final class IndexerCommand extends InputJobCommand {
    @Override
    MapReduceSpecification<?, ?> specification() {
      return options.apply(Indexer.builder(), true, true).build();
    }
  }

  @Command(name = "grep", mixinStandardHelpOptions = true,
      description = "Finds lines matching a Java regex: lines file:offset<TAB>line, by file and offset.")
  static final class GrepCommand extends InputJobCommand {
    @Option(names = "--pattern", required = true, paramLabel = "REGEX", description = "A java.util.regex pattern.")
    String pattern;

    @Override
    MapReduceSpecification<?, ?> specification() {
      try {
        return options.apply(Grep.builder(pattern), true, true).build();
      } catch (java.util.regex.PatternSyntaxException e) {
        throw new IllegalArgumentException("--pattern: " + e.getDescription() + " near index " + e.getIndex()
            + " of '" + pattern + "'", e);
      }
    }
  }

  @Command(name = "sort", mixinStandardHelpOptions = true,
      description = "Sorts lines by their UTF-8 bytes (as LC_ALL=C sort), duplicates kept; "
          + "cat mr-out-* is the sorted whole. Uses as many reduce tasks as the parallelism unless told.")
  static final class SortCommand extends InputJobCommand {
    @Override
    MapReduceSpecification<?, ?> specification() {
      // A total order keeps the output one sorted whole however many reduce tasks write it, so by
      // default sort uses as many as tasks run at once: the final merge is then parallel too.
      int reduceTasks = options.reduceTasksOr(options.parallelismOrDefault());
      return options.apply(Sort.builder(options.inputs, reduceTasks, options.splitSizeOrDefault()),
          false, false).build();
    }
  }
}

package io.mapreduce.examples.cli;

import io.mapreduce.MapReduceSpecification;
import io.mapreduce.lib.streaming.AggregateReducer;
import io.mapreduce.lib.streaming.KeyFieldBasedComparator;
import io.mapreduce.lib.streaming.KeyFieldBasedPartitioner;
import io.mapreduce.lib.streaming.StreamingMapper;
import io.mapreduce.lib.streaming.StreamingProgram;
import io.mapreduce.lib.streaming.StreamingReducer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code mapreduce streaming}: a job whose mapper, reducer and combiner are programs, as Hadoop
 * Streaming runs them. Hadoop's own command lines ({@code -D}, {@code -files}, {@code -input},
 * {@code -mapper}, {@code -numReduceTasks}, ...) are accepted too (see {@link HadoopStreamingArgs}).
 */
@Command(name = "streaming", mixinStandardHelpOptions = true,
    description = {"Runs programs as mapper, reducer and combiner, as Hadoop Streaming does: each reads lines on"
        + " stdin and prints lines key<TAB>value; the output is what cat input | mapper | LC_ALL=C sort | reducer"
        + " prints. Commands run through /bin/sh -c in a working directory holding the --file files and the"
        + " --archive archives, unpacked.",
        "Hadoop Streaming's command lines also work: -D KEY=VALUE (or -jobconf), -files A,B#NAME, -archives"
            + " A.tgz#DIR,B.zip, -input -output"
            + " -mapper -reducer -combiner -numReduceTasks -cmdenv -file -inputformat -outputformat -lazyOutput"
            + " -verbose; see the README for the keys and what is not supported."})
final class StreamingCommand extends Main.InputJobCommand {
  @Option(names = "--mapper", required = true, paramLabel = "CMD", description = "The mapper's command.")
  String mapper;

  @Option(names = "--reducer", paramLabel = "CMD|NONE|aggregate",
      description = "The reducer's command (default: cat, which writes the sorted map output); NONE: map-only;"
          + " aggregate: Hadoop's Aggregate package (mapper lines TYPE:NAME<TAB>VALUE, TYPE LongValueSum,"
          + " DoubleValueSum, ...; see the README), with its combiner.")
  String reducer;

  @Option(names = "--combiner", paramLabel = "CMD",
      description = "A combiner command, run on sorted map output before the shuffle; it must print the keys it"
          + " reads, in that order.")
  String combiner;

  @Option(names = "--aggregate-max-unique-values", paramLabel = "N",
      description = "With --reducer aggregate: UniqValueCount counts at most N + 1 distinct values, as Hadoop's with"
          + " aggregate.max.num.unique.values (default, or N <= 0: no limit).")
  Long aggregateMaxUniqueValues;

  @Option(names = "--cmdenv", paramLabel = "NAME=VALUE", description = "An environment variable for the commands; may repeat.")
  List<String> cmdenv = new ArrayList<>();

  @Option(names = "--file", paramLabel = "PATH[#NAME]",
      description = "A file to place in the commands' working directory (shipped to workers), as NAME if given; may "
          + "repeat. PATH may be s3://BUCKET/KEY. Files and archives, with each program, may total 48 MiB.")
  List<String> files = new ArrayList<>();

  @Option(names = "--archive", paramLabel = "PATH[#NAME]",
      description = "A zip, jar, tar or tar.gz archive, unpacked in the commands' working directory as the directory "
          + "NAME (default: its file name), once per worker JVM; may repeat. PATH may be s3://BUCKET/KEY, as --file's.")
  List<String> archives = new ArrayList<>();

  /** The --file and --archive bytes, read once for all programs. */
  private List<ShippedFiles.Shipped> shipped;

  @Option(names = "--job-name", paramLabel = "NAME", description = "The job's name (default: the mapper's command).")
  String jobName;

  @Option(names = "--map-input", paramLabel = "RECORDS", defaultValue = "lines",
      description = "What the mapper reads for each input line: lines (default: the line), offsets-and-lines "
          + "(OFFSET<TAB>LINE, Hadoop's NLineInputFormat), keys-and-values (the line split at its first key-value "
          + "separator, KEY<TAB>VALUE, Hadoop's KeyValueTextInputFormat) or values (what follows that separator).")
  String mapInput;

  @Option(names = "--map-input-key-value-separator", paramLabel = "SEP", defaultValue = "\t",
      description = "Where keys-and-values and values split an input line (default: tab).")
  String mapInputKeyValueSeparator;

  @Option(names = "--map-input-separator", paramLabel = "SEP", defaultValue = "\t",
      description = "What goes between key and value on the mapper's stdin (default: tab).")
  String mapInputSeparator;

  @Option(names = "--map-output-separator", paramLabel = "SEP", defaultValue = "\t",
      description = "Where the mapper's output lines split into key and value (default: tab).")
  String mapOutputSeparator;

  @Option(names = "--map-output-key-fields", paramLabel = "N", defaultValue = "1",
      description = "How many separator-split fields make the mapper's key (default: 1).")
  int mapOutputKeyFields;

  @Option(names = "--reduce-input-separator", paramLabel = "SEP", defaultValue = "\t",
      description = "What joins key and value in the reducer's input lines (default: tab).")
  String reduceInputSeparator;

  @Option(names = "--reduce-output-separator", paramLabel = "SEP", defaultValue = "\t",
      description = "Where the reducer's output lines split into key and value (default: tab).")
  String reduceOutputSeparator;

  @Option(names = "--reduce-output-key-fields", paramLabel = "N", defaultValue = "1",
      description = "How many fields make the reducer's output key (default: 1).")
  int reduceOutputKeyFields;

  @Option(names = "--key-field-separator", paramLabel = "SEP", defaultValue = "\t",
      description = "The separator of the key's fields for --partition-by and --sort-by (default: tab).")
  String keyFieldSeparator;

  @Option(names = "--partition-by", paramLabel = "-kF1,F2",
      description = "Partition by these fields of the key only, as Hadoop's KeyFieldBasedPartitioner (e.g. -k1,1).")
  String partitionBy;

  @Option(names = "--sort-by", paramLabel = "-kF1,F2[nr]...",
      description = "Order keys as LC_ALL=C sort -t SEP -k... does, as Hadoop's KeyFieldBasedComparator (e.g. "
          + "'-k1,1 -k2,2nr').")
  String sortBy;

  @Override
  MapReduceSpecification<?, ?> specification() {
    boolean mapOnly = "NONE".equals(reducer);
    if (mapOnly && options.reduceTasks != null && options.reduceTasks > 0) {
      throw new IllegalArgumentException("--reducer NONE makes a map-only job, but --reduce-tasks is "
          + options.reduceTasks);
    }
    int reduceTasks = mapOnly ? 0 : options.reduceTasksOr(1);
    boolean aggregate = reducer != null && reducer.equalsIgnoreCase("aggregate");
    // Each program carries the files and archives: aggregate's reducer and combiner run none.
    readShipped(reduceTasks == 0 || aggregate ? 1 : combiner == null ? 2 : 3);
    KeyFieldBasedComparator order = sortBy == null ? null : KeyFieldBasedComparator.parse(sortBy, keyFieldSeparator);
    StreamingMapper.Builder m = StreamingMapper.builder(program("--mapper", mapper))
        .outputKeyFields(mapOutputSeparator, mapOutputKeyFields)
        .inputRecords(inputRecords(mapInput))
        .inputSeparators(mapInputKeyValueSeparator, mapInputSeparator);
    if (order != null && reduceTasks > 0) {
      m.sortKeysBy(order);
    }
    var b = MapReduceSpecification.builder().mapper(m.build());
    if (aggregateMaxUniqueValues != null && !aggregate) {
      throw new IllegalArgumentException("--aggregate-max-unique-values is for --reducer aggregate");
    }
    if (reduceTasks > 0 && aggregate) {
      aggregate(b, order);
    } else if (reduceTasks > 0) {
      StreamingReducer.Builder r = StreamingReducer.builder(program("--reducer", reducer == null ? "cat" : reducer))
          .inputSeparator(reduceInputSeparator).outputKeyFields(reduceOutputSeparator, reduceOutputKeyFields);
      if (order != null) {
        r.keysSortedBy(order);
      }
      b.reducer(r.build());
      if (combiner != null) {
        // Hadoop's combiner writes as the mapper does: its keys must read as the mapper's.
        StreamingReducer.Builder c = StreamingReducer.builder(program("--combiner", combiner)).combiner()
            .inputSeparator(mapOutputSeparator).outputKeyFields(mapOutputSeparator, mapOutputKeyFields);
        if (order != null) {
          c.keysSortedBy(order);
        }
        b.combiner(c.build());
      }
      if (partitionBy != null || order != null) {
        KeyFieldBasedPartitioner p = KeyFieldBasedPartitioner.parse(partitionBy == null ? "" : partitionBy,
            keyFieldSeparator);
        b.partitioner(order != null ? p.ofSortKeys() : p);
      }
    }
    options.apply(b, true, false);
    if (jobName != null) {
      b.name(jobName);
    }
    return b.reduceTasks(reduceTasks).build();
  }

  private static StreamingMapper.InputRecords inputRecords(String name) {
    return switch (name) {
      case "lines" -> StreamingMapper.InputRecords.LINES;
      case "offsets-and-lines" -> StreamingMapper.InputRecords.OFFSETS_AND_LINES;
      case "keys-and-values" -> StreamingMapper.InputRecords.KEYS_AND_VALUES;
      case "values" -> StreamingMapper.InputRecords.VALUES;
      default -> throw new IllegalArgumentException("--map-input " + name
          + " is not one of lines, offsets-and-lines, keys-and-values, values");
    };
  }

  /**
   * Hadoop's Aggregate reducer and its combiner, which takes the place of a --combiner as in
   * Hadoop (said in a warning).
   */
  private void aggregate(MapReduceSpecification.Builder<byte[], byte[]> b, KeyFieldBasedComparator order) {
    if (order != null) {
      throw new IllegalArgumentException("--sort-by is not supported with --reducer aggregate");
    }
    if (combiner != null) {
      spec.commandLine().getErr().println("mapreduce streaming: ignoring --combiner " + combiner + ": --reducer"
          + " aggregate has its own combiner (as in Hadoop)");
    }
    boolean limited = aggregateMaxUniqueValues != null && aggregateMaxUniqueValues > 0;
    b.reducer(limited ? AggregateReducer.of(aggregateMaxUniqueValues) : AggregateReducer.of())
        .combiner(AggregateReducer.combiner());
    if (partitionBy != null) {
      b.partitioner(KeyFieldBasedPartitioner.parse(partitionBy, keyFieldSeparator));
    }
  }

  private void readShipped(int programs) {
    if (options.s3PathStyle) {
      // Read by mapreduce-s3 when it makes its client (JobOptions sets it too, later).
      System.setProperty("mapreduce.s3.pathStyle", "true");
    }
    shipped = ShippedFiles.read("--archive", archives, ShippedFiles.read("--file", files, List.of(), programs), programs);
  }

  private StreamingProgram program(String option, String command) {
    if (command.isBlank()) {
      throw new IllegalArgumentException(option + " is blank");
    }
    StreamingProgram.Builder p = StreamingProgram.builder(command);
    for (String e : cmdenv) {
      int eq = e.indexOf('=');
      if (eq <= 0) {
        throw new IllegalArgumentException("--cmdenv wants NAME=VALUE but got '" + e + "'");
      }
      p.env(e.substring(0, eq), e.substring(eq + 1));
    }
    for (ShippedFiles.Shipped f : shipped) {
      try {
        if (f.option().equals("--file")) {
          p.file(f.name(), f.content(), f.executable());
        } else {
          p.archive(f.name(), f.content());
        }
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(f.option() + " " + f.spec() + ": " + e.getMessage(), e);
      }
    }
    return p.build();
  }
}

package io.mapreduce.examples.cli;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Hadoop Streaming's command line, as Hadoop and EMR steps spell it, turned into this command
 * line's options: the generic options ({@code -D key=value}, {@code -files a,b#c}, {@code -archives
 * t.tgz#t}; Hadoop wants them first, here they may come anywhere) and the streaming ones ({@code -input}, {@code -mapper},
 * {@code -inputformat}, ...). A {@code -D} key with a meaning here becomes its option; any other is
 * named in one warning line, never dropped silently; an option this engine does not support fails
 * in one line naming it, before anything runs.
 */
final class HadoopStreamingArgs {
  /** The arguments for picocli, and the warning to print first (or null). */
  record Translation(String[] args, String warning) {}

  /** Hadoop's identity classes, which stream the records through: {@code cat} here. */
  private static final Set<String> IDENTITY_CLASSES = Set.of("org.apache.hadoop.mapred.lib.IdentityMapper",
      "org.apache.hadoop.mapred.lib.IdentityReducer", "IdentityMapper", "IdentityReducer");
  private static final Set<String> TEXT_INPUT = Set.of("TextInputFormat", "org.apache.hadoop.mapred.TextInputFormat",
      "org.apache.hadoop.mapreduce.lib.input.TextInputFormat");
  private static final Set<String> KEY_VALUE_INPUT = Set.of("KeyValueTextInputFormat",
      "org.apache.hadoop.mapred.KeyValueTextInputFormat",
      "org.apache.hadoop.mapreduce.lib.input.KeyValueTextInputFormat");
  private static final Set<String> NLINE_INPUT = Set.of("NLineInputFormat", "org.apache.hadoop.mapred.lib.NLineInputFormat",
      "org.apache.hadoop.mapreduce.lib.input.NLineInputFormat");
  private static final Set<String> KEY_FIELD_PARTITIONER = Set.of("KeyFieldBasedPartitioner",
      "org.apache.hadoop.mapred.lib.KeyFieldBasedPartitioner",
      "org.apache.hadoop.mapreduce.lib.partition.KeyFieldBasedPartitioner");
  private static final Set<String> KEY_FIELD_COMPARATOR = Set.of("KeyFieldBasedComparator",
      "org.apache.hadoop.mapred.lib.KeyFieldBasedComparator",
      "org.apache.hadoop.mapreduce.lib.partition.KeyFieldBasedComparator");
  /** -D keys that name one of our options directly, with their old mapred names. */
  private static final Map<String, String> KEY_OPTIONS = Map.ofEntries(
      Map.entry("stream.map.output.field.separator", "--map-output-separator"),
      Map.entry("stream.num.map.output.key.fields", "--map-output-key-fields"),
      Map.entry("stream.reduce.input.field.separator", "--reduce-input-separator"),
      Map.entry("stream.map.input.field.separator", "--map-input-separator"),
      Map.entry("stream.reduce.output.field.separator", "--reduce-output-separator"),
      Map.entry("stream.num.reduce.output.key.fields", "--reduce-output-key-fields"),
      Map.entry("mapreduce.map.output.key.field.separator", "--key-field-separator"),
      Map.entry("map.output.key.field.separator", "--key-field-separator"),
      Map.entry("aggregate.max.num.unique.values", "--aggregate-max-unique-values"),
      Map.entry("mapreduce.aggregate.max.num.unique.values", "--aggregate-max-unique-values"));
  private static final Set<String> TEXT_OUTPUT = Set.of("TextOutputFormat", "org.apache.hadoop.mapred.TextOutputFormat",
      "org.apache.hadoop.mapreduce.lib.output.TextOutputFormat");
  /** Options refused with a reason of their own. */
  private static final Map<String, String> REFUSED = Map.ofEntries(
      Map.entry("-libjars", "streaming runs programs, not Java classes: -libjars is not supported"),
      Map.entry("-cacheArchive", "-cacheArchive is not supported (deprecated in Hadoop): use -archives"),
      Map.entry("-cacheFile", "-cacheFile is not supported (deprecated in Hadoop): use -files"),
      Map.entry("-conf", "-conf is not supported: give the settings as -D key=value"),
      Map.entry("-fs", "-fs is not supported: name inputs and outputs by their full paths (s3://... or local)"),
      Map.entry("-jt", "-jt is not supported: run on a cluster with --cluster NAME|HOST:PORT"),
      Map.entry("-inputreader", "-inputreader is not supported"),
      Map.entry("-io", "-io is not supported (text lines only)"),
      Map.entry("-background", "-background is not supported"));
  /** Streaming options with one argument that map onto ours by name. */
  private static final Map<String, String> RENAMED = Map.of("-input", "--input", "-output", "--output",
      "-cmdenv", "--cmdenv", "-file", "--file", "-numReduceTasks", "--reduce-tasks");

  private HadoopStreamingArgs() {}

  /** Whether the command line uses Hadoop's spellings at all (else it is left as it is). */
  static boolean usesHadoopSpellings(String[] args) {
    for (int i = 1; i < args.length; i++) {
      if (args[i].startsWith("-") && !args[i].startsWith("--") && args[i].length() > 2) {
        return true;
      }
      if (args[i].equals("-D")) {
        return true;
      }
    }
    return false;
  }

  /**
   * Translates {@code streaming ...} in Hadoop's spellings (ours pass through).
   *
   * @throws IllegalArgumentException naming the option or key at fault, in one line
   */
  static Translation translate(String[] args) {
    if (args.length == 0 || !args[0].equals("streaming") || !usesHadoopSpellings(args)) {
      return new Translation(args, null);
    }
    List<String> out = new ArrayList<>(List.of("streaming"));
    Map<String, String> conf = new LinkedHashMap<>();
    String inputFormat = null;
    boolean reduceTasksGiven = false;
    boolean hadoopOutput = false;
    for (int i = 1; i < args.length; i++) {
      String a = args[i];
      if (a.startsWith("--") || !a.startsWith("-") || a.equals("-h") || a.equals("-V")) {
        out.add(a); // ours, or a value
        continue;
      }
      if (a.startsWith("-D") && a.length() > 2) {
        put(conf, a.substring(2), "-D");
        continue;
      }
      if (REFUSED.containsKey(a)) {
        throw new IllegalArgumentException(REFUSED.get(a));
      }
      if (a.equals("-lazyOutput")) {
        out.add("--lazy-output");
        continue;
      }
      if (a.equals("-verbose")) {
        System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "info");
        continue;
      }
      if (a.equals("-info") || a.equals("-help")) {
        out.add("--help");
        continue;
      }
      String value = value(args, i, a);
      i++;
      switch (a) {
        case "-D", "-jobconf" -> put(conf, value, a);
        case "-files", "-archives" -> {
          for (String f : value.split(",")) {
            out.add(a.equals("-files") ? "--file" : "--archive");
            out.add(sideFile(a, f));
          }
        }
        case "-input" -> {
          for (String in : value.split(",")) {
            out.add("--input");
            out.add(in);
          }
        }
        case "-mapper", "-reducer", "-combiner" -> {
          out.add("-" + a);
          out.add(program(a, value));
        }
        case "-inputformat" -> inputFormat = value;
        case "-partitioner" -> {
          if (!KEY_FIELD_PARTITIONER.contains(value)) {
            throw new IllegalArgumentException("-partitioner " + value + " is not supported (KeyFieldBasedPartitioner"
                + " is)");
          }
          conf.put("mapreduce.partitioner.class", value);
        }
        case "-outputformat" -> {
          if (!TEXT_OUTPUT.contains(value)) {
            throw new IllegalArgumentException("-outputformat " + value + " is not supported (TextOutputFormat is)");
          }
        }
        default -> {
          String ours = RENAMED.get(a);
          if (ours == null) {
            throw new IllegalArgumentException("unsupported Hadoop Streaming option " + a);
          }
          reduceTasksGiven |= a.equals("-numReduceTasks");
          hadoopOutput |= a.equals("-output");
          out.add(ours);
          out.add(value);
        }
      }
    }
    List<String> ignored = new ArrayList<>();
    boolean maxAttemptsGiven = false;
    for (Map.Entry<String, String> e : conf.entrySet()) {
      String key = e.getKey();
      String v = e.getValue();
      switch (key) {
        case "mapreduce.job.reduces", "mapred.reduce.tasks" -> {
          if (!reduceTasksGiven) {
            out.add("--reduce-tasks");
            out.add(v);
            reduceTasksGiven = true;
          }
        }
        case "mapreduce.task.timeout", "mapred.task.timeout" -> {
          long millis;
          try {
            millis = Long.parseLong(v.strip());
          } catch (NumberFormatException notANumber) {
            throw new IllegalArgumentException(key + "=" + v + ": milliseconds expected");
          }
          if (millis < 0) {
            throw new IllegalArgumentException(key + "=" + v + ": must not be negative (0: never)");
          }
          out.add("--task-timeout");
          out.add(Long.toString(millis == 0 ? 0 : Math.max(1, (millis + 999) / 1000)));
        }
        case "stream.map.input.ignoreKey",
            "mapreduce.input.keyvaluelinerecordreader.key.value.separator", "key.value.separator.in.input.line" -> {
          // read below, with -inputformat
        }
        case "mapreduce.map.maxattempts", "mapred.map.max.attempts", "mapreduce.reduce.maxattempts",
            "mapred.reduce.max.attempts" -> {
          // One setting here for maps and reduces: the larger, so no task gets fewer attempts than allowed.
          if (!maxAttemptsGiven) {
            maxAttemptsGiven = true;
            out.add("--max-attempts");
            out.add(Integer.toString(Math.max(attempts(conf, "mapreduce.map.maxattempts", "mapred.map.max.attempts"),
                attempts(conf, "mapreduce.reduce.maxattempts", "mapred.reduce.max.attempts"))));
            // (a kind of task whose key is not set counts as 0 here: the other's number decides)
          }
        }
        case "mapreduce.job.name", "mapred.job.name" -> {
          out.add("--job-name");
          out.add(v);
        }
        case "mapreduce.output.fileoutputformat.compress", "mapred.output.compress" -> {
          if (Boolean.parseBoolean(v)) {
            out.add("--output-format");
            out.add(codec(conf));
          }
        }
        case "mapreduce.output.fileoutputformat.compress.codec", "mapred.output.compression.codec",
            "mapreduce.input.lineinputformat.linespermap", "mapred.line.input.format.linespermap",
            "mapreduce.partition.keypartitioner.options", "mapred.text.key.partitioner.options",
            "mapreduce.partition.keycomparator.options", "mapred.text.key.comparator.options" -> {
          // read with the setting they complete
        }
        case "mapreduce.partitioner.class", "mapred.partitioner.class" -> {
          if (!KEY_FIELD_PARTITIONER.contains(v)) {
            throw new IllegalArgumentException(key + "=" + v + " is not supported (KeyFieldBasedPartitioner is)");
          }
          out.add("--partition-by");
          out.add(conf.getOrDefault("mapreduce.partition.keypartitioner.options",
              conf.getOrDefault("mapred.text.key.partitioner.options", "")));
        }
        case "mapreduce.job.output.key.comparator.class", "mapred.output.key.comparator.class" -> {
          if (!KEY_FIELD_COMPARATOR.contains(v)) {
            throw new IllegalArgumentException(key + "=" + v + " is not supported (KeyFieldBasedComparator is)");
          }
          out.add("--sort-by");
          out.add(conf.getOrDefault("mapreduce.partition.keycomparator.options",
              conf.getOrDefault("mapred.text.key.comparator.options", "-k1")));
        }
        default -> {
          String ours = KEY_OPTIONS.get(key);
          if (ours == null) {
            ignored.add(key);
          } else {
            out.add(ours);
            out.add(v);
          }
        }
      }
    }
    if (!given(args, "--map-input")) {
      mapInput(inputFormat, conf, out);
    }
    if (inputFormat != null) {
      if (NLINE_INPUT.contains(inputFormat)) {
        String n = conf.getOrDefault("mapreduce.input.lineinputformat.linespermap",
            conf.getOrDefault("mapred.line.input.format.linespermap", "1"));
        out.add("--input-format");
        out.add("nlines:" + n);
      } else if (!TEXT_INPUT.contains(inputFormat) && !KEY_VALUE_INPUT.contains(inputFormat)) {
        throw new IllegalArgumentException("-inputformat " + inputFormat + " is not supported (TextInputFormat,"
            + " KeyValueTextInputFormat and NLineInputFormat are)");
      }
    }
    // Hadoop names a streaming job's output files part-00000, ... (its old API ignores
    // mapreduce.output.basename): a step in Hadoop's spelling gets those names, so scripts that
    // read OUT/part-* work, unless the line chose others with our option.
    if (hadoopOutput && !given(args, "--output-basename")) {
      out.add("--output-basename");
      out.add("part");
    }
    String warning = ignored.isEmpty() ? null
        : "mapreduce streaming: ignoring -D keys this engine has no use for: " + String.join(", ", ignored);
    return new Translation(out.toArray(String[]::new), warning);
  }

  /**
   * What the mapper reads, as Hadoop Streaming writes the input format's records: the key (the
   * line's offset, or the part before KeyValueTextInputFormat's separator), a tab, and the value;
   * the value alone when stream.map.input.ignoreKey is true, its default for TextInputFormat only.
   */
  private static void mapInput(String inputFormat, Map<String, String> conf, List<String> out) {
    boolean keyValue = inputFormat != null && KEY_VALUE_INPUT.contains(inputFormat);
    String ignoreKeyValue = conf.get("stream.map.input.ignoreKey");
    boolean byDefault = inputFormat == null || TEXT_INPUT.contains(inputFormat);
    // As Hadoop's Configuration.getBoolean: true or false in any case, else the default.
    String v = ignoreKeyValue == null ? "" : ignoreKeyValue.strip();
    boolean ignoreKey = v.equalsIgnoreCase("true") || (!v.equalsIgnoreCase("false") && byDefault);
    String records = keyValue ? (ignoreKey ? "values" : "keys-and-values") : (ignoreKey ? "lines" : "offsets-and-lines");
    if (records.equals("lines")) {
      return;
    }
    out.add("--map-input");
    out.add(records);
    if (keyValue) {
      String separator = conf.getOrDefault("mapreduce.input.keyvaluelinerecordreader.key.value.separator",
          conf.getOrDefault("key.value.separator.in.input.line", "\t"));
      if (separator.isEmpty()) {
        throw new IllegalArgumentException("mapreduce.input.keyvaluelinerecordreader.key.value.separator is empty");
      }
      out.add("--map-input-key-value-separator");
      // Hadoop's KeyValueLineRecordReader splits at the first character of the setting.
      out.add(separator.substring(0, 1));
    }
  }

  /** A max-attempts key (new name or old), or 0 when neither is set. */
  private static int attempts(Map<String, String> conf, String key, String oldKey) {
    String k = conf.containsKey(key) ? key : oldKey;
    if (!conf.containsKey(k)) {
      return 0;
    }
    String v = conf.get(k);
    try {
      int n = Integer.parseInt(v.strip());
      if (n >= 1) {
        return n;
      }
    } catch (NumberFormatException notANumber) {
      // said below
    }
    throw new IllegalArgumentException(k + "=" + v + ": a number of attempts, at least 1, expected");
  }

  /** A -files or -archives entry: local (file:// stripped) or in S3 (s3a:// and s3n://, as EMR users write, read as s3://). */
  private static String sideFile(String option, String f) {
    for (String scheme : List.of("s3a://", "s3n://")) {
      if (f.startsWith(scheme)) {
        return "s3://" + f.substring(scheme.length());
      }
    }
    if (f.startsWith("file://")) {
      return f.substring("file://".length());
    }
    if (f.contains("://") && !f.startsWith("s3://")) {
      throw new IllegalArgumentException(option + " " + f + ": only local files and s3:// objects are supported");
    }
    return f;
  }

  /** Whether one of our options is on the line already (as {@code --name} or {@code --name=value}). */
  private static boolean given(String[] args, String option) {
    for (String a : args) {
      if (a.equals(option) || a.startsWith(option + "=")) {
        return true;
      }
    }
    return false;
  }

  private static String value(String[] args, int i, String option) {
    if (i + 1 >= args.length) {
      throw new IllegalArgumentException("Hadoop Streaming option " + option + " needs a value");
    }
    return args[i + 1];
  }

  private static void put(Map<String, String> conf, String keyValue, String option) {
    int eq = keyValue.indexOf('=');
    if (eq <= 0) {
      throw new IllegalArgumentException(option + " wants KEY=VALUE but got '" + keyValue + "'");
    }
    conf.put(keyValue.substring(0, eq).strip(), keyValue.substring(eq + 1));
  }

  /** A -mapper/-reducer/-combiner: a command, NONE, aggregate, or one of Hadoop's identity classes (cat). */
  private static String program(String option, String value) {
    if (IDENTITY_CLASSES.contains(value)) {
      return "cat";
    }
    if (value.equalsIgnoreCase("aggregate")) {
      // Hadoop's Aggregate package, as Hadoop spells it (any case): --reducer aggregate.
      if (option.equals("-reducer")) {
        return "aggregate";
      }
      throw new IllegalArgumentException(option + " aggregate: Hadoop's Aggregate package is -reducer aggregate");
    }
    if (value.matches("([a-z_][a-z0-9_]*\\.)+[A-Z][A-Za-z0-9_$]*")) {
      throw new IllegalArgumentException(option + " " + value + ": a Java class is not supported as a program (only"
          + " Hadoop's IdentityMapper and IdentityReducer, run as cat); give a command");
    }
    return value;
  }

  /** The output format of mapreduce.output.fileoutputformat.compress.codec: gzip by default, as Hadoop's. */
  private static String codec(Map<String, String> conf) {
    String codec = conf.getOrDefault("mapreduce.output.fileoutputformat.compress.codec",
        conf.getOrDefault("mapred.output.compression.codec", "org.apache.hadoop.io.compress.DefaultCodec"));
    String simple = codec.substring(codec.lastIndexOf('.') + 1).toLowerCase(Locale.ROOT);
    return switch (simple) {
      case "gzipcodec" -> "gzip";
      case "zstandardcodec" -> "zstd";
      default -> throw new IllegalArgumentException("mapreduce.output.fileoutputformat.compress.codec " + codec
          + " is not supported (GzipCodec and ZStandardCodec are)");
    };
  }
}

package io.mapreduce.benchmarks.hadoop;

import io.mapreduce.examples.Words;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.io.LongWritable;
import org.apache.hadoop.io.Text;
import org.apache.hadoop.mapreduce.Job;
import org.apache.hadoop.mapreduce.Mapper;
import org.apache.hadoop.mapreduce.Reducer;
import org.apache.hadoop.mapreduce.lib.input.FileInputFormat;
import org.apache.hadoop.mapreduce.lib.input.TextInputFormat;
import org.apache.hadoop.mapreduce.lib.output.FileOutputFormat;
import org.apache.hadoop.mapreduce.lib.output.TextOutputFormat;

/**
 * Word count on Hadoop's local job runner, the other side of {@code benchmarks/wordcount-vs-hadoop.sh}:
 * the examples' tokenization ({@link Words#forEach}, maximal runs of letters by code point), a
 * combiner, one reduce task, output {@code word<TAB>count} in {@code OUT/part-r-00000}.
 *
 * <pre>
 * java -jar benchmarks/target/benchmarks-hadoop.jar --input DIR --output OUT --work DIR [--maps 2]
 *     [--split-size-mib 64]
 * </pre>
 *
 * <p>Everything Hadoop writes besides the output (staging, {@code hadoop.tmp.dir}, map outputs)
 * goes under {@code --work}, not under /tmp/hadoop. Splits are at least {@code --split-size-mib}
 * (default 64, as the embedded engine's default split) so that both sides run the same number of
 * map tasks; Hadoop's own default for the local file system would be 32 MiB.
 * {@code --maps} is {@code mapreduce.local.map.tasks.maximum}, the map tasks run at once.
 */
public final class HadoopWordCount {
  private HadoopWordCount() {}

  /** Emits (word, 1) for each word of a line. */
  public static final class WordMapper extends Mapper<LongWritable, Text, Text, LongWritable> {
    private static final LongWritable ONE = new LongWritable(1);
    private final Text word = new Text();

    @Override
    protected void map(LongWritable offset, Text line, Context context) throws IOException, InterruptedException {
      try {
        Words.forEach(line.toString(), w -> {
          word.set(w);
          try {
            context.write(word, ONE);
          } catch (IOException | InterruptedException e) {
            throw new WriteFailed(e);
          }
        });
      } catch (WriteFailed e) {
        if (e.getCause() instanceof InterruptedException) {
          Thread.currentThread().interrupt();
          throw (InterruptedException) e.getCause();
        }
        throw (IOException) e.getCause();
      }
    }
  }

  /** Sums the counts of a word: the combiner and the reducer. */
  public static final class SumReducer extends Reducer<Text, LongWritable, Text, LongWritable> {
    private final LongWritable sum = new LongWritable();

    @Override
    protected void reduce(Text word, Iterable<LongWritable> counts, Context context)
        throws IOException, InterruptedException {
      long n = 0;
      for (LongWritable c : counts) {
        n += c.get();
      }
      sum.set(n);
      context.write(word, sum);
    }
  }

  /** Carries a checked exception out of the tokenizer's callback. */
  private static final class WriteFailed extends RuntimeException {
    private static final long serialVersionUID = 1L;

    WriteFailed(Exception cause) {
      super(cause);
    }
  }

  private static final String USAGE =
      "usage: HadoopWordCount --input DIR --output OUT --work DIR [--maps 2] [--split-size-mib 64]";

  public static void main(String[] args) throws Exception {
    String input = null;
    String output = null;
    String work = null;
    int maps = 2;
    long splitMib = 64;
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      if (i + 1 >= args.length) {
        fail("missing value of " + a);
      }
      String v = args[++i];
      switch (a) {
        case "--input" -> input = v;
        case "--output" -> output = v;
        case "--work" -> work = v;
        case "--maps" -> maps = Integer.parseInt(v);
        case "--split-size-mib" -> splitMib = Long.parseLong(v);
        default -> fail("unknown argument " + a);
      }
    }
    if (input == null || output == null || work == null || maps < 1 || splitMib < 1) {
      fail("--input, --output and --work are required; --maps and --split-size-mib must be positive");
    }
    Path workDir = Paths.get(work).toAbsolutePath();
    Files.createDirectories(workDir);

    Configuration conf = new Configuration();
    conf.set("mapreduce.framework.name", "local");
    conf.set("fs.defaultFS", "file:///");
    conf.setInt("mapreduce.local.map.tasks.maximum", maps);
    conf.setInt("mapreduce.local.reduce.tasks.maximum", 1);
    // Keep every file Hadoop makes in the caller's directory (it would use /tmp/hadoop-$USER and
    // /tmp/hadoop/mapred/staging otherwise).
    conf.set("hadoop.tmp.dir", workDir.resolve("tmp").toString());
    conf.set("mapreduce.jobtracker.staging.root.dir", workDir.resolve("staging").toString());
    conf.set("mapreduce.cluster.local.dir", workDir.resolve("local").toString());
    conf.set("mapreduce.cluster.temp.dir", workDir.resolve("temp").toString());
    conf.setLong("mapreduce.input.fileinputformat.split.minsize", splitMib << 20);

    Job job = Job.getInstance(conf, "wordcount");
    job.setJarByClass(HadoopWordCount.class);
    job.setInputFormatClass(TextInputFormat.class);
    job.setOutputFormatClass(TextOutputFormat.class);
    job.setMapperClass(WordMapper.class);
    job.setCombinerClass(SumReducer.class);
    job.setReducerClass(SumReducer.class);
    job.setOutputKeyClass(Text.class);
    job.setOutputValueClass(LongWritable.class);
    job.setNumReduceTasks(1);
    FileInputFormat.addInputPath(job, new org.apache.hadoop.fs.Path(Paths.get(input).toAbsolutePath().toUri()));
    FileOutputFormat.setOutputPath(job, new org.apache.hadoop.fs.Path(Paths.get(output).toAbsolutePath().toUri()));
    boolean ok = job.waitForCompletion(false);
    if (!ok) {
      System.err.println("HadoopWordCount: the job failed: " + job.getStatus().getFailureInfo());
      System.exit(1);
    }
  }

  private static void fail(String message) {
    System.err.println("HadoopWordCount: " + message);
    System.err.println(USAGE);
    System.exit(2);
  }
}

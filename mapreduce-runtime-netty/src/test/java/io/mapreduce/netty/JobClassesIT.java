package io.mapreduce.netty;

import static org.assertj.core.api.Assertions.assertThat;

import io.mapreduce.Emitter;
import io.mapreduce.Job;
import io.mapreduce.JobResult;
import io.mapreduce.MapReduce;
import io.mapreduce.MapReduceSpecification;
import io.mapreduce.Mapper;
import io.mapreduce.netty.master.Master;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * User code reaches workers without anyone copying jars: two versions of one mapper class,
 * compiled here and found on no worker's class path, run side by side as two concurrent jobs on
 * two worker JVMs, each job with its own version.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class JobClassesIT {
  @TempDir Path dir;
  private Master master;
  private final List<Process> workers = new ArrayList<>();

  @AfterEach
  void stop() throws InterruptedException {
    for (Process p : workers) {
      p.destroy();
      if (!p.waitFor(10, TimeUnit.SECONDS)) {
        p.destroyForcibly();
      }
    }
    if (master != null) {
      master.close();
    }
  }


  /** Compiles {@code dyn.TagMapper}, which emits (tag + ":" + line, 1), into a fresh directory. */
  private Path compileTagMapper(String tag) throws Exception {
    Path src = Files.createDirectories(dir.resolve("src-" + tag).resolve("dyn"));
    Files.writeString(src.resolve("TagMapper.java"), """
        package dyn;
        public final class TagMapper extends io.mapreduce.Mapper<String, Long> {
          @Override
          public void map(long offset, String line, io.mapreduce.Emitter<String, Long> emitter) {
            emitter.emit("%s:" + line, 1L);
          }
        }
        """.formatted(tag));
    Path classes = Files.createDirectories(dir.resolve("classes-" + tag));
    JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
    int code = javac.run(null, null, null, "-d", classes.toString(), "-cp", System.getProperty("java.class.path"),
        src.resolve("TagMapper.java").toString());
    assertThat(code).as("javac exit code").isZero();
    return classes;
  }

  @SuppressWarnings("unchecked")
  private Mapper<String, Long> load(Path classes) throws Exception {
    URLClassLoader loader = new URLClassLoader(new URL[] {classes.toUri().toURL()}, getClass().getClassLoader());
    return (Mapper<String, Long>) loader.loadClass("dyn.TagMapper").getConstructor().newInstance();
  }

  private Process worker(int i) throws Exception {
    List<String> cmd = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m", "-cp",
        System.getProperty("java.class.path"), WorkerProcess.class.getName(), Integer.toString(master.port()), "2",
        dir.resolve("worker-" + i).toString());
    return new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(dir.resolve("worker-" + i + ".log").toFile())
        .start();
  }

  @Test
  void twoVersionsOfAClass_runSideBySide_eachJobWithItsOwn() throws Exception {
    master = Master.start(Master.Config.local());
    workers.add(worker(0));
    workers.add(worker(1));
    Path in = Files.createDirectories(dir.resolve("in"));
    Files.writeString(in.resolve("a.txt"), "x\ny\nx\n");
    Mapper<String, Long> v1 = load(compileTagMapper("v1"));
    Mapper<String, Long> v2 = load(compileTagMapper("v2"));
    assertThat(v1.getClass()).isNotSameAs(v2.getClass());
    String cluster = "127.0.0.1:" + master.port();

    Job first = MapReduce.exec(MapReduceSpecification.builder().mapper(v1).reducer(new WordCountCluster.Sum()).input(in.toString())
        .output(dir.resolve("out-1").toString()).reduceTasks(2).cluster(cluster).build());
    Job second = MapReduce.exec(MapReduceSpecification.builder().mapper(v2).reducer(new WordCountCluster.Sum()).input(in.toString())
        .output(dir.resolve("out-2").toString()).reduceTasks(2).cluster(cluster).build());

    assertThat(lines(first.get(2, TimeUnit.MINUTES))).containsExactlyInAnyOrder("v1:x\t2", "v1:y\t1");
    assertThat(lines(second.get(2, TimeUnit.MINUTES))).containsExactlyInAnyOrder("v2:x\t2", "v2:y\t1");
  }

  private static List<String> lines(JobResult r) throws Exception {
    List<String> lines = new ArrayList<>();
    for (var uri : r.outputFiles()) {
      lines.addAll(Files.readAllLines(Path.of(uri)));
    }
    return lines;
  }

  /**
   * A job whose input format, mapper and reducer (with output types of its own) exist only in a
   * directory compiled here: the format's classes travel with the job (splits are computed by the
   * client, records read by the workers), on two worker JVMs.
   */
  @Test
  void aCustomInputFormatAndAPairReducer_travelWithTheJob() throws Exception {
    master = Master.start(Master.Config.local());
    workers.add(worker(0));
    workers.add(worker(1));
    Path src = Files.createDirectories(dir.resolve("src-fmt").resolve("dyn"));
    Files.writeString(src.resolve("CsvFormat.java"), """
        package dyn;
        import io.mapreduce.format.*;
        import io.mapreduce.spi.*;
        import java.io.IOException;
        import java.util.List;
        /** Lines "name,number" as (name, number), through the text format's reader. */
        public final class CsvFormat extends InputFormat<String, Long> {
          private final InputFormat<Long, String> lines = InputFormat.text();
          public CsvFormat() { super(String.class, Long.class); }
          @Override public List<InputSplit> split(Storage s, List<InputFile> f, long size) throws IOException {
            return lines.split(s, f, size);
          }
          @Override public RecordReader<String, Long> open(Storage s, InputSplit split) throws IOException {
            RecordReader<Long, String> r = lines.open(s, split);
            return new RecordReader<>() {
              String[] f;
              public boolean next() throws IOException { boolean n = r.next(); f = n ? r.value().split(",") : null; return n; }
              public String key() { return f[0]; }
              public Long value() { return Long.parseLong(f[1].trim()); }
              public String file() { return r.file(); }
              public long offset() { return r.offset(); }
              public long recordBytes() { return r.recordBytes(); }
              public long consumed() { return r.consumed(); }
              public void close() throws IOException { r.close(); }
            };
          }
        }
        """);
    Files.writeString(src.resolve("Pass.java"), """
        package dyn;
        public final class Pass extends io.mapreduce.PairMapper<String, Long, String, Long> {
          @Override public void map(String k, Long v, io.mapreduce.Emitter<String, Long> e) { e.emit(k, v); }
        }
        """);
    Files.writeString(src.resolve("Mean.java"), """
        package dyn;
        public final class Mean extends io.mapreduce.PairReducer<String, Long, String, Double> {
          @Override public void reduce(String k, Iterable<Long> vs, io.mapreduce.Emitter<String, Double> e) {
            long s = 0, n = 0; for (long v : vs) { s += v; n++; } e.emit(k, (double) s / n);
          }
        }
        """);
    // The format in a directory of its own: nothing else of the job comes from there.
    Path formatClasses = Files.createDirectories(dir.resolve("classes-fmt"));
    Path functionClasses = Files.createDirectories(dir.resolve("classes-fn"));
    var javac = ToolProvider.getSystemJavaCompiler();
    assertThat(javac.run(null, null, null, "-d", formatClasses.toString(), "-cp", System.getProperty("java.class.path"),
        src.resolve("CsvFormat.java").toString())).as("javac exit code").isZero();
    assertThat(javac.run(null, null, null, "-d", functionClasses.toString(), "-cp",
        System.getProperty("java.class.path"), src.resolve("Pass.java").toString(), src.resolve("Mean.java").toString()))
        .as("javac exit code").isZero();
    URLClassLoader formats = new URLClassLoader(new URL[] {formatClasses.toUri().toURL()}, getClass().getClassLoader());
    URLClassLoader loader = new URLClassLoader(new URL[] {functionClasses.toUri().toURL()},
        getClass().getClassLoader());
    Path in = Files.createDirectories(dir.resolve("in"));
    Files.writeString(in.resolve("a.csv"), "ann,1\nbob,10\nann,2\n");
    Files.writeString(in.resolve("b.csv"), "bob,20\nann,6\n");

    @SuppressWarnings({"unchecked", "rawtypes"})
    MapReduceSpecification<?, ?> spec = MapReduceSpecification.builder()
        .mapper((io.mapreduce.PairMapper) loader.loadClass("dyn.Pass").getConstructor().newInstance())
        .reducer((io.mapreduce.PairReducer) loader.loadClass("dyn.Mean").getConstructor().newInstance())
        .inputFormat((io.mapreduce.format.InputFormat<?, ?>) formats.loadClass("dyn.CsvFormat").getConstructor()
            .newInstance())
        .input(in.toString()).output(dir.resolve("out").toString()).splitSize(8).reduceTasks(2)
        .cluster("127.0.0.1:" + master.port()).build();
    assertThat(spec.outputValueType()).isEqualTo(Double.class);

    assertThat(lines(MapReduce.exec(spec).get(2, TimeUnit.MINUTES))).containsExactlyInAnyOrder("ann\t3.0",
        "bob\t15.0");
  }

  /** Defines classes from bytes with no code source: the client cannot tell where they come from. */
  static final class BytesLoader extends ClassLoader {
    BytesLoader(ClassLoader parent) {
      super(parent);
    }

    Class<?> define(String name, byte[] bytes) {
      return defineClass(name, bytes, 0, bytes.length);
    }
  }

  @Test
  void aClassNoJarHolds_failsTheTaskNamingTheClass() throws Exception {
    master = Master.start(Master.Config.local());
    workers.add(worker(0));
    Path in = Files.createDirectories(dir.resolve("in"));
    Files.writeString(in.resolve("a.txt"), "x\n");
    Path classes = compileTagMapper("hidden");
    byte[] bytes = Files.readAllBytes(classes.resolve("dyn").resolve("TagMapper.class"));
    @SuppressWarnings("unchecked")
    Mapper<String, Long> mapper = (Mapper<String, Long>) new BytesLoader(getClass().getClassLoader())
        .define("dyn.TagMapper", bytes).getConstructor().newInstance();

    Job job = MapReduce.exec(MapReduceSpecification.builder().mapper(mapper).reducer(new WordCountCluster.Sum())
        .input(in.toString()).output(dir.resolve("out").toString()).maxTaskAttempts(1)
        .cluster("127.0.0.1:" + master.port()).build());

    org.assertj.core.api.Assertions.assertThatThrownBy(() -> job.get(2, TimeUnit.MINUTES))
        .cause().isInstanceOf(io.mapreduce.TaskFailedException.class)
        .hasMessageContaining("m-00000")
        .hasMessageContaining("dyn.TagMapper");
    assertThat(dir.resolve("out")).doesNotExist();
  }
}

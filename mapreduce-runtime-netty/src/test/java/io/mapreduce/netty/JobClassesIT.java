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

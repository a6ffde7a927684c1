package io.mapreduce.examples.cli;

import io.mapreduce.netty.LocalCluster;
import io.mapreduce.netty.worker.LocalWorkerMain;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Finding 6 of issue 14 on the command line: {@code secret} makes a good secret, the daemons refuse
 * a bad one (or none, for a master elsewhere) in one line, and {@code --local-workers} starts
 * workers whose command lines, which any local user can read, hold no secret the client was given.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class SecretsCliIT {
  @TempDir Path dir;

  private record Result(int code, String out, String err) {}

  private static Result run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = Main.run(new PrintWriter(out, true), new PrintWriter(err, true), args);
    return new Result(code, out.toString(), err.toString());
  }

  @Test
  void secret_printsOrWritesA0600FileOf32RandomBytes_neverOverwrites() throws IOException {
    Result printed = run("secret");
    assertThat(printed.code()).isZero();
    assertThat(printed.out()).matches("[0-9a-f]{64}\n");

    Path file = dir.resolve("cluster-secret");
    Result written = run("secret", "--out", file.toString());
    assertThat(written.code()).isZero();
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
    String secret = Files.readString(file);
    assertThat(secret).matches("[0-9a-f]{64}\n").isNotEqualTo(printed.out());

    Result again = run("secret", "--out", file.toString());
    assertThat(again.code()).isEqualTo(Main.USAGE);
    assertThat(again.err()).startsWith("mapreduce secret: " + file + " exists: a cluster secret is never overwritten");
    assertThat(Files.readString(file)).isEqualTo(secret);
  }

  @Test
  void daemons_secretFileReadableByOthersOrShort_refusedInOneLine() throws IOException {
    Path open = dir.resolve("open");
    assertThat(run("secret", "--out", open.toString()).code()).isZero();
    Files.setPosixFilePermissions(open, PosixFilePermissions.fromString("rw-r--r--"));
    Path shortOne = Files.writeString(dir.resolve("short"), "too short\n");
    Files.setPosixFilePermissions(shortOne, PosixFilePermissions.fromString("rw-------"));
    for (String daemon : List.of("master", "worker")) {
      List<String> where = daemon.equals("master") ? List.of("--port", "0", "--http-port", "-1")
          : List.of("--master", "127.0.0.1:1");
      Result r = run(concat(daemon, where, "--secret-file", open.toString()));
      assertThat(r.code()).isEqualTo(Main.JOB_FAILED);
      assertThat(r.err().lines().toList()).containsExactly("mapreduce: the cluster secret file " + open
          + " may be read or written by others (mode rw-r--r--): chmod 600 " + open);
      r = run(concat(daemon, where, "--secret-file", shortOne.toString()));
      assertThat(r.code()).isEqualTo(Main.JOB_FAILED);
      assertThat(r.err().lines().toList()).containsExactly("mapreduce: the cluster secret in " + shortOne
          + " is 9 bytes long; at least 16 are needed (bin/mapreduce secret makes a good one)");
    }
  }

  @Test
  void worker_noSecret_masterElsewhere_refusedAtOnce() {
    assertThat(System.getenv("MAPREDUCE_SECRET")).isNull();
    long start = System.nanoTime();
    Result r = run("worker", "--master", "10.255.255.1:7077", "--work-dir", dir.resolve("work").toString());
    assertThat(r.code()).isEqualTo(Main.JOB_FAILED);
    assertThat(r.err().lines().toList()).containsExactly("mapreduce: refusing to take jobs from the master at"
        + " 10.255.255.1:7077 without a cluster secret: set --secret-file or MAPREDUCE_SECRET (only a master on"
        + " 127.0.0.1 can do without)");
    assertThat(TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start)).isLessThan(5);
    assertThat(dir.resolve("work")).doesNotExist();
  }

  private static String[] concat(String first, List<String> middle, String... rest) {
    List<String> all = new java.util.ArrayList<>();
    all.add(first);
    all.addAll(middle);
    all.addAll(List.of(rest));
    return all.toArray(String[]::new);
  }

  /**
   * The client's {@code aws.*} and {@code mapreduce.*} properties (an AWS secret key, a TLS
   * password) reach its local workers, but not through their command lines: /proc/PID/cmdline of
   * each worker is checked while it runs, and the workers' own properties through jcmd.
   */
  @Test
  void localWorkers_propertiesReachWorkers_notOnTheirCommandLines() throws Exception {
    String awsSecret = "AWS-SENTINEL-" + System.nanoTime();
    String stamp = Long.toString(System.nanoTime());
    // A space and quotes: the argument file must quote them.
    String tlsPassword = "TLS-SENTINEL \"quoted\" " + stamp;
    System.setProperty("aws.secretAccessKey", awsSecret);
    System.setProperty("mapreduce.tls.password", tlsPassword);
    try (LocalCluster cluster = LocalCluster.start(2)) {
      List<ProcessHandle> workers = ProcessHandle.current().children()
          .filter(p -> cmdline(p).contains(LocalWorkerMain.class.getName() + "\0")).toList();
      assertThat(workers).hasSize(2);
      for (ProcessHandle w : workers) {
        String argv = cmdline(w);
        assertThat(argv).doesNotContain(awsSecret).doesNotContain("TLS-SENTINEL").contains("\0@");
        String properties = jcmd(w.pid(), "VM.system_properties");
        assertThat(properties).contains("aws.secretAccessKey=" + awsSecret);
        assertThat(properties.lines().filter(l -> l.startsWith("mapreduce.tls.password=")))
            .singleElement().asString().contains("TLS-SENTINEL").contains("quoted").endsWith(stamp);
      }
      Path in = Files.createDirectories(dir.resolve("in"));
      Files.writeString(in.resolve("a.txt"), "one two two\n");
      Result r = run("wordcount", "--input", in.toString(), "--output", dir.resolve("out").toString(), "--cluster",
          cluster.master());
      assertThat(r.code()).as(r.err()).isZero();
      assertThat(Files.readAllLines(dir.resolve("out/mr-out-00000"))).containsExactly("one\t1", "two\t2");
    } finally {
      System.clearProperty("aws.secretAccessKey");
      System.clearProperty("mapreduce.tls.password");
    }
  }

  private static String cmdline(ProcessHandle p) {
    try {
      return new String(Files.readAllBytes(Path.of("/proc", Long.toString(p.pid()), "cmdline")),
          StandardCharsets.UTF_8);
    } catch (IOException gone) {
      return "";
    }
  }

  private static String jcmd(long pid, String command) throws Exception {
    Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
        Long.toString(pid), command).redirectErrorStream(true).start();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    p.getInputStream().transferTo(out);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    return out.toString(StandardCharsets.UTF_8);
  }
}

package io.mapreduce.netty.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mapreduce.JobResult;
import io.mapreduce.MapReduce;
import io.mapreduce.MapReduceSpecification;
import io.mapreduce.netty.WordCountCluster.SplitMapper;
import io.mapreduce.netty.WordCountCluster.Sum;
import io.mapreduce.netty.master.Master;
import io.mapreduce.netty.protocol.ClusterTls;
import io.mapreduce.netty.worker.Worker;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A cluster whose every connection (client, workers, shuffle) is TLS, with a keystore made here by
 * the JDK's keytool: jobs give the same counts; a client without TLS gets nowhere.
 */
class TlsClusterTest {
  @TempDir Path dir;
  private Master master;
  private final List<Worker> workers = new ArrayList<>();

  @AfterEach
  void stop() {
    System.clearProperty("mapreduce.tls.keystore");
    System.clearProperty("mapreduce.tls.password");
    workers.forEach(Worker::close);
    if (master != null) {
      master.close();
    }
  }



  private Path keystore() throws Exception {
    Path ks = dir.resolve("cluster.p12");
    Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
        "-genkeypair", "-alias", "cluster", "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=mapreduce-test",
        "-validity", "2", "-storetype", "PKCS12", "-keystore", ks.toString(), "-storepass", "changeit", "-keypass",
        "changeit").redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes());
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as("keytool: %s", out).isZero();
    return ks;
  }

  @Test
  void wordCount_overTls_countsAsASequentialLoop_andAPlainClientIsRefused() throws Exception {
    ClusterTls tls = ClusterTls.fromKeystore(keystore(), "changeit".toCharArray());
    master = Master.start(Master.Config.local().withTls(tls));
    for (int i = 0; i < 2; i++) {
      workers.add(Worker.start(Worker.Config.local(master.port(), 2, dir.resolve("w" + i)).withTls(tls)));
    }
    Path in = Files.createDirectories(dir.resolve("in"));
    StringBuilder text = new StringBuilder();
    Map<String, Long> expected = new TreeMap<>();
    for (int i = 0; i < 20_000; i++) {
      String w = "w" + (i * 7919 % 1013);
      text.append(w).append(i % 10 == 9 ? "\n" : " ");
      expected.merge(w, 1L, Long::sum);
    }
    Files.writeString(in.resolve("a.txt"), text);
    String cluster = "127.0.0.1:" + master.port();

    var plain = MapReduce.exec(MapReduceSpecification.builder().mapper(new SplitMapper()).reducer(new Sum())
        .input(in.toString()).output(dir.resolve("plain").toString()).cluster(cluster).build());
    // Both sides wait 10 s for a handshake the other cannot start: the client's own timeout ("cannot reach the
    // master at ...: ... did not complete the handshake") or the master's closing ("lost the connection to the
    // master at ...") ends it, whichever fires first.
    assertThatThrownBy(() -> plain.get(30, TimeUnit.SECONDS)).cause().hasMessageContaining("the master at " + cluster);
    assertThat(dir.resolve("plain")).doesNotExist();

    System.setProperty("mapreduce.tls.keystore", dir.resolve("cluster.p12").toString());
    System.setProperty("mapreduce.tls.password", "changeit");
    JobResult r = MapReduce.exec(MapReduceSpecification.builder().mapper(new SplitMapper()).reducer(new Sum())
            .input(in.toString()).output(dir.resolve("out").toString()).reduceTasks(3).splitSize(16 << 10)
            .cluster(cluster).build())
        .get(60, TimeUnit.SECONDS);
    Map<String, Long> actual = new TreeMap<>();
    for (var uri : r.outputFiles()) {
      for (String line : Files.readAllLines(Path.of(uri))) {
        String[] kv = line.split("\t");
        actual.put(kv[0], Long.parseLong(kv[1]));
      }
    }
    assertThat(actual).isEqualTo(expected);
  }
}

package io.mapreduce.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code mapreduce cluster up|status|logs|down} with bad arguments, in this JVM: each is exit code
 * 2 and one line naming what is at fault (then the usual pointer to {@code --help}), before any
 * host is contacted or any state written.
 */
class ClusterCommandsTest {
  @TempDir
  Path tmp;

  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  /** Runs the command line and returns its exit code; the state directory is this test's own. */
  private int run(String... args) {
    List<String> argv = new ArrayList<>(List.of(args));
    argv.addAll(List.of("--state-dir", tmp.resolve("state").toString()));
    return Main.run(new PrintWriter(out, true), new PrintWriter(err, true), argv.toArray(String[]::new));
  }

  /** Asserts exit code 2 and that standard error is the one line given, then the pointer to --help. */
  private void assertBadArguments(int exitCode, String command, String line) {
    assertThat(exitCode).as("exit code; stderr: %s", err).isEqualTo(2);
    assertThat(err.toString().lines()).containsExactly("mapreduce " + command + ": " + line,
        "Try 'mapreduce " + command + " --help' for more information.");
    assertThat(out.toString()).isEmpty();
    assertThat(tmp.resolve("state")).doesNotExist();
  }

  private Path hosts(String... lines) throws IOException {
    return Files.write(tmp.resolve("hosts.txt"), List.of(lines));
  }

  private Path config(String... lines) throws IOException {
    return Files.write(tmp.resolve("cluster.yaml"), List.of(lines));
  }

  @Test
  void up_configWithAnUnknownKey_namesTheKey() throws IOException {
    Path config = config("name: lab", "hosts: [m1, w1]", "registerTimout: 30");
    assertBadArguments(run("cluster", "up", "--config", config.toString()), "cluster up",
        config + ": unknown setting 'registerTimout' (see 'cluster up --help' for the options; keys are their names"
            + " in camel case)");
  }

  @Test
  void up_configWithAValueOfTheWrongKind_namesTheKeyAndValue() throws IOException {
    Path config = config("name: lab", "hosts: [m1, w1]", "slots: two");
    assertBadArguments(run("cluster", "up", "--config", config.toString()), "cluster up",
        config + ": slots must be a whole number but is 'two'");
  }

  @Test
  void up_configThatIsNotAMapping_saysSo() throws IOException {
    Path config = config("- name: lab");
    assertBadArguments(run("cluster", "up", "--config", config.toString()), "cluster up",
        config + " must hold a mapping of settings (name: ..., hosts: ...)");
  }

  @Test
  void up_hostsFileWithOneHost_needsAWorkersHostToo() throws IOException {
    Path hosts = hosts("# just one", "m1 master");
    assertBadArguments(run("cluster", "up", "--name", "lab", "--hosts", hosts.toString()), "cluster up",
        hosts + " lists 1 host(s): a cluster needs a master's host and at least one worker's");
  }

  @Test
  void up_hostListedTwice_namesTheHostAndLine() throws IOException {
    Path hosts = hosts("m1 master", "w1", "", "w1   # again");
    assertBadArguments(run("cluster", "up", "--name", "lab", "--hosts", hosts.toString()), "cluster up",
        hosts + " line 4: host w1 is listed twice");
  }

  @Test
  void up_twoMasters_namesBoth() throws IOException {
    Path hosts = hosts("m1 master", "w1", "m2 master");
    assertBadArguments(run("cluster", "up", "--name", "lab", "--hosts", hosts.toString()), "cluster up",
        hosts + " line 3: a second master (m2; the first is m1)");
  }

  @Test
  void up_hostsInTheConfigAsAList_areCheckedTheSameWay() throws IOException {
    Path config = config("name: lab", "hosts: [m1, w1, m1]");
    assertThat(run("cluster", "up", "--config", config.toString())).isEqualTo(2);
    assertThat(err.toString().lines().findFirst().orElseThrow()).matches(
        "mapreduce cluster up: .*mapreduce-hosts-.*\\.txt line 3: host m1 is listed twice");
  }

  @Test
  void up_withoutHosts_namesTheOption() {
    assertBadArguments(run("cluster", "up", "--name", "lab"), "cluster up",
        "the ssh provider needs --hosts (or its key in --config)");
  }

  @Test
  void up_unknownProvider_namesTheChoices() throws IOException {
    Path hosts = hosts("m1", "w1");
    assertBadArguments(run("cluster", "up", "--name", "lab", "--hosts", hosts.toString(), "--provider", "gce"),
        "cluster up", "provider 'gce' is not one of: ssh, ec2");
  }

  @ParameterizedTest
  @ValueSource(strings = {"Lab", "lab_1", "-lab", "lab-", "a.b"})
  void up_badClusterName_saysWhatANameIs(String name) throws IOException {
    Path hosts = hosts("m1", "w1");
    assertBadArguments(run("cluster", "up", "--name", name, "--hosts", hosts.toString()), "cluster up",
        "cluster name '" + name + "' must be 1 to 40 lower-case letters, digits and inner hyphens (it names"
            + " directories, tags and a Kubernetes namespace)");
  }

  @ParameterizedTest
  @ValueSource(strings = {"status", "down", "logs"})
  void clusterNeverLaunched_isNamed(String command) {
    assertBadArguments(run("cluster", command, "ghost"), "cluster " + command,
        "no cluster named 'ghost' was launched from here (state directory " + tmp.resolve("state") + ")");
  }

  @ParameterizedTest
  @ValueSource(strings = {"status", "down", "logs"})
  void badClusterName_isRefusedBeforeAnyStateIsRead(String command) {
    assertBadArguments(run("cluster", command, "../etc"), "cluster " + command,
        "cluster name '../etc' must be 1 to 40 lower-case letters, digits and inner hyphens (it names"
            + " directories, tags and a Kubernetes namespace)");
  }
}

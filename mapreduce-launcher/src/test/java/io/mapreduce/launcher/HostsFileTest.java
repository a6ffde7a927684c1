package io.mapreduce.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The hosts file's rules: one host a line, comments, the master's marker, and one line for each mistake. */
class HostsFileTest {
  @TempDir
  Path tmp;

  private static HostsFile parse(String... lines) {
    return HostsFile.parse(List.of(lines), "hosts.txt");
  }

  @Test
  void parse_withoutAMarker_theFirstHostIsTheMasters() {
    assertThat(parse("m1", "w1", "w2")).isEqualTo(new HostsFile("m1", List.of("w1", "w2")));
  }

  @Test
  void parse_markedMaster_anywhere_workersKeepTheirOrder() {
    assertThat(parse("w1", "w2", "m1 master", "w3")).isEqualTo(new HostsFile("m1", List.of("w1", "w2", "w3")));
  }

  @Test
  void parse_commentsBlankLinesAndSpaces_areIgnored() {
    HostsFile hosts = parse("# the lab", "", "  10.0.0.1\tmaster   # the big one", "   ", "node-2.lab.example  ",
        "fe80::1#v6", "#10.0.0.9");
    assertThat(hosts).isEqualTo(new HostsFile("10.0.0.1", List.of("node-2.lab.example", "fe80::1")));
  }

  @ParameterizedTest
  @ValueSource(strings = {"-oProxyCommand=touch", "root@m1", "m1;reboot", "$(id)", "m1/x", "'m1'"})
  void parse_somethingThatIsNoHost_namesTheLineAndTheWord(String word) {
    assertThatThrownBy(() -> parse("w0", word)).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("hosts.txt line 2: '" + word + "' is not a host name or address");
  }

  @Test
  void parse_aSecondWordOtherThanMaster_isRefused() {
    assertThatThrownBy(() -> parse("m1", "w1 worker")).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("hosts.txt line 2: expected 'HOST' or 'HOST master' but found 'w1 worker'");
    assertThatThrownBy(() -> parse("m1 master extra", "w1")).hasMessage(
        "hosts.txt line 1: expected 'HOST' or 'HOST master' but found 'm1 master extra'");
  }

  @Test
  void parse_aHostListedTwice_namesItAndTheSecondLine() {
    assertThatThrownBy(() -> parse("m1", "w1", "# again:", "w1")).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("hosts.txt line 4: host w1 is listed twice");
    assertThatThrownBy(() -> parse("m1", "m1 master")).hasMessage("hosts.txt line 2: host m1 is listed twice");
  }

  @Test
  void parse_twoMasters_namesBoth() {
    assertThatThrownBy(() -> parse("m1 master", "w1", "m2 master")).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("hosts.txt line 3: a second master (m2; the first is m1)");
  }

  @Test
  void parse_fewerThanTwoHosts_isNoCluster() {
    assertThatThrownBy(() -> parse("m1 master", "# w1")).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("hosts.txt lists 1 host(s): a cluster needs a master's host and at least one worker's");
    assertThatThrownBy(() -> parse()).hasMessage(
        "hosts.txt lists 0 host(s): a cluster needs a master's host and at least one worker's");
  }

  @Test
  void read_aFile_namesItInErrors() throws IOException {
    Path file = Files.write(tmp.resolve("lab.txt"), List.of("m1", "m1"));
    assertThatThrownBy(() -> HostsFile.read(file)).hasMessage(file + " line 2: host m1 is listed twice");
    Files.write(file, List.of("m1", "w1"));
    assertThat(HostsFile.read(file)).isEqualTo(new HostsFile("m1", List.of("w1")));
  }

  @Test
  void read_aMissingFile_saysWhichAndWhy() {
    Path file = tmp.resolve("nowhere.txt");
    assertThatThrownBy(() -> HostsFile.read(file)).isInstanceOf(IOException.class)
        .hasMessageStartingWith("cannot read the hosts file " + file + ": ");
  }
}

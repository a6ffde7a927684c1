package io.mapreduce.netty.master;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Who may read the status page: host names, tokens, token files. */
class StatusPageAccessTest {
  private static final String TOKEN = "0123456789abcdef-token";
  @TempDir Path dir;

  private static InetAddress ip(String literal) throws Exception {
    return InetAddress.getByName(literal);
  }

  @Test
  void allowsHost_localNamesAndTheBindAddress_withOrWithoutPort() throws Exception {
    StatusPageAccess a = StatusPageAccess.withoutToken("127.0.0.1");
    InetAddress local = ip("127.0.0.1");

    for (String host : List.of("localhost", "LOCALHOST:8080", "127.0.0.1", "127.0.0.1:8080", "[::1]", "[::1]:8080",
        "localhost.")) {
      assertThat(a.allowsHost(host, local)).as(host).isTrue();
    }
    assertThat(a.allowsHost(null, local)).as("HTTP/1.0 without Host").isTrue();
  }

  @Test
  void allowsHost_anotherName_isRefused_unlessListed() throws Exception {
    InetAddress local = ip("127.0.0.1");

    assertThat(StatusPageAccess.withoutToken("127.0.0.1").allowsHost("attacker.example:8080", local)).isFalse();
    assertThat(StatusPageAccess.withoutToken("127.0.0.1").allowsHost("127.0.0.2", local)).isFalse();
    assertThat(StatusPageAccess.withToken("0.0.0.0", TOKEN, List.of("master.internal"))
        .allowsHost("Master.Internal:8080", local)).isTrue();
  }

  @Test
  void allowsHost_wildcardBind_acceptsTheAddressTheRequestReached_only() throws Exception {
    StatusPageAccess a = StatusPageAccess.withToken("0.0.0.0", TOKEN, List.of());

    assertThat(a.allowsHost("10.1.2.3:8080", ip("10.1.2.3"))).isTrue();
    assertThat(a.allowsHost("10.1.2.4:8080", ip("10.1.2.3"))).isFalse();
    assertThat(a.allowsHost("0.0.0.0", ip("10.1.2.3"))).isFalse();
  }

  @Test
  void authorizes_bearerOrBasicPassword_only() {
    StatusPageAccess a = StatusPageAccess.withToken("127.0.0.1", TOKEN, List.of());
    String basic = "Basic " + Base64.getEncoder().encodeToString(("anyone:" + TOKEN).getBytes(StandardCharsets.UTF_8));
    String wrongBasic = "Basic " + Base64.getEncoder().encodeToString((TOKEN + ":x").getBytes(StandardCharsets.UTF_8));

    assertThat(a.authorizes("Bearer " + TOKEN)).isTrue();
    assertThat(a.authorizes("bearer  " + TOKEN)).isTrue();
    assertThat(a.authorizes(basic)).isTrue();
    assertThat(a.authorizes(null)).isFalse();
    assertThat(a.authorizes("Bearer " + TOKEN + "x")).isFalse();
    assertThat(a.authorizes("Bearer " + TOKEN.substring(1))).isFalse();
    assertThat(a.authorizes(wrongBasic)).isFalse();
    assertThat(a.authorizes("Basic !!!not-base64")).isFalse();
    assertThat(a.authorizes(TOKEN)).isFalse();
    assertThat(StatusPageAccess.loopback().authorizes(null)).as("no token asked").isTrue();
  }

  @Test
  void checkCanListen_nonLoopbackWithoutToken_isRefused() {
    assertThatThrownBy(() -> StatusPageAccess.withoutToken("0.0.0.0").checkCanListen())
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("0.0.0.0").hasMessageContaining("--http-auth-file");
    StatusPageAccess.loopback().checkCanListen();
    StatusPageAccess.withoutToken("::1").checkCanListen();
    StatusPageAccess.withToken("0.0.0.0", TOKEN, List.of()).checkCanListen();
  }

  @Test
  void of_tokenFile_mode600_isRead_stripped() throws Exception {
    Path f = Files.writeString(dir.resolve("token"), TOKEN + "\n");
    Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-------"));

    StatusPageAccess a = StatusPageAccess.of("0.0.0.0", f, List.of());

    assertThat(a.asksForToken()).isTrue();
    assertThat(a.authorizes("Bearer " + TOKEN)).isTrue();
  }

  @Test
  void of_tokenFile_readableByOthers_orShort_isRefused() throws Exception {
    Path open = Files.writeString(dir.resolve("open"), TOKEN);
    Files.setPosixFilePermissions(open, PosixFilePermissions.fromString("rw-r--r--"));
    Path shortToken = Files.writeString(dir.resolve("short"), "short-token\n");
    Files.setPosixFilePermissions(shortToken, PosixFilePermissions.fromString("rw-------"));

    assertThatThrownBy(() -> StatusPageAccess.of("0.0.0.0", open, List.of()))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("chmod 600 " + open);
    assertThatThrownBy(() -> StatusPageAccess.of("0.0.0.0", shortToken, List.of()))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("11 characters");
    assertThatThrownBy(() -> StatusPageAccess.of("0.0.0.0", dir.resolve("missing"), List.of()))
        .isInstanceOf(java.io.IOException.class);
  }

  @Test
  void failureMessage_showsItsFirstLineOnly_cut() {
    assertThat(RecentFailures.cut("java.io.IOException: boom\n\tat /home/op/secret/Path.java:3\nmore"))
        .isEqualTo("java.io.IOException: boom\u2026");
    assertThat(RecentFailures.cut("E: " + "x".repeat(5000))).hasSize(RecentFailures.MAX_MESSAGE_CHARS).endsWith("\u2026");
    assertThat(RecentFailures.cut("one line")).isEqualTo("one line");
  }
}

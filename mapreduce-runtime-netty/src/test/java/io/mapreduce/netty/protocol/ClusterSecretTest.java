package io.mapreduce.netty.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What a secret must be to be taken, where it may be used, and the secrets {@code writeNew} makes. */
class ClusterSecretTest {
  @TempDir Path dir;

  private Path file(String name, String text, String mode) throws IOException {
    Path f = Files.writeString(dir.resolve(name), text);
    Files.setPosixFilePermissions(f, PosixFilePermissions.fromString(mode));
    return f;
  }

  @Test
  void fromFile_readableByGroupOrOthers_refusedInOneLineNamingTheFileAndTheMode() throws IOException {
    for (String mode : new String[] {"rw-r--r--", "rw-r-----", "rw-----w-", "rw----r--"}) {
      Path f = file("secret-" + mode, "a long enough secret, 32 bytes..", mode);
      assertThatThrownBy(() -> ClusterSecret.fromFile(f)).isInstanceOf(IllegalArgumentException.class)
          .hasMessage("the cluster secret file " + f + " may be read or written by others (mode " + mode
              + "): chmod 600 " + f);
    }
    assertThatCode(() -> ClusterSecret.fromFile(file("mine", "a long enough secret, 32 bytes..", "rw-------")))
        .doesNotThrowAnyException();
    assertThatCode(() -> ClusterSecret.fromFile(file("read-only", "a long enough secret, 32 bytes..", "r--------")))
        .doesNotThrowAnyException();
  }

  @Test
  void shortSecret_refusedInOneLine_sixteenBytesTaken() throws IOException {
    Path f = file("short", "fifteen bytes!!\n", "rw-------");
    assertThatThrownBy(() -> ClusterSecret.fromFile(f)).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("the cluster secret in " + f + " is 15 bytes long; at least 16 are needed"
            + " (bin/mapreduce secret makes a good one)");
    assertThatThrownBy(() -> ClusterSecret.of("s3cret")).isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("the cluster secret is 6 bytes long");
    // Bytes, not characters: eight two-byte characters are enough.
    assertThatCode(() -> ClusterSecret.of("éééééééé")).doesNotThrowAnyException();
    assertThatCode(() -> ClusterSecret.fromFile(file("sixteen", "sixteen bytes!!!\n", "rw-------")))
        .doesNotThrowAnyException();
  }

  @Test
  void writeNew_makesA0600FileOf32RandomBytesInHex_neverOverwrites() throws IOException {
    Path a = dir.resolve("a");
    Path b = dir.resolve("b");
    ClusterSecret.writeNew(a);
    ClusterSecret.writeNew(b);
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(a))).isEqualTo("rw-------");
    String text = Files.readString(a, StandardCharsets.US_ASCII);
    assertThat(text).matches("[0-9a-f]{64}\n");
    assertThat(Files.readString(b)).isNotEqualTo(text);
    byte[] nonce = {1, 2, 3};
    assertThat(ClusterSecret.fromFile(a).clientProof(nonce)).containsExactly(ClusterSecret.of(text).clientProof(nonce));
    assertThatThrownBy(() -> ClusterSecret.writeNew(a)).isInstanceOf(FileAlreadyExistsException.class);
    assertThat(Files.readString(a)).isEqualTo(text);
    assertThat(ClusterSecret.generate()).matches("[0-9a-f]{64}").isNotEqualTo(ClusterSecret.generate());
  }

  @Test
  void noConfiguredSecret_connectsToAndListensOnLoopbackOnly() throws IOException {
    ClusterSecret none = ClusterSecret.NONE;
    for (String remote : new String[] {"10.1.2.3", "0.0.0.0", "192.0.2.7"}) {
      assertThatThrownBy(() -> none.checkCanConnectTo(remote, 7077, "take jobs from the master at"))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("refusing to take jobs from the master at " + remote + ":7077 without a cluster secret: set"
              + " --secret-file or MAPREDUCE_SECRET (only a master on 127.0.0.1 can do without)");
      assertThatThrownBy(() -> none.checkCanListenOn(remote, "listen")).isInstanceOf(IllegalArgumentException.class);
    }
    ClusterSecret configured = ClusterSecret.of("a long enough secret, 32 bytes..");
    assertThatCode(() -> configured.checkCanConnectTo("10.1.2.3", 7077, "x")).doesNotThrowAnyException();
    assertThatCode(() -> configured.checkCanListenOn("10.1.2.3", "x")).doesNotThrowAnyException();
    assertThat(none.isConfigured()).isFalse();
    assertThat(configured.isConfigured()).isTrue();
  }
}

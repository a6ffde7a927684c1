package io.mapreduce.internal.io;

import io.mapreduce.spi.InputSplit;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.luben.zstd.ZstdOutputStream;
import io.mapreduce.spi.InputFile;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import io.mapreduce.thirdparty.org.apache.commons.compress.compressors.bzip2.BZip2CompressorOutputStream;
import net.jpountz.lz4.LZ4FrameOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class CompressionTest {
  private static final byte[] TEXT = "first line\nsecond line, caf\u00e9\r\nthird\n".repeat(5000)
      .getBytes(StandardCharsets.UTF_8);

  interface Wrap {
    OutputStream wrap(OutputStream out) throws IOException;
  }

  private static Wrap writer(Compression c) {
    return switch (c) {
      case GZIP -> GZIPOutputStream::new;
      case BZIP2 -> BZip2CompressorOutputStream::new;
      case ZSTD -> ZstdOutputStream::new;
      case LZ4 -> LZ4FrameOutputStream::new;
      case NONE -> out -> out;
    };
  }

  private static byte[] compress(Compression c, byte[] data) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (OutputStream out = writer(c).wrap(bytes)) {
      out.write(data);
    }
    return bytes.toByteArray();
  }

  private static byte[] readAll(Compression c, byte[] file) throws IOException {
    try (InputStream in = c.decompress(new ByteArrayInputStream(file), "logs/f" + c.extension())) {
      return in.readAllBytes();
    }
  }

  @Test
  void of_choosesByExtensionInAnyCase() {
    assertThat(Compression.of("s3://b/logs/access.log.GZ")).isEqualTo(Compression.GZIP);
    assertThat(Compression.of("a.bz2")).isEqualTo(Compression.BZIP2);
    assertThat(Compression.of("a.zst")).isEqualTo(Compression.ZSTD);
    assertThat(Compression.of("a.lz4")).isEqualTo(Compression.LZ4);
    assertThat(Compression.of("a.gz.txt")).isEqualTo(Compression.NONE);
    assertThat(Compression.of("gz")).isEqualTo(Compression.NONE);
  }

  @ParameterizedTest
  @EnumSource(value = Compression.class, names = "NONE", mode = EnumSource.Mode.EXCLUDE)
  void decompress_concatenatedStreams_readsThemAll(Compression c) throws IOException {
    byte[] one = compress(c, TEXT);
    byte[] two = compress(c, "and a last member".getBytes(StandardCharsets.UTF_8));
    byte[] both = Arrays.copyOf(one, one.length + two.length);
    System.arraycopy(two, 0, both, one.length, two.length);

    assertThat(new String(readAll(c, both), StandardCharsets.UTF_8))
        .isEqualTo(new String(TEXT, StandardCharsets.UTF_8) + "and a last member");
  }

  @ParameterizedTest
  @EnumSource(value = Compression.class, names = "NONE", mode = EnumSource.Mode.EXCLUDE)
  void decompress_truncated_failsNamingTheFileAndCodec(Compression c) throws IOException {
    byte[] whole = compress(c, TEXT);
    byte[] cut = Arrays.copyOf(whole, whole.length / 2);

    assertThatThrownBy(() -> readAll(c, cut)).isInstanceOf(Compression.CorruptInputException.class)
        .hasMessageStartingWith("corrupt or truncated " + c.name().toLowerCase() + " input logs/f" + c.extension()
            + " (at compressed byte ");
  }

  @ParameterizedTest
  @EnumSource(value = Compression.class, names = "NONE", mode = EnumSource.Mode.EXCLUDE)
  void decompress_zeroBytes_isEmpty(Compression c) throws IOException {
    assertThat(readAll(c, new byte[0])).isEmpty();
  }

  @Test
  void decompress_theStorageFails_itsErrorPassesUnchanged() throws IOException {
    byte[] noise = new byte[64 << 10];
    new java.util.Random(7).nextBytes(noise);
    byte[] gz = compress(Compression.GZIP, noise);
    IOException storage = new IOException("connection reset by S3");
    InputStream failing = new InputStream() {
      int served;

      @Override
      public int read() throws IOException {
        if (served == 4096) {
          throw storage;
        }
        return gz[served++] & 0xff;
      }
    };
    assertThatThrownBy(() -> {
      try (InputStream in = Compression.GZIP.decompress(failing, "f.gz")) {
        in.readAllBytes();
      }
    }).isSameAs(storage);
  }

  @Test
  void inputSplits_compressedFilesAreNeverCut() {
    List<InputSplit> splits = InputSplit.of(List.of(new InputFile("big.log.gz", 1000), new InputFile("big.log", 1000)),
        300);
    assertThat(splits).extracting(InputSplit::toString)
        .containsExactly("big.log.gz:0+1000", "big.log:0+300", "big.log:300+300", "big.log:600+300", "big.log:900+100");
  }
}

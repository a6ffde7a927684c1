package io.mapreduce.netty.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mapreduce.thirdparty.io.netty.buffer.ByteBuf;
import io.mapreduce.thirdparty.io.netty.buffer.ByteBufAllocator;
import io.mapreduce.thirdparty.io.netty.handler.stream.ChunkedInput;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OpenMapOutputsTest {
  @TempDir
  Path dir;

  private Path file(String name, String content) throws IOException {
    Path f = dir.resolve(name);
    Files.createDirectories(f.getParent());
    return Files.writeString(f, content);
  }

  /** Bytes of a file in chunks of 3 (so that most reads take several). */
  private static ChunkedInput<ByteBuf> chunks(OpenMapOutputs open, Path file, long position, long count)
      throws IOException {
    return open.chunks(file, position, count, 3);
  }

  /** What the chunks send, as a ChunkedWriteHandler reads them, which then closes them. */
  private static String send(ChunkedInput<ByteBuf> chunks) throws Exception {
    StringBuilder out = new StringBuilder();
    while (!chunks.isEndOfInput()) {
      ByteBuf b = chunks.readChunk(ByteBufAllocator.DEFAULT);
      out.append(b.toString(StandardCharsets.UTF_8));
      b.release();
    }
    chunks.close();
    return out.toString();
  }

  @Test
  void everyPartitionOfAFile_comesFromOneOpening() throws Exception {
    OpenMapOutputs open = new OpenMapOutputs(4);
    Path a = file("job/m-0", "partition0partition1");
    assertThat(send(chunks(open, a, 0, 10))).isEqualTo("partition0");
    assertThat(send(chunks(open, a, 10, 10))).isEqualTo("partition1");
    assertThat(open.opened()).isEqualTo(1);
  }

  @Test
  void aFileLeavingTheCache_stillSendsTheChunksInFlight_andIsOpenedAgainWhenAsked() throws Exception {
    OpenMapOutputs open = new OpenMapOutputs(2);
    Path a = file("job/m-0", "aaaa");
    Path b = file("job/m-1", "bbbb");
    Path c = file("job/m-2", "cccc");
    ChunkedInput<ByteBuf> inFlight = chunks(open, a, 0, 4);
    send(chunks(open, b, 0, 4));
    send(chunks(open, c, 0, 4)); // a leaves the cache, but its chunks are not sent yet
    assertThat(open.size()).isEqualTo(2);
    assertThat(send(inFlight)).isEqualTo("aaaa");
    assertThat(send(chunks(open, a, 1, 2))).isEqualTo("aa");
    assertThat(open.opened()).isEqualTo(4);
  }

  @Test
  void anEndedJobsFiles_areClosed_andAFileGoneCannotBeServed() throws Exception {
    OpenMapOutputs open = new OpenMapOutputs(8);
    Path a = file("job-1/m-0", "one");
    Path b = file("job-2/m-0", "two");
    send(chunks(open, a, 0, 3));
    send(chunks(open, b, 0, 3));
    open.closeUnder(dir.resolve("job-1"));
    assertThat(open.size()).isEqualTo(1);
    Files.delete(a);
    assertThatThrownBy(() -> chunks(open, a, 0, 3)).isInstanceOf(NoSuchFileException.class);
    assertThat(send(chunks(open, b, 0, 3))).isEqualTo("two");
    open.closeAll();
    assertThat(open.size()).isZero();
  }

  @Test
  void aRequestRacingItsJobsEnd_isServed_butItsFileIsNotKeptOpen() throws Exception {
    OpenMapOutputs open = new OpenMapOutputs(8);
    Path a = file("job-1/m-0", "late");
    open.closeUnder(dir.resolve("job-1")); // the job ended; a request read before asks for a
    assertThat(send(chunks(open, a, 0, 4))).isEqualTo("late");
    assertThat(open.size()).as("not cached: the file is about to be deleted").isZero();
  }
}

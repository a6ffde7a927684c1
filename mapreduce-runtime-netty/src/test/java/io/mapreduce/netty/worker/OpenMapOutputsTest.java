package io.mapreduce.netty.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.channel.FileRegion;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.channels.Channels;
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

  /** What the region sends. */
  private static String send(FileRegion region) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    var target = Channels.newChannel(out);
    while (region.transferred() < region.count()) {
      region.transferTo(target, region.transferred());
    }
    region.release();
    return out.toString(StandardCharsets.UTF_8);
  }

  @Test
  void everyPartitionOfAFile_comesFromOneOpening() throws IOException {
    OpenMapOutputs open = new OpenMapOutputs(4);
    Path a = file("job/m-0", "partition0partition1");
    assertThat(send(open.region(a, 0, 10))).isEqualTo("partition0");
    assertThat(send(open.region(a, 10, 10))).isEqualTo("partition1");
    assertThat(open.opened()).isEqualTo(1);
  }

  @Test
  void aFileLeavingTheCache_stillSendsTheRegionsInFlight_andIsOpenedAgainWhenAsked() throws IOException {
    OpenMapOutputs open = new OpenMapOutputs(2);
    Path a = file("job/m-0", "aaaa");
    Path b = file("job/m-1", "bbbb");
    Path c = file("job/m-2", "cccc");
    FileRegion inFlight = open.region(a, 0, 4);
    send(open.region(b, 0, 4));
    send(open.region(c, 0, 4)); // a leaves the cache, but its region is not sent yet
    assertThat(open.size()).isEqualTo(2);
    assertThat(send(inFlight)).isEqualTo("aaaa");
    assertThat(send(open.region(a, 1, 2))).isEqualTo("aa");
    assertThat(open.opened()).isEqualTo(4);
  }

  @Test
  void anEndedJobsFiles_areClosed_andAFileGoneCannotBeServed() throws IOException {
    OpenMapOutputs open = new OpenMapOutputs(8);
    Path a = file("job-1/m-0", "one");
    Path b = file("job-2/m-0", "two");
    send(open.region(a, 0, 3));
    send(open.region(b, 0, 3));
    open.closeUnder(dir.resolve("job-1"));
    assertThat(open.size()).isEqualTo(1);
    Files.delete(a);
    assertThatThrownBy(() -> open.region(a, 0, 3)).isInstanceOf(NoSuchFileException.class);
    assertThat(send(open.region(b, 0, 3))).isEqualTo("two");
    open.closeAll();
    assertThat(open.size()).isZero();
  }

  @Test
  void aRequestRacingItsJobsEnd_isServed_butItsFileIsNotKeptOpen() throws IOException {
    OpenMapOutputs open = new OpenMapOutputs(8);
    Path a = file("job-1/m-0", "late");
    open.closeUnder(dir.resolve("job-1")); // the job ended; a request read before asks for a
    assertThat(send(open.region(a, 0, 4))).isEqualTo("late");
    assertThat(open.size()).as("not cached: the file is about to be deleted").isZero();
  }
}

package io.mapreduce.netty.master;

import static org.assertj.core.api.Assertions.assertThat;

import io.mapreduce.internal.engine.ShippedJob;
import io.mapreduce.netty.protocol.Message;
import io.mapreduce.netty.protocol.Message.TaskKind;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JournalTest {
  @TempDir Path dir;

  @Test
  void read_whatWasAppended_inOrder_andATornLastEntryIsIgnored() throws Exception {
    ShippedJob job = new ShippedJob("wc", List.of("/in"), "/out", 2, 64, 4, false, "java.lang.String", "java.lang.Long",
        new byte[] {1}, new byte[] {2}, null, null, true);
    try (Journal j = Journal.open(dir)) {
      j.append(new Journal.MasterStarted(1));
      j.append(new Journal.JobStarted("j1", job, List.of("ab"), List.of(new Message.Split(List.of(new Message.Range("/in/a", 10, 0, 10))))));
      j.append(new Journal.TaskDone("j1", TaskKind.MAP, 0, 1, "h1", 7001, Map.of("map.input.records", 3L)));
      j.append(new Journal.MapLost("j1", 0));
      j.append(new Journal.JobEnded("j1", new Message.JobFailed("j1", "boom", null, 0, null, null)));
    }
    Files.write(dir.resolve(Journal.FILE), new byte[] {0, 0, 0, 50, 1, 2}, StandardOpenOption.APPEND);

    List<Journal.Entry> entries = Journal.read(dir);

    assertThat(entries).hasSize(5);
    assertThat(entries.get(0)).isEqualTo(new Journal.MasterStarted(1));
    assertThat(((Journal.JobStarted) entries.get(1)).job().skipBadRecords()).isTrue();
    assertThat(((Journal.JobStarted) entries.get(1)).splits()).containsExactly(new Message.Split(List.of(new Message.Range("/in/a", 10, 0, 10))));
    assertThat(entries.get(2)).isEqualTo(new Journal.TaskDone("j1", TaskKind.MAP, 0, 1, "h1", 7001,
        Map.of("map.input.records", 3L)));
    assertThat(entries.get(3)).isEqualTo(new Journal.MapLost("j1", 0));
    assertThat(((Journal.JobEnded) entries.get(4)).outcome()).isInstanceOf(Message.JobFailed.class);
  }

  @Test
  void read_aJournalOfAnotherProtocolVersionBeside_isLeftAloneAndNotRead() throws Exception {
    byte[] older = {0, 0, 0, 3, 9, 9, 9};
    Files.write(dir.resolve("journal"), older);
    try (Journal j = Journal.open(dir)) {
      j.append(new Journal.MasterStarted(4));
    }

    assertThat(Journal.FILE).isNotEqualTo("journal");
    assertThat(Journal.read(dir)).containsExactly(new Journal.MasterStarted(4));
    assertThat(dir.resolve("journal")).hasBinaryContent(older);
  }

  @Test
  void appendLater_groupsEntriesIntoFewWrites_reportsDurabilityInOrder_andLosesNoneOnClose() throws Exception {
    List<Long> durable = new java.util.concurrent.CopyOnWriteArrayList<>();
    int n = 2_000;
    long last;
    try (Journal j = Journal.open(dir, durable::add)) {
      for (int i = 0; i < n; i++) {
        j.appendLater(new Journal.MapLost("j1", i));
      }
      last = j.appended();
      long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(20);
      while (j.durable() < last && System.nanoTime() < deadline) {
        Thread.sleep(5);
      }
      assertThat(j.durable()).isEqualTo(last);
      // A synchronous append waits for its own entry.
      j.append(new Journal.MasterStarted(2));
      assertThat(j.durable()).isEqualTo(last + 1);
      for (int i = 0; i < 10; i++) {
        j.appendLater(new Journal.MapLost("j2", i)); // written by close
      }
    }
    assertThat(last).isEqualTo(n);
    // Reported in increasing order, ending at the last entry before the synchronous one or after.
    assertThat(durable).isSorted().doesNotHaveDuplicates();
    // An fsync takes far longer than an append: entries appended meanwhile share the next one.
    assertThat(durable).hasSizeLessThan(n);
    assertThat(durable.get(durable.size() - 1)).isEqualTo(n + 11L);
    List<Journal.Entry> entries = Journal.read(dir);
    assertThat(entries).hasSize(n + 11);
    assertThat(entries.get(0)).isEqualTo(new Journal.MapLost("j1", 0));
    assertThat(entries.get(n - 1)).isEqualTo(new Journal.MapLost("j1", n - 1));
    assertThat(entries.get(n)).isEqualTo(new Journal.MasterStarted(2));
    assertThat(entries.get(n + 10)).isEqualTo(new Journal.MapLost("j2", 9));
  }

  @Test
  void compactLater_replacesWhatCameBefore_keepsWhatFollows_andASecondOpenReadsTheCompactJournal() throws Exception {
    ShippedJob job = new ShippedJob("wc", List.of("/in"), "/out", 2, 64, 4, false, "java.lang.String", "java.lang.Long",
        new byte[] {1}, new byte[] {2}, null, null, true);
    Message.JobFailed outcome = new Message.JobFailed("j1", "boom", null, 0, null, null);
    try (Journal j = Journal.open(dir)) {
      j.appendLater(new Journal.MasterStarted(3));
      j.appendLater(new Journal.JobStarted("j1", job, List.of(), List.of()));
      for (int i = 0; i < 1_000; i++) {
        j.appendLater(new Journal.TaskDone("j1", TaskKind.MAP, i, 1, "h1", 7001, Map.of("map.input.records", 3L)));
      }
      j.appendLater(new Journal.JobEnded("j1", outcome));
      j.compactLater(List.of(new Journal.MasterStarted(3), new Journal.JobEnded("j1", outcome)));
      j.append(new Journal.MapLost("j2", 7)); // after the compaction: kept
      assertThat(j.bytesAppended()).isGreaterThan(40_000);
    }

    assertThat(Journal.read(dir)).containsExactly(new Journal.MasterStarted(3), new Journal.JobEnded("j1", outcome),
        new Journal.MapLost("j2", 7));
    assertThat(Files.size(dir.resolve(Journal.FILE))).isLessThan(200);
    assertThat(dir.resolve(Journal.FILE + ".compacting")).doesNotExist();
    try (Journal j = Journal.open(dir)) {
      j.append(new Journal.MasterStarted(4));
    }
    assertThat(Journal.read(dir)).hasSize(4).last().isEqualTo(new Journal.MasterStarted(4));
  }
}

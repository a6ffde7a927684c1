package io.mapreduce.netty.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mapreduce.netty.protocol.Message.TaskKind;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class JobIdsTest {
  @Test
  void isValid_theIdsClientsAndTestsUse() {
    for (int i = 0; i < 100; i++) {
      assertThat(JobIds.isValid(UUID.randomUUID().toString())).isTrue();
    }
    assertThat(List.of("job-1", "j", "a.b", "A_9", "x".repeat(64))).allMatch(JobIds::isValid);
  }

  @ParameterizedTest
  @ValueSource(strings = {"", ".", "..", "../x", "x/..", "a/b", "/abs", "/", "a..b", ".hidden", "-x", "_x", "a b",
      "a\\b", "a\u0000b", "é", "a\nb", "C:", "~", "job*"})
  void isValid_pathsAndOddCharacters_refused(String id) {
    assertThat(JobIds.isValid(id)).as("'%s'", id).isFalse();
    assertThatThrownBy(() -> JobIds.check(id)).isInstanceOf(ProtocolException.class).hasMessageStartingWith("job id '");
  }

  @Test
  void isValid_nullAndTooLong_refused() {
    assertThat(JobIds.isValid(null)).isFalse();
    assertThat(JobIds.isValid("x".repeat(65))).isFalse();
  }

  @Test
  void refusal_isOneShortLine_whateverTheId() {
    String huge = "a/\n".repeat(1 << 20);
    String line = JobIds.refusal(huge);
    assertThat(line).doesNotContain("\n").hasSizeLessThan(600).contains("(3145728 characters)");
    assertThat(JobIds.refusal(null)).startsWith("job id (none) refused");
  }

  @Test
  void checkFromMaster_everyMessageWithAJobOrTaskId() {
    String bad = "../x";
    List<Message> refused = List.of(new Message.StartJob(bad, null, List.of()),
        new Message.RunMap(bad, 0, 1, "/in", 1, 0, 1), new Message.RunReduce(bad, 0, 1, 2),
        new Message.KillTask(bad, TaskKind.MAP, 0, 1), new Message.CommitResponse(bad, TaskKind.MAP, 0, 1, true),
        new Message.MapOutputs(bad, 0, List.of(), List.of(), 0), new Message.EndJob(bad),
        new Message.RunMap("job-1", -1, 1, "/in", 1, 0, 1), new Message.RunReduce("job-1", 0, -5, 2),
        new Message.KillTask("job-1", TaskKind.REDUCE, -1, 1));
    for (Message m : refused) {
      assertThatThrownBy(() -> JobIds.checkFromMaster(m)).as("%s", m).isInstanceOf(ProtocolException.class);
    }
    assertThatCode(() -> JobIds.checkFromMaster(new Message.RunMap("job-1", 0, 1, "/in", 1, 0, 1)))
        .doesNotThrowAnyException();
    assertThatCode(() -> JobIds.checkFromMaster(new Message.Registered("worker-1", 50))).doesNotThrowAnyException();
  }
}

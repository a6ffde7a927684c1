package io.mapreduce.netty.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import io.mapreduce.internal.engine.ShippedJob;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ProtocolKryoSmokeTest {
  @Test
  void decode_encodedMessages_givesEqualRecords() {
    Message.TaskSucceeded m = new Message.TaskSucceeded("job", Message.TaskKind.MAP, 3, 1, Map.of("a", 5L));
    assertThat(ProtocolKryo.decode(ProtocolKryo.encode(m))).isEqualTo(m);
    ShippedJob job = new ShippedJob("wc", List.of("/in/a", "/in/b"), "/out", 3, 64, 4, false, "java.lang.String",
        "java.lang.Long", new byte[] {1, 2}, null, new byte[] {3}, null);
    Message.StartJob start = (Message.StartJob) ProtocolKryo.decode(ProtocolKryo.encode(new Message.StartJob("j", job, List.of())));
    assertThat(start.job().inputs()).containsExactly("/in/a", "/in/b");
    assertThat(start.job().mapper()).containsExactly(1, 2);
    assertThat(start.job().reducer()).isNull();
    Message.JobFailed f = new Message.JobFailed("j", "boom", null, 0, null,
        Message.Failure.of(new IllegalStateException("x")));
    assertThat(ProtocolKryo.decode(ProtocolKryo.encode(f))).isEqualTo(f);
  }
}

package io.linkwatch.sink.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Map;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

class BackoffAndOffsetsTest {

  @Test
  void shouldDoubleTheDelayWithJitterUpToTheMaximum() {
    Backoff top = new Backoff(Duration.ofMillis(500), Duration.ofSeconds(30), () -> 1.0);
    Backoff bottom = new Backoff(Duration.ofMillis(500), Duration.ofSeconds(30), () -> 0.0);

    assertThat(top.delay(1, null)).isEqualTo(Duration.ofMillis(500));
    assertThat(top.delay(3, null)).isEqualTo(Duration.ofSeconds(2));
    assertThat(bottom.delay(3, null)).isEqualTo(Duration.ofSeconds(1));
    assertThat(top.delay(40, null)).isEqualTo(Duration.ofSeconds(30));
  }

  @Test
  void shouldHonourALongerRetryAfterButNotForever() {
    Backoff b = new Backoff(Duration.ofMillis(500), Duration.ofSeconds(30), () -> 1.0);

    assertThat(b.delay(1, Duration.ofSeconds(120))).isEqualTo(Duration.ofSeconds(120));
    assertThat(b.delay(1, Duration.ofDays(1))).isEqualTo(Backoff.MAX_RETRY_AFTER);
    assertThat(b.delay(5, Duration.ofSeconds(1)))
        .as("the backoff wins when longer")
        .isEqualTo(Duration.ofSeconds(8));
  }

  @Test
  void shouldCommitOnlyBelowTheOldestUnsettledTransition() {
    OffsetTracker t = new OffsetTracker();
    TopicPartition p = new TopicPartition("alerts", 0);
    for (long o = 10; o < 15; o++) {
      t.read(p, o);
    }
    t.done(p, 10);
    t.done(p, 12);
    t.done(p, 13);

    assertThat(t.committable()).containsExactly(Map.entry(p, new OffsetAndMetadata(11)));
    assertThat(t.pending()).isEqualTo(2);

    t.committed(t.committable());
    t.done(p, 11);
    t.done(p, 14);
    assertThat(t.committable()).containsExactly(Map.entry(p, new OffsetAndMetadata(15)));
  }

  @Test
  void shouldForgetARevokedPartition() {
    OffsetTracker t = new OffsetTracker();
    TopicPartition p = new TopicPartition("alerts", 1);
    t.read(p, 0);

    t.revoke(java.util.List.of(p));

    assertThat(t.pending()).isZero();
    assertThat(t.committable()).isEmpty();
  }
}

package io.linkwatch.sink.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import io.linkwatch.avro.Alert;
import io.linkwatch.avro.Severity;
import io.linkwatch.sink.TestAlerts;
import io.linkwatch.sink.alert.AlertLabels;
import io.linkwatch.sink.alert.Matcher;
import io.linkwatch.sink.routing.Grouping;
import io.linkwatch.sink.routing.Route;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

class GrouperTest {

  private static final long WAIT = Duration.ofSeconds(30).toMillis();
  private static final long INTERVAL = Duration.ofMinutes(5).toMillis();
  private static final long REPEAT = Duration.ofHours(4).toMillis();
  private static final Route BY_HUB =
      new Route(
          "pages",
          List.<Matcher>of(),
          List.of("chat"),
          new Grouping(
              List.of("hub"),
              Duration.ofMillis(WAIT),
              Duration.ofMillis(INTERVAL),
              Duration.ofMillis(REPEAT)),
          false);
  private static final TopicPartition P0 = new TopicPartition("alerts", 0);

  private final Grouper grouper = new Grouper("chat");
  private final AtomicLong offsets = new AtomicLong();

  private List<Item> add(Alert a, long now) {
    Item item = new Item(a, P0, offsets.getAndIncrement(), now, new byte[0]);
    return grouper.add(BY_HUB, AlertLabels.labels(a), item, now);
  }

  private static Alert fired(String rule, String hub) {
    return TestAlerts.fired(rule, hub, Severity.SEV1, TestAlerts.T0);
  }

  @Test
  void shouldWaitGroupWaitThenSendTheAlertsOfOneHubTogether() {
    add(fired("disconnects", "hub-1"), 0);
    add(fired("throttling", "hub-1"), 10_000);
    add(fired("disconnects", "hub-2"), 12_000);

    assertThat(grouper.due(WAIT - 1)).as("nothing before group_wait").isNull();
    Work first = grouper.due(WAIT);

    assertThat(first.notification.groupLabels()).containsEntry("hub", "hub-1");
    assertThat(first.notification.alerts())
        .extracting(Alert::getRuleId)
        .containsExactly("disconnects", "throttling");
    assertThat(first.items).hasSize(2);
    assertThat(first.notification.idempotencyKey()).startsWith("group:");
  }

  @Test
  void shouldNotifyAChangeToANotifiedGroupOnlyAtTheNextGroupInterval() {
    add(fired("disconnects", "hub-1"), 0);
    Work first = grouper.due(WAIT);
    grouper.finished(first.flush, true, WAIT);

    add(fired("throttling", "hub-1"), WAIT + 1000);

    assertThat(grouper.due(WAIT + INTERVAL - 1)).isNull();
    Work update = grouper.due(WAIT + INTERVAL);
    assertThat(update.notification.alerts())
        .extracting(Alert::getRuleId)
        .containsExactly("disconnects", "throttling");
    assertThat(update.items).extracting(i -> i.alert().getRuleId()).containsExactly("throttling");
  }

  @Test
  void shouldRepeatAnUnchangedGroupThatStillFiresAfterRepeatInterval() {
    add(fired("disconnects", "hub-1"), 0);
    grouper.finished(grouper.due(WAIT).flush, true, WAIT);

    assertThat(grouper.due(WAIT + INTERVAL)).as("unchanged: no update").isNull();
    Work repeat = grouper.due(WAIT + REPEAT);

    assertThat(repeat.notification.reason()).isEqualTo("repeat");
    assertThat(repeat.items).as("a repeat settles no new record").isEmpty();
    assertThat(grouper.nextDueAt()).isEqualTo(WAIT + REPEAT);
  }

  @Test
  void shouldSendTheResolutionOfANotifiedAlertThenForgetTheGroup() {
    Alert fired = fired("disconnects", "hub-1");
    add(fired, 0);
    grouper.finished(grouper.due(WAIT).flush, true, WAIT);

    add(TestAlerts.resolved(fired, TestAlerts.T0.plusSeconds(600)), WAIT + 10);
    Work resolution = grouper.due(WAIT + INTERVAL);
    grouper.finished(resolution.flush, true, WAIT + INTERVAL);

    assertThat(resolution.notification.alerts())
        .extracting(AlertLabels::idempotencyKey)
        .containsExactly(fired.getAlertId() + ":2");
    assertThat(grouper.groups()).isZero();
    assertThat(grouper.nextDueAt()).isEqualTo(Long.MAX_VALUE);
  }

  @Test
  void shouldDropAnAlertThatResolvedBeforeItsGroupWasEverNotified() {
    Alert fired = fired("disconnects", "hub-1");
    add(fired, 0);

    List<Item> coalesced = add(TestAlerts.resolved(fired, TestAlerts.T0.plusSeconds(20)), 20_000);

    assertThat(coalesced).hasSize(2);
    assertThat(grouper.due(WAIT)).isNull();
    assertThat(grouper.groups()).isZero();
  }

  @Test
  void shouldSendTheResolutionOfAnAlertThatFiredBeforeARestart() {
    // after a restart the FIRED transition was committed and is not read again: only the RESOLVED
    // is
    Alert fired = fired("disconnects", "hub-1");
    add(TestAlerts.resolved(fired, TestAlerts.T0.plusSeconds(600)), 0);

    Work w = grouper.due(WAIT);

    assertThat(w.notification.alerts()).hasSize(1);
    assertThat(AlertLabels.idempotencyKey(w.notification.alerts().get(0))).endsWith(":2");
  }
}

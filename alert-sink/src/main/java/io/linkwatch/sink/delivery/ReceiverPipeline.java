package io.linkwatch.sink.delivery;

import io.linkwatch.avro.Alert;
import io.linkwatch.avro.AlertTransition;
import io.linkwatch.avro.DeadLetterReason;
import io.linkwatch.avro.MonitorCondition;
import io.linkwatch.sink.alert.AlertLabels;
import io.linkwatch.sink.notify.DeliveryException;
import io.linkwatch.sink.notify.Notification;
import io.linkwatch.sink.notify.Notifier;
import io.linkwatch.sink.routing.Route;
import io.linkwatch.sink.routing.RoutingPlan;
import io.linkwatch.sink.routing.Silence;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.Deserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers the alerts topic to one receiver. Each receiver has its own loop, thread and consumer
 * group ({@code <sink group>.<receiver>}), so a receiver that is down delays only its own alerts:
 * the others read, deliver and commit at their own pace.
 *
 * <p>For each transition read: route it (not for this receiver: done), skip it if the delivery
 * ledger says it was delivered already, record it without sending if it is inhibited or silenced,
 * then send it at once or through its group. One notification is in flight at a time, so a receiver
 * sees the transitions of a series in order. A failure that may pass is retried with backoff and
 * jitter while the consumer keeps polling (paused, so that the group does not evict it); after
 * {@code maxAttempts}, or at once for a refusal, the transitions go to the dead-letter topic. The
 * offset of a transition is committed only once its outcome is settled: delivered, dead-lettered
 * (acknowledged), or decided not to send. Reading pauses while {@code maxPending} transitions are
 * unsettled, which bounds memory while a receiver is down for a long time.
 */
final class ReceiverPipeline implements Runnable {

  private static final Logger log = LoggerFactory.getLogger(ReceiverPipeline.class);
  private static final long MAX_POLL_WAIT_MS = 200;
  private static final Duration FAILURE_LOG_EVERY = Duration.ofMinutes(1);

  private final String name;
  private final Notifier notifier;
  private final RoutingPlan plan;
  private final Consumer<byte[], byte[]> consumer;
  private final String topic;
  private final Deserializer<Alert> deserializer;
  private final DeadLetters deadLetters;
  private final DeliveryLedger ledger;
  private final SinkMetrics metrics;
  private final DeliveryObserver observer;
  private final PipelineSettings settings;
  private final Clock clock;
  private final FiringSource firingSource;

  private final OffsetTracker offsets = new OffsetTracker();
  private final ArrayDeque<Item> queue = new ArrayDeque<>();
  private final Grouper grouper;
  private Work inflight;
  private boolean paused;
  private long lastCommitAt;
  private volatile boolean closing;

  // Alertmanager re-posts: what this receiver was last told fires, per fingerprint
  private final Map<String, Alert> firing = new LinkedHashMap<>();
  private final Set<String> touched = new HashSet<>();
  private boolean seeded;
  private long nextRefreshAt;

  // failure reporting without per-record logs
  private long failingSince = -1;
  private long lastFailureLogAt;
  private int failedAttempts;

  ReceiverPipeline(
      Notifier notifier,
      RoutingPlan plan,
      Consumer<byte[], byte[]> consumer,
      String topic,
      Deserializer<Alert> deserializer,
      DeadLetters deadLetters,
      DeliveryLedger ledger,
      SinkMetrics metrics,
      DeliveryObserver observer,
      PipelineSettings settings,
      Clock clock,
      FiringSource firingSource) {
    this.name = notifier.name();
    this.notifier = notifier;
    this.plan = plan;
    this.consumer = consumer;
    this.topic = topic;
    this.deserializer = deserializer;
    this.deadLetters = deadLetters;
    this.ledger = ledger;
    this.metrics = metrics;
    this.observer = observer;
    this.settings = settings;
    this.clock = clock;
    this.firingSource = firingSource;
    this.grouper = new Grouper(name);
    metrics.pendingGauge(name, metrics.pendingHolder(name)::get);
    if (notifier.groupsByItself()) {
      nextRefreshAt = clock.millis() + refreshInterval();
    }
  }

  String name() {
    return name;
  }

  @Override
  public void run() {
    consumer.subscribe(List.of(topic), new Rebalance());
    try {
      while (!closing) {
        long now = clock.millis();
        managePause();
        ConsumerRecords<byte[], byte[]> records = consumer.poll(pollTimeout(now));
        for (ConsumerRecord<byte[], byte[]> r : records) {
          accept(r);
        }
        dispatch();
        refresh();
        commit(false);
        metrics.pendingHolder(name).set(offsets.pending());
      }
    } catch (WakeupException e) {
      if (!closing) {
        throw e;
      }
    } finally {
      try {
        try {
          commit(true);
        } catch (WakeupException pendingWakeup) {
          // close() woke the consumer outside poll(): the wake-up is spent now, commit again
          commit(true);
        }
      } catch (RuntimeException e) {
        log.warn(
            "receiver {}: final offset commit failed ({}); unsettled alerts will be read again",
            name,
            e.getMessage());
      }
      consumer.close(Duration.ofSeconds(5));
      ledger.close();
      notifier.close();
    }
  }

  /** Asks the loop to stop; what is not settled is read again on the next start. */
  void close() {
    closing = true;
    consumer.wakeup();
  }

  private void accept(ConsumerRecord<byte[], byte[]> r) {
    TopicPartition tp = new TopicPartition(r.topic(), r.partition());
    offsets.read(tp, r.offset());
    Alert alert;
    try {
      alert = deserializer.deserialize(r.topic(), r.value());
      if (alert == null) {
        throw new IllegalArgumentException("the record has no value");
      }
    } catch (RuntimeException e) {
      Item bad =
          new Item(
              null, tp, r.offset(), r.timestamp(), r.value() == null ? new byte[0] : r.value());
      undecodable(bad, e);
      return;
    }
    Item item = new Item(alert, tp, r.offset(), r.timestamp(), r.value());
    Map<String, String> labels = AlertLabels.labels(alert);
    Optional<Route> route = plan.routeTo(name, labels);
    if (route.isEmpty()) {
      offsets.done(tp, r.offset());
      return;
    }
    touched.add(alert.getFingerprint());
    if (ledger.contains(AlertLabels.idempotencyKey(alert))) {
      rememberFiring(alert);
      settle(item, Outcome.DUPLICATE, "");
      return;
    }
    if (alert.getInhibited() || alert.getTransition() == AlertTransition.INHIBITED) {
      firing.remove(alert.getFingerprint());
      settle(item, Outcome.INHIBITED, alert.getInhibitedBy() == null ? "" : alert.getInhibitedBy());
      return;
    }
    if (valueOnlyRevision(alert)) {
      // a late record changed the value an alert shows, not its verdict: the record stays on the
      // alerts topic and the dashboard; a receiver that is re-sent firing alerts gets the new value
      // with the next re-send, nobody is paged again
      rememberFiring(alert);
      settle(item, Outcome.SKIPPED, "revision of the value only");
      return;
    }
    boolean resolved = alert.getMonitorCondition() == MonitorCondition.RESOLVED;
    if (resolved && !plan.receivers().get(name).sendResolved()) {
      settle(item, Outcome.SKIPPED, "send_resolved is false");
      return;
    }
    Optional<Silence> silence = plan.silencing(name, labels, clock.instant());
    if (silence.isPresent()) {
      settle(item, Outcome.SILENCED, silence.get().name());
      return;
    }
    if (notifier.groupsByItself() || !route.get().grouping().enabled()) {
      queue.add(item);
    } else {
      for (Item coalesced : grouper.add(route.get(), labels, item, clock.millis())) {
        settle(coalesced, Outcome.COALESCED, "resolved before its group was notified");
      }
    }
  }

  private void undecodable(Item bad, RuntimeException e) {
    String reason =
        "alert record "
            + bad.partition()
            + "@"
            + bad.offset()
            + " cannot be decoded for receiver "
            + name
            + ": "
            + e.getMessage();
    log.warn("{}; it goes to the sink dead-letter topic", reason);
    try {
      deadLetters.write(
          name,
          List.of(bad),
          DeadLetterReason.DESERIALIZATION_ERROR,
          reason,
          e.getClass().getName(),
          0);
      metrics.deadLetter(name, "deserialization");
      offsets.done(bad.partition(), bad.offset());
    } catch (DeadLetters.DeadLetterException dle) {
      // not committed: the record is read again after a restart
      log.error("receiver {}: {}", name, dle.getMessage());
    }
  }

  /** Sends what is ready, for up to a second, then returns to polling. */
  private void dispatch() {
    long deadline = clock.millis() + 1000;
    while (!closing && clock.millis() < deadline) {
      long now = clock.millis();
      if (inflight == null) {
        inflight = next(now);
        if (inflight == null) {
          return;
        }
        inflight.nextAttemptAt = now;
      }
      if (inflight.nextAttemptAt > now) {
        return;
      }
      if (!attempt(inflight)) {
        return;
      }
      inflight = null;
    }
  }

  private Work next(long now) {
    if (!queue.isEmpty()) {
      List<Item> items = new ArrayList<>();
      int max = notifier.groupsByItself() ? settings.batchSize() : 1;
      while (!queue.isEmpty() && items.size() < max) {
        items.add(queue.poll());
      }
      List<Alert> alerts = items.stream().map(Item::alert).toList();
      String key =
          items.size() == 1
              ? AlertLabels.idempotencyKey(alerts.get(0))
              : "batch:"
                  + Grouper.digest(
                      String.join(",", alerts.stream().map(AlertLabels::idempotencyKey).toList()));
      return new Work(new Notification(name, key, "", Map.of(), alerts, "transition"), items, null);
    }
    return grouper.due(now);
  }

  /**
   * One attempt at the work in flight.
   *
   * @return whether it is settled (delivered or dead-lettered)
   */
  private boolean attempt(Work w) {
    long now = clock.millis();
    if (!w.giveUp) {
      try {
        w.attempts++;
        notifier.send(w.notification);
        delivered(w);
        return true;
      } catch (DeliveryException e) {
        w.lastError = e;
        metrics.notification(name, false, w.notification.alerts().size());
        if (e.retriable() && w.attempts < settings.maxAttempts()) {
          Duration delay = settings.backoff().delay(w.attempts, e.retryAfter());
          w.nextAttemptAt = now + delay.toMillis();
          metrics.retry(name, e.reason());
          reportFailure(w, e, delay);
          return false;
        }
      } catch (RuntimeException e) {
        // a bug or a payload the notifier cannot build: retrying would not help
        w.lastError = new DeliveryException("error", false, null, e.toString(), e);
        metrics.notification(name, false, w.notification.alerts().size());
        log.error(
            "receiver {}: cannot send notification {}", name, w.notification.idempotencyKey(), e);
      }
      w.giveUp = true;
    }
    return giveUp(w);
  }

  private void delivered(Work w) {
    long now = clock.millis();
    metrics.notification(name, true, w.notification.alerts().size());
    List<String> keys = w.items.stream().map(i -> AlertLabels.idempotencyKey(i.alert())).toList();
    ledger.record(keys);
    for (Item i : w.items) {
      metrics.latency(
          name, "event", Duration.between(i.alert().getEvaluatedAt(), Instant.ofEpochMilli(now)));
      metrics.latency(name, "emit", Duration.ofMillis(now - i.timestamp()));
      rememberFiring(i.alert());
      settle(i, Outcome.DELIVERED, "");
    }
    if (w.flush != null) {
      grouper.finished(w.flush, true, now);
    }
    if (failingSince >= 0) {
      log.info(
          "receiver {}: accepting notifications again after {} failed attempts over {}",
          name,
          failedAttempts,
          AlertLabels.duration(Duration.ofMillis(now - failingSince)));
      observer.recovered(name);
      failingSince = -1;
      failedAttempts = 0;
    }
  }

  private boolean giveUp(Work w) {
    DeliveryException e = w.lastError;
    String reason =
        "receiver "
            + name
            + " did not accept the notification after "
            + w.attempts
            + (w.attempts == 1 ? " attempt: " : " attempts: ")
            + e.getMessage();
    if (!w.items.isEmpty()) {
      try {
        deadLetters.write(
            name,
            w.items,
            DeadLetterReason.DELIVERY_FAILED,
            reason,
            e.reason() + ": " + e.getClass().getName(),
            w.attempts);
      } catch (DeadLetters.DeadLetterException dle) {
        log.error(
            "receiver {}: {}; retrying in 5s (offsets stay uncommitted)", name, dle.getMessage());
        w.nextAttemptAt = clock.millis() + 5000;
        return false;
      }
    }
    log.warn("{}; {} transition(s) written to the sink dead-letter topic", reason, w.items.size());
    for (Item i : w.items) {
      metrics.deadLetter(name, e.reason());
      settle(i, Outcome.DEAD_LETTERED, e.reason() + ": " + e.getMessage());
    }
    if (w.flush != null) {
      grouper.finished(w.flush, false, clock.millis());
    }
    return true;
  }

  private void reportFailure(Work w, DeliveryException e, Duration delay) {
    long now = clock.millis();
    failedAttempts++;
    long waiting = offsets.pending();
    if (failingSince < 0) {
      failingSince = now;
      lastFailureLogAt = now;
      log.warn(
          "receiver {}: delivery failed ({}): {}; retrying in {} (attempt {}/{}), alerts for this receiver wait meanwhile",
          name,
          e.reason(),
          e.getMessage(),
          AlertLabels.duration(delay),
          w.attempts,
          settings.maxAttempts());
    } else if (now - lastFailureLogAt >= FAILURE_LOG_EVERY.toMillis()) {
      lastFailureLogAt = now;
      log.warn(
          "receiver {}: still failing for {} ({} failed attempts, last: {}: {}); {} transitions wait",
          name,
          AlertLabels.duration(Duration.ofMillis(now - failingSince)),
          failedAttempts,
          e.reason(),
          e.getMessage(),
          waiting);
    }
    observer.retrying(name, e.reason(), e.getMessage(), w.attempts, waiting);
  }

  /**
   * A REVISED transition whose state reason says that only the shown value changed (the alert stage
   * marks a revision that changed the verdict of a window {@code RevisedVerdict}; older records,
   * with neither mark, are delivered).
   */
  static boolean valueOnlyRevision(Alert alert) {
    return alert.getTransition() == AlertTransition.REVISED
        && REVISED_VALUE.equals(alert.getStateReason());
  }

  private static final String REVISED_VALUE = "RevisedValue";

  private void settle(Item item, Outcome outcome, String detail) {
    offsets.done(item.partition(), item.offset());
    metrics.outcome(name, outcome);
    observer.outcome(name, item.alert(), outcome, detail);
  }

  private void rememberFiring(Alert a) {
    if (!notifier.groupsByItself()) {
      return;
    }
    if (a.getMonitorCondition() == MonitorCondition.RESOLVED || a.getInhibited()) {
      firing.remove(a.getFingerprint());
    } else {
      firing.put(a.getFingerprint(), a);
    }
  }

  /** Re-posts firing alerts to a receiver that forgets them (Alertmanager). */
  private void refresh() {
    if (!notifier.groupsByItself()) {
      return;
    }
    long now = clock.millis();
    if (!seeded && firingSource.ready()) {
      for (Alert a : firingSource.firing()) {
        Map<String, String> labels = AlertLabels.labels(a);
        if (!touched.contains(a.getFingerprint())
            && !a.getInhibited()
            && plan.routeTo(name, labels).isPresent()
            && plan.silencing(name, labels, clock.instant()).isEmpty()) {
          firing.put(a.getFingerprint(), a);
        }
      }
      seeded = true;
      nextRefreshAt = now;
    }
    if (now < nextRefreshAt || inflight != null && inflight.lastError != null) {
      return;
    }
    nextRefreshAt = now + refreshInterval();
    firing
        .values()
        .removeIf(a -> plan.silencing(name, AlertLabels.labels(a), clock.instant()).isPresent());
    if (firing.isEmpty()) {
      return;
    }
    try {
      notifier.refresh(List.copyOf(firing.values()));
      metrics.refresh(name, true);
    } catch (DeliveryException e) {
      metrics.refresh(name, false);
      log.debug("receiver {}: re-posting firing alerts failed: {}", name, e.getMessage());
    }
  }

  private long refreshInterval() {
    return plan.receivers().get(name).resendInterval().toMillis();
  }

  private Duration pollTimeout(long now) {
    long wake = now + MAX_POLL_WAIT_MS;
    if (inflight != null) {
      wake = Math.min(wake, inflight.nextAttemptAt);
    } else if (!queue.isEmpty()) {
      wake = now;
    } else {
      wake = Math.min(wake, grouper.nextDueAt());
    }
    return Duration.ofMillis(Math.max(0, wake - now));
  }

  private void managePause() {
    int pending = offsets.pending();
    if (!paused && pending >= settings.maxPending()) {
      consumer.pause(consumer.assignment());
      paused = true;
      log.info(
          "receiver {}: {} transitions unsettled, reading paused until some are delivered",
          name,
          pending);
    } else if (paused && pending < settings.maxPending() * 8 / 10) {
      consumer.resume(consumer.paused());
      paused = false;
      log.info("receiver {}: reading resumed", name);
    }
  }

  private void commit(boolean sync) {
    long now = clock.millis();
    if (!sync && now - lastCommitAt < settings.commitInterval().toMillis()) {
      return;
    }
    Map<TopicPartition, OffsetAndMetadata> offsetsToCommit = offsets.committable();
    if (offsetsToCommit.isEmpty()) {
      return;
    }
    lastCommitAt = now;
    if (sync) {
      consumer.commitSync(offsetsToCommit);
      offsets.committed(offsetsToCommit);
    } else {
      consumer.commitAsync(
          offsetsToCommit,
          (committed, error) -> {
            if (error == null) {
              offsets.committed(committed);
            } else {
              log.debug(
                  "receiver {}: offset commit failed, retried with the next one: {}",
                  name,
                  error.getMessage());
            }
          });
    }
  }

  private final class Rebalance implements ConsumerRebalanceListener {

    @Override
    public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
      Map<TopicPartition, OffsetAndMetadata> mine = new HashMap<>(offsets.committable());
      mine.keySet().retainAll(partitions);
      if (!mine.isEmpty()) {
        try {
          consumer.commitSync(mine);
        } catch (RuntimeException e) {
          log.warn("receiver {}: commit on revocation failed: {}", name, e.getMessage());
        }
      }
      forget(partitions);
    }

    @Override
    public void onPartitionsLost(Collection<TopicPartition> partitions) {
      forget(partitions);
    }

    @Override
    public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
      if (partitions.isEmpty()) {
        return;
      }
      Map<TopicPartition, OffsetAndMetadata> committed =
          consumer.committed(new HashSet<>(partitions));
      List<TopicPartition> fresh =
          partitions.stream().filter(tp -> committed.get(tp) == null).toList();
      if (fresh.isEmpty()) {
        return;
      }
      switch (settings.start().kind()) {
        case EARLIEST -> consumer.seekToBeginning(fresh);
        case LATEST -> consumer.seekToEnd(fresh);
        case LOOKBACK -> {
          long from = clock.millis() - settings.start().lookback().toMillis();
          Map<TopicPartition, Long> query = new HashMap<>();
          fresh.forEach(tp -> query.put(tp, from));
          Seek.toTimestamps(consumer, query);
        }
      }
      log.info(
          "receiver {}: no committed position on {}, starting from {}",
          name,
          fresh,
          settings.start().kind() == PipelineSettings.StartPosition.Kind.LOOKBACK
              ? "the last " + AlertLabels.duration(settings.start().lookback())
              : settings.start().kind().name().toLowerCase(java.util.Locale.ROOT));
    }

    private void forget(Collection<TopicPartition> partitions) {
      offsets.revoke(partitions);
      queue.removeIf(i -> partitions.contains(i.partition()));
      grouper.revoke(partitions);
    }
  }
}

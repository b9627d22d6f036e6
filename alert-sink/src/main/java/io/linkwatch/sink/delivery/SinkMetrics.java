package io.linkwatch.sink.delivery;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * The sink's own meters:
 *
 * <ul>
 *   <li>{@code linkwatch.sink.deliveries{receiver,result}}: transitions by outcome ({@link Outcome}
 *       tags: delivered, dead_lettered, silenced, inhibited, duplicate, coalesced, skipped);
 *   <li>{@code linkwatch.sink.notifications{receiver,result}}: requests (a group is one) that
 *       succeeded ({@code success}) or failed ({@code failure});
 *   <li>{@code linkwatch.sink.retries{receiver,reason}}: failed attempts that will be retried;
 *   <li>{@code linkwatch.sink.deadletters{receiver,reason}}: transitions written to the sink's
 *       dead-letter topic;
 *   <li>{@code linkwatch.sink.delivery.latency{receiver,from=event|emit}}: from the alert's
 *       event-time evaluation, and from its record's timestamp on the topic, to the receiver's
 *       acceptance;
 *   <li>{@code linkwatch.sink.pending{receiver}}: transitions read and not yet handled;
 *   <li>{@code linkwatch.sink.refreshes{receiver,result}}: Alertmanager re-posts of firing alerts;
 *   <li>{@code linkwatch.sink.group.size{receiver}}: alerts per notification.
 * </ul>
 */
public final class SinkMetrics {

  private final MeterRegistry registry;
  private final ConcurrentHashMap<String, Counter> counters = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, Timer> timers = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, AtomicLong> pending = new ConcurrentHashMap<>();

  public SinkMetrics(MeterRegistry registry) {
    this.registry = registry;
  }

  public MeterRegistry registry() {
    return registry;
  }

  void outcome(String receiver, Outcome outcome) {
    counter(
            "linkwatch.sink.deliveries",
            "Alert transitions by receiver and outcome",
            receiver,
            "result",
            outcome.tag())
        .increment();
  }

  void notification(String receiver, boolean success, int size) {
    counter(
            "linkwatch.sink.notifications",
            "Requests to receivers by result",
            receiver,
            "result",
            success ? "success" : "failure")
        .increment();
    if (success) {
      DistributionSummary.builder("linkwatch.sink.group.size")
          .description("Alerts per notification")
          .tag("receiver", receiver)
          .register(registry)
          .record(size);
    }
  }

  void retry(String receiver, String reason) {
    counter(
            "linkwatch.sink.retries",
            "Failed deliveries that will be retried",
            receiver,
            "reason",
            reason)
        .increment();
  }

  void deadLetter(String receiver, String reason) {
    counter(
            "linkwatch.sink.deadletters",
            "Transitions written to the sink dead-letter topic",
            receiver,
            "reason",
            reason)
        .increment();
  }

  void refresh(String receiver, boolean success) {
    counter(
            "linkwatch.sink.refreshes",
            "Re-posts of firing alerts to Alertmanager",
            receiver,
            "result",
            success ? "success" : "failure")
        .increment();
  }

  void latency(String receiver, String from, Duration d) {
    if (d.isNegative()) {
      d = Duration.ZERO;
    }
    timers
        .computeIfAbsent(
            receiver + "|" + from,
            k ->
                Timer.builder("linkwatch.sink.delivery.latency")
                    .description(
                        "Time from the alert (event time, or emit time on the topic) to delivery")
                    .tag("receiver", receiver)
                    .tag("from", from)
                    .publishPercentileHistogram()
                    .minimumExpectedValue(Duration.ofMillis(1))
                    .maximumExpectedValue(Duration.ofMinutes(30))
                    .register(registry))
        .record(d);
  }

  /** Registers the pending gauge of a receiver, read from the pipeline. */
  void pendingGauge(String receiver, Supplier<Number> value) {
    io.micrometer.core.instrument.Gauge.builder("linkwatch.sink.pending", value)
        .description("Alert transitions read and not yet handled")
        .tag("receiver", receiver)
        .strongReference(true)
        .register(registry);
  }

  private Counter counter(
      String name, String description, String receiver, String tag, String value) {
    return counters.computeIfAbsent(
        name + "|" + receiver + "|" + value,
        k ->
            Counter.builder(name)
                .description(description)
                .tag("receiver", receiver)
                .tag(tag, value)
                .register(registry));
  }

  /** For tests and the dashboard: the count of one outcome at one receiver. */
  public double count(String receiver, Outcome outcome) {
    Counter c =
        registry
            .find("linkwatch.sink.deliveries")
            .tag("receiver", receiver)
            .tag("result", outcome.tag())
            .counter();
    return c == null ? 0 : c.count();
  }

  AtomicLong pendingHolder(String receiver) {
    return pending.computeIfAbsent(receiver, r -> new AtomicLong());
  }
}

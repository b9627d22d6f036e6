package io.linkwatch.streams.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The topology's own meters (Kafka Streams' are bound separately with {@code KafkaStreamsMetrics}).
 * Lowercase dotted names, outcome in tags:
 *
 * <ul>
 *   <li>{@code linkwatch.streams.incidents{kind,benign}} incidents emitted (first emission only)
 *   <li>{@code linkwatch.streams.late.records{stage,outcome}} records that arrived after their
 *       window or deadline closed: {@code outcome=revised} (a revision was emitted) or {@code
 *       counted} (beyond the revision horizon: counted only)
 *   <li>{@code linkwatch.streams.duplicates{input}} repeated deliveries dropped by dedup
 *   <li>{@code linkwatch.streams.series.rejected{view}} observations of new series beyond a rule's
 *       maxSeries
 *   <li>{@code linkwatch.streams.windows{kind,result}} windows emitted ({@code result=data, nodata,
 *       revision, early})
 *   <li>{@code linkwatch.streams.emit.lag{output}} wall-clock time from the event time an output is
 *       about (window end, incident decision) to its emission: the end-to-end lag
 * </ul>
 */
public final class PipelineMetrics {

  private final MeterRegistry registry;
  private final Map<String, Counter> counters = new ConcurrentHashMap<>();
  private final Map<String, Timer> timers = new ConcurrentHashMap<>();

  public PipelineMetrics(MeterRegistry registry) {
    this.registry = registry;
  }

  /** Meters that go nowhere (tests that do not look at them). */
  public static PipelineMetrics detached() {
    return new PipelineMetrics(new SimpleMeterRegistry());
  }

  public MeterRegistry registry() {
    return registry;
  }

  public void incident(String kind, boolean benign) {
    counter("linkwatch.streams.incidents", "kind", kind, "benign", Boolean.toString(benign))
        .increment();
  }

  public void late(String stage, boolean revised) {
    counter(
            "linkwatch.streams.late.records",
            "stage",
            stage,
            "outcome",
            revised ? "revised" : "counted")
        .increment();
  }

  public void duplicate(String input) {
    counter("linkwatch.streams.duplicates", "input", input, null, null).increment();
  }

  public void seriesRejected(String view) {
    counter("linkwatch.streams.series.rejected", "view", view, null, null).increment();
  }

  public void window(String kind, String result) {
    counter("linkwatch.streams.windows", "kind", kind, "result", result).increment();
  }

  public void emitLag(String output, long eventTimeMs, long nowMs) {
    Timer timer =
        timers.computeIfAbsent(
            output,
            o ->
                Timer.builder("linkwatch.streams.emit.lag")
                    .description("Wall-clock time from the event time of an output to its emission")
                    .tag("output", o)
                    .publishPercentiles(0.5, 0.99)
                    .publishPercentileHistogram()
                    .minimumExpectedValue(Duration.ofMillis(1))
                    .maximumExpectedValue(Duration.ofHours(1))
                    .register(registry));
    timer.record(Math.max(0, nowMs - eventTimeMs), TimeUnit.MILLISECONDS);
  }

  private Counter counter(String name, String k1, String v1, String k2, String v2) {
    String id = name + '|' + v1 + '|' + v2;
    return counters.computeIfAbsent(
        id,
        i -> {
          Counter.Builder b = Counter.builder(name).tag(k1, v1);
          if (k2 != null) {
            b.tag(k2, v2);
          }
          return b.register(registry);
        });
  }
}

package io.linkwatch.ingest.sink;

import io.linkwatch.avro.DeadLetterReason;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The meters of one ingest source, tagged with its kind ({@code source=file|kafka|http|agent-log|
 * simulator}; never with a file name or topic, which would make series without bound):
 *
 * <ul>
 *   <li>{@code linkwatch.ingest.records.in}: records read (events and dead letters);
 *   <li>{@code linkwatch.ingest.records.out{type=connection|provisioning|agent}}: events the broker
 *       acknowledged;
 *   <li>{@code linkwatch.ingest.records.deadlettered{reason}}: dead letters, by reason code;
 *   <li>{@code linkwatch.ingest.producer.errors{type, error}}: sends the broker refused after the
 *       producer's retries;
 *   <li>{@code linkwatch.ingest.parse.time}: time to parse one unit of input.
 * </ul>
 */
public final class IngestMetrics {

  public static final String RECORDS_IN = "linkwatch.ingest.records.in";
  public static final String RECORDS_OUT = "linkwatch.ingest.records.out";
  public static final String DEADLETTERED = "linkwatch.ingest.records.deadlettered";
  public static final String PRODUCER_ERRORS = "linkwatch.ingest.producer.errors";
  public static final String PARSE_TIME = "linkwatch.ingest.parse.time";

  private final MeterRegistry registry;
  private final String source;
  private final Counter in;
  private final Map<EventType, Counter> out = new EnumMap<>(EventType.class);
  private final Map<DeadLetterReason, Counter> deadLettered = new EnumMap<>(DeadLetterReason.class);
  private final Map<String, Counter> errors = new ConcurrentHashMap<>();
  private final Timer parseTime;

  /** What kind of record a send carried. */
  public enum EventType {
    CONNECTION,
    PROVISIONING,
    AGENT,
    DEAD_LETTER;

    String tag() {
      return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
  }

  public IngestMetrics(MeterRegistry registry, String source) {
    this.registry = registry;
    this.source = source;
    this.in =
        Counter.builder(RECORDS_IN)
            .description("Records read from the input (events and dead letters)")
            .tag("source", source)
            .register(registry);
    for (EventType t : EventType.values()) {
      if (t != EventType.DEAD_LETTER) {
        out.put(
            t,
            Counter.builder(RECORDS_OUT)
                .description("Events acknowledged by the broker")
                .tag("source", source)
                .tag("type", t.tag())
                .register(registry));
      }
    }
    for (DeadLetterReason r : DeadLetterReason.values()) {
      deadLettered.put(
          r,
          Counter.builder(DEADLETTERED)
              .description("Input records sent to the dead-letter topic, by reason")
              .tag("source", source)
              .tag("reason", r.name().toLowerCase(Locale.ROOT))
              .register(registry));
    }
    this.parseTime =
        Timer.builder(PARSE_TIME)
            .description("Time to parse one unit of input (a message, a line, a request body)")
            .tag("source", source)
            .register(registry);
  }

  public MeterRegistry registry() {
    return registry;
  }

  public String source() {
    return source;
  }

  void recordIn() {
    in.increment();
  }

  void recordOut(EventType type) {
    Counter c = out.get(type);
    if (c != null) {
      c.increment();
    }
  }

  void recordDeadLetter(DeadLetterReason reason) {
    deadLettered.get(reason).increment();
  }

  void recordProducerError(EventType type, Exception e) {
    String error = e.getClass().getSimpleName();
    errors
        .computeIfAbsent(
            type.tag() + "/" + error,
            k ->
                Counter.builder(PRODUCER_ERRORS)
                    .description("Sends the broker refused after the producer's retries")
                    .tag("source", source)
                    .tag("type", type.tag())
                    .tag("error", error)
                    .register(registry))
        .increment();
  }

  /** Records the parse time of one unit. */
  public void recordParse(long nanos) {
    parseTime.record(nanos, java.util.concurrent.TimeUnit.NANOSECONDS);
  }

  /** Events acknowledged so far, all types. */
  public long eventsOut() {
    long n = 0;
    for (Counter c : out.values()) {
      n += (long) c.count();
    }
    return n;
  }

  /** Dead letters sent so far, all reasons. */
  public long deadLettered() {
    long n = 0;
    for (Counter c : deadLettered.values()) {
      n += (long) c.count();
    }
    return n;
  }

  /** Dead letters by reason, for summaries (only reasons with a count). */
  public Map<DeadLetterReason, Long> deadLettersByReason() {
    Map<DeadLetterReason, Long> m = new EnumMap<>(DeadLetterReason.class);
    deadLettered.forEach(
        (r, c) -> {
          if (c.count() > 0) {
            m.put(r, (long) c.count());
          }
        });
    return m;
  }

  /** Events acknowledged, by type. */
  public Map<EventType, Long> eventsByType() {
    Map<EventType, Long> m = new EnumMap<>(EventType.class);
    out.forEach((t, c) -> m.put(t, (long) c.count()));
    return m;
  }

  public long recordsIn() {
    return (long) in.count();
  }
}

package io.linkwatch.ingest.source;

import io.linkwatch.avro.DeadLetterReason;
import io.linkwatch.ingest.sink.IngestMetrics;
import io.linkwatch.ingest.sink.IngestMetrics.EventType;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;

/**
 * What a source did, for the final report of a command and for tests.
 *
 * @param inputs files, topics or requests read
 * @param bytes bytes read
 * @param recordsIn records read (events and dead letters)
 * @param events events acknowledged by the broker, by type
 * @param deadLetters dead letters, by reason
 * @param elapsed wall-clock time
 */
public record Summary(
    long inputs,
    long bytes,
    long recordsIn,
    Map<EventType, Long> events,
    Map<DeadLetterReason, Long> deadLetters,
    Duration elapsed) {

  public static Summary of(long inputs, long bytes, IngestMetrics metrics, Duration elapsed) {
    return new Summary(
        inputs,
        bytes,
        metrics.recordsIn(),
        metrics.eventsByType(),
        metrics.deadLettersByReason(),
        elapsed);
  }

  public long eventsTotal() {
    return events.values().stream().mapToLong(Long::longValue).sum();
  }

  public long deadLettersTotal() {
    return deadLetters.values().stream().mapToLong(Long::longValue).sum();
  }

  /** Events per second over the run. */
  public double eventsPerSecond() {
    double s = Math.max(1, elapsed.toMillis()) / 1000.0;
    return eventsTotal() / s;
  }

  /** A few lines for a person. */
  public String describe(String inputNoun) {
    StringBuilder b = new StringBuilder();
    if (recordsIn == 0 && bytes == 0) {
      // a restart after everything was read, or a source that got no input
      return b.append("nothing new to read").append(System.lineSeparator()).toString();
    }
    b.append(
        String.format(
            Locale.ROOT,
            "read %,d %s (%,.1f MB) in %.1f s: %,d records%n",
            inputs,
            inputNoun,
            bytes / 1048576.0,
            elapsed.toMillis() / 1000.0,
            recordsIn));
    b.append(
        String.format(
            Locale.ROOT,
            "  events   %,d (connections %,d, provisioning %,d, agent %,d), %,.0f events/s%n",
            eventsTotal(),
            events.getOrDefault(EventType.CONNECTION, 0L),
            events.getOrDefault(EventType.PROVISIONING, 0L),
            events.getOrDefault(EventType.AGENT, 0L),
            eventsPerSecond()));
    b.append(String.format(Locale.ROOT, "  dead letters %,d", deadLettersTotal()));
    if (!deadLetters.isEmpty()) {
      b.append(" (");
      boolean first = true;
      for (Map.Entry<DeadLetterReason, Long> e : deadLetters.entrySet()) {
        if (!first) {
          b.append(", ");
        }
        first = false;
        b.append(e.getKey().name().toLowerCase(Locale.ROOT)).append(' ').append(e.getValue());
      }
      b.append(')');
    }
    b.append(System.lineSeparator());
    return b.toString();
  }
}

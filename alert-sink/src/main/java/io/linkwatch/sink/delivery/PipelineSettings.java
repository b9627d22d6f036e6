package io.linkwatch.sink.delivery;

import java.time.Duration;

/**
 * How each receiver's delivery loop behaves.
 *
 * @param maxAttempts attempts per notification before its transitions are dead-lettered
 * @param backoff delay between attempts
 * @param maxPending transitions read and not yet handled before the loop stops reading (memory
 *     bound per receiver)
 * @param batchSize transitions per request to a receiver that takes several (Alertmanager)
 * @param commitInterval how often offsets are committed while records flow
 * @param start where a receiver that never committed starts reading
 */
public record PipelineSettings(
    int maxAttempts,
    Backoff backoff,
    int maxPending,
    int batchSize,
    Duration commitInterval,
    StartPosition start) {

  public static PipelineSettings defaults() {
    return new PipelineSettings(
        20,
        new Backoff(Duration.ofMillis(500), Duration.ofSeconds(30)),
        10_000,
        64,
        Duration.ofSeconds(1),
        StartPosition.lookback(Duration.ofMinutes(15)));
  }

  /**
   * Where a consumer without a committed offset starts: the beginning, the end, or what was written
   * in the last {@code lookback}.
   */
  public record StartPosition(Kind kind, Duration lookback) {

    public enum Kind {
      EARLIEST,
      LATEST,
      LOOKBACK
    }

    public static StartPosition earliest() {
      return new StartPosition(Kind.EARLIEST, null);
    }

    public static StartPosition latest() {
      return new StartPosition(Kind.LATEST, null);
    }

    public static StartPosition lookback(Duration d) {
      return new StartPosition(Kind.LOOKBACK, d);
    }
  }
}

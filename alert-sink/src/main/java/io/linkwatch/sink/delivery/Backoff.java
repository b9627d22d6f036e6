package io.linkwatch.sink.delivery;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.DoubleSupplier;

/**
 * Exponential backoff with jitter: the n-th retry waits a random time between half and all of
 * {@code min(max, initial × 2^(n-1))}, so that many sinks retrying one receiver do not knock in
 * step. A receiver's {@code Retry-After} wins when it asks for longer (up to {@link
 * #MAX_RETRY_AFTER}, so that a wrong header cannot park a receiver for a day).
 *
 * @param initial the first delay
 * @param max the longest computed delay
 */
public record Backoff(Duration initial, Duration max, DoubleSupplier random) {

  static final Duration MAX_RETRY_AFTER = Duration.ofMinutes(15);

  public Backoff(Duration initial, Duration max) {
    this(initial, max, () -> ThreadLocalRandom.current().nextDouble());
  }

  /**
   * The delay before retry number {@code retry} (1 for the first retry).
   *
   * @param retryAfter what the receiver asked for, or {@code null}
   */
  public Duration delay(int retry, Duration retryAfter) {
    long base = initial.toMillis();
    int shift = Math.min(Math.max(retry - 1, 0), 30);
    long ceiling = Math.min(max.toMillis(), base << shift);
    if (ceiling < 0) {
      ceiling = max.toMillis();
    }
    long jittered = (long) (ceiling * (0.5 + 0.5 * random.getAsDouble()));
    Duration computed = Duration.ofMillis(Math.max(jittered, 1));
    if (retryAfter != null) {
      Duration asked = retryAfter.compareTo(MAX_RETRY_AFTER) > 0 ? MAX_RETRY_AFTER : retryAfter;
      return asked.compareTo(computed) > 0 ? asked : computed;
    }
    return computed;
  }
}

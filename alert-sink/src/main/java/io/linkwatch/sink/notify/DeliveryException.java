package io.linkwatch.sink.notify;

import java.time.Duration;

/**
 * A receiver did not accept a notification.
 *
 * <p>{@link #reason()} is a short, lowercase tag for metrics and dead letters ({@code timeout},
 * {@code connection_refused}, {@code io}, {@code http_429}, {@code http_5xx}, {@code http_4xx},
 * {@code http_3xx}, {@code rejected}); the message is for a person.
 */
public final class DeliveryException extends Exception {

  private final boolean retriable;
  private final String reason;
  private final Duration retryAfter;

  public DeliveryException(String reason, boolean retriable, Duration retryAfter, String message) {
    this(reason, retriable, retryAfter, message, null);
  }

  public DeliveryException(
      String reason, boolean retriable, Duration retryAfter, String message, Throwable cause) {
    super(message, cause);
    this.reason = reason;
    this.retriable = retriable;
    this.retryAfter = retryAfter;
  }

  /** Whether sending the same thing again may succeed (timeouts, refused connections, 5xx, 429). */
  public boolean retriable() {
    return retriable;
  }

  public String reason() {
    return reason;
  }

  /** The receiver's {@code Retry-After}, or {@code null} when it gave none. */
  public Duration retryAfter() {
    return retryAfter;
  }
}

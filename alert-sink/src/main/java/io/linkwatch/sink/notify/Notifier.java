package io.linkwatch.sink.notify;

import io.linkwatch.avro.Alert;
import java.util.List;

/**
 * Delivers notifications to one receiver. The delivery loop does not know which kind it talks to:
 * it calls {@link #send}, retries what {@link DeliveryException#retriable()} says it may, and
 * dead-letters the rest. Implementations are thread-confined to their receiver's delivery thread.
 */
public interface Notifier extends AutoCloseable {

  /** The receiver's name. */
  String name();

  /**
   * Sends one notification; returns only when the receiver has accepted it.
   *
   * @throws DeliveryException when it did not, saying whether a retry may succeed
   */
  void send(Notification notification) throws DeliveryException;

  /**
   * Whether the receiver groups, deduplicates and repeats by itself (Alertmanager), so that the
   * sink sends every transition as it comes and applies no grouping of its own.
   */
  default boolean groupsByItself() {
    return false;
  }

  /**
   * Re-posts alerts that still fire, for receivers that forget them otherwise (Alertmanager
   * resolves an alert it has not heard of for {@code resolve_timeout}). Best effort: a failure is
   * reported, not retried, since the next re-post comes soon.
   */
  default void refresh(List<Alert> firing) throws DeliveryException {}

  @Override
  default void close() {}
}

package io.linkwatch.sink.delivery;

import io.linkwatch.avro.Alert;

/** Hears what the delivery pipelines do, e.g. the dashboard showing deliveries per alert. */
public interface DeliveryObserver {

  DeliveryObserver NONE = new DeliveryObserver() {};

  /**
   * One transition reached a final outcome at one receiver.
   *
   * @param detail the silence name, the dead-letter reason, or empty
   */
  default void outcome(String receiver, Alert alert, Outcome outcome, String detail) {}

  /** A receiver failed and will be retried (its alerts wait). */
  default void retrying(
      String receiver, String reason, String message, int attempt, long waiting) {}

  /** A receiver that was failing accepted a notification again. */
  default void recovered(String receiver) {}
}

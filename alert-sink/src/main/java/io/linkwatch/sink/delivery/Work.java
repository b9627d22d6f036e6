package io.linkwatch.sink.delivery;

import io.linkwatch.sink.notify.DeliveryException;
import io.linkwatch.sink.notify.Notification;
import java.util.List;

/**
 * One notification on its way to a receiver, with its retry state and the transitions whose outcome
 * it decides (none for a repeat of an unchanged group).
 */
final class Work {

  final Notification notification;
  final List<Item> items;
  final Grouper.Flush flush;
  int attempts;
  long nextAttemptAt;
  long firstFailureAt = -1;
  DeliveryException lastError;

  /** Retries are over; the dead letters still have to be written. */
  boolean giveUp;

  Work(Notification notification, List<Item> items, Grouper.Flush flush) {
    this.notification = notification;
    this.items = List.copyOf(items);
    this.flush = flush;
  }
}

package io.linkwatch.sink.notify;

import io.linkwatch.avro.Alert;
import java.util.List;
import java.util.Map;

/**
 * What one notifier sends in one go: one alert transition, or the alerts of one group (Alertmanager
 * style grouping), with the key a receiver uses to drop a repeat.
 *
 * @param receiver the receiver's name
 * @param idempotencyKey the transition's {@code <alertId>:<sequence>}, or for a group a digest of
 *     the group key and its members' keys; the same content always gives the same key
 * @param groupKey the group ({@code {hub="hub-1"}}), or empty when the route does not group
 * @param groupLabels the labels that define the group
 * @param alerts the transitions, oldest first (for a group: one per alert series, its latest)
 * @param reason why it is sent: {@code transition}, {@code group}, {@code repeat}
 */
public record Notification(
    String receiver,
    String idempotencyKey,
    String groupKey,
    Map<String, String> groupLabels,
    List<Alert> alerts,
    String reason) {

  public Notification {
    groupLabels = Map.copyOf(groupLabels);
    alerts = List.copyOf(alerts);
    if (alerts.isEmpty()) {
      throw new IllegalArgumentException("a notification carries at least one alert");
    }
  }
}

package io.linkwatch.sink.notify;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.linkwatch.avro.Alert;
import io.linkwatch.avro.MonitorCondition;
import io.linkwatch.sink.alert.AlertJson;
import io.linkwatch.sink.alert.AlertLabels;
import io.linkwatch.sink.alert.Links;
import io.linkwatch.sink.routing.ReceiverSpec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * Posts alerts to a Prometheus Alertmanager, API v2 ({@code POST /api/v2/alerts}), so that teams
 * keep their routing tree, grouping, inhibition, silences and receivers.
 *
 * <p>Mapping: labels from {@link AlertLabels#labels} (stable per series, so Alertmanager's
 * fingerprint is too); annotations from {@link AlertLabels#annotations}; {@code startsAt} = fired
 * time; a resolution is sent with {@code endsAt} = resolved time; {@code generatorURL} = the
 * dashboard's page of the alert. A firing alert is sent with {@code endsAt} four re-send intervals
 * ahead and re-posted every interval ({@link #refresh}), as Prometheus does, so that an alert whose
 * sink died resolves in Alertmanager instead of firing forever.
 */
public final class AlertmanagerNotifier implements Notifier {

  private final ReceiverSpec spec;
  private final URI endpoint;
  private final HttpPoster http;
  private final Links links;
  private final Clock clock;

  public AlertmanagerNotifier(ReceiverSpec spec, Links links, Clock clock) {
    this.spec = spec;
    this.endpoint = spec.url().resolve(stripSlash(spec.url().getPath()) + "/api/v2/alerts");
    this.http = new HttpPoster(spec.timeout(), spec.headers());
    this.links = links;
    this.clock = clock;
  }

  private static String stripSlash(String path) {
    return path == null ? "" : path.replaceAll("/+$", "");
  }

  @Override
  public String name() {
    return spec.name();
  }

  @Override
  public boolean groupsByItself() {
    return true;
  }

  @Override
  public void send(Notification notification) throws DeliveryException {
    post(notification.alerts(), Map.of("Idempotency-Key", notification.idempotencyKey()));
  }

  @Override
  public void refresh(List<Alert> firing) throws DeliveryException {
    if (!firing.isEmpty()) {
      post(firing, Map.of());
    }
  }

  private void post(List<Alert> alerts, Map<String, String> headers) throws DeliveryException {
    try {
      http.post(endpoint, AlertJson.MAPPER.writeValueAsBytes(body(alerts)), headers);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The API v2 body: a list of postable alerts. */
  ArrayNode body(List<Alert> alerts) {
    Instant now = clock.instant();
    ArrayNode list = AlertJson.MAPPER.createArrayNode();
    for (Alert alert : alerts) {
      ObjectNode a = list.addObject();
      String url = links.alert(alert.getFingerprint());
      a.set("labels", AlertJson.stringMap(AlertLabels.labels(alert)));
      a.set("annotations", AlertJson.stringMap(AlertLabels.annotations(alert, url)));
      a.put("startsAt", alert.getFiredTime().toString());
      a.put("endsAt", endsAt(alert, now).toString());
      if (!url.isEmpty()) {
        a.put("generatorURL", url);
      }
    }
    return list;
  }

  private Instant endsAt(Alert alert, Instant now) {
    if (alert.getMonitorCondition() == MonitorCondition.RESOLVED) {
      Instant resolved = alert.getResolvedTime() == null ? now : alert.getResolvedTime();
      // an event time ahead of this clock would keep it firing in Alertmanager until then
      return resolved.isAfter(now) ? now : resolved;
    }
    Duration ahead = spec.resendInterval().multipliedBy(4);
    return now.plus(ahead);
  }
}

package io.linkwatch.sink.notify;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.linkwatch.avro.Alert;
import io.linkwatch.avro.MonitorCondition;
import io.linkwatch.avro.Severity;
import io.linkwatch.sink.alert.AlertJson;
import io.linkwatch.sink.alert.AlertLabels;
import io.linkwatch.sink.alert.Links;
import io.linkwatch.sink.routing.ReceiverSpec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Posts a notification as JSON to any HTTP endpoint, signed so that the receiver can tell it comes
 * from this sink and is recent.
 *
 * <p>Headers: {@code Idempotency-Key}, {@code X-Linkwatch-Timestamp} (Unix seconds) and, when the
 * receiver has a secret, {@code X-Linkwatch-Signature: sha256=<hex>}, the HMAC-SHA256 of {@code
 * <timestamp>.<body>} under the secret. A receiver recomputes it over the raw body, compares in
 * constant time and rejects timestamps older than a few minutes (replay).
 *
 * <p>Body: {@code format: json} sends an Alertmanager-webhook-like envelope whose {@code alerts}
 * are {@link AlertJson} objects; {@code format: slack} sends a Slack incoming-webhook message
 * ({@code text} + coloured {@code attachments}).
 */
public final class WebhookNotifier implements Notifier {

  public static final String SIGNATURE_HEADER = "X-Linkwatch-Signature";
  public static final String TIMESTAMP_HEADER = "X-Linkwatch-Timestamp";
  public static final String IDEMPOTENCY_HEADER = "Idempotency-Key";
  static final String VERSION = "linkwatch.webhook.v1";
  private static final int SLACK_MAX_ATTACHMENTS = 20;

  private final ReceiverSpec spec;
  private final HttpPoster http;
  private final Links links;
  private final Clock clock;

  public WebhookNotifier(ReceiverSpec spec, Links links, Clock clock) {
    this.spec = spec;
    this.http = new HttpPoster(spec.timeout(), spec.headers());
    this.links = links;
    this.clock = clock;
  }

  @Override
  public String name() {
    return spec.name();
  }

  @Override
  public void send(Notification notification) throws DeliveryException {
    ObjectNode body =
        spec.format() == ReceiverSpec.WebhookFormat.SLACK
            ? slack(notification)
            : json(notification);
    byte[] bytes;
    try {
      bytes = AlertJson.MAPPER.writeValueAsBytes(body);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    String timestamp = Long.toString(clock.instant().getEpochSecond());
    Map<String, String> headers = new LinkedHashMap<>();
    headers.put(IDEMPOTENCY_HEADER, notification.idempotencyKey());
    headers.put(TIMESTAMP_HEADER, timestamp);
    if (spec.secret() != null) {
      headers.put(SIGNATURE_HEADER, "sha256=" + sign(spec.secret(), timestamp, bytes));
    }
    http.post(spec.url(), bytes, headers);
  }

  /** HMAC-SHA256 of {@code <timestamp>.<body>}, lowercase hex. */
  public static String sign(String secret, String timestamp, byte[] body) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
      mac.update(timestamp.getBytes(StandardCharsets.UTF_8));
      mac.update((byte) '.');
      return HexFormat.of().formatHex(mac.doFinal(body));
    } catch (NoSuchAlgorithmException | InvalidKeyException e) {
      throw new IllegalStateException("HmacSHA256 is not available in this JVM", e);
    }
  }

  ObjectNode json(Notification n) {
    ObjectNode root = AlertJson.MAPPER.createObjectNode();
    root.put("version", VERSION);
    root.put("idempotencyKey", n.idempotencyKey());
    root.put("receiver", n.receiver());
    boolean anyFiring =
        n.alerts().stream().anyMatch(a -> a.getMonitorCondition() != MonitorCondition.RESOLVED);
    root.put("status", anyFiring ? "firing" : "resolved");
    root.put("reason", n.reason());
    root.put("groupKey", n.groupKey());
    root.set("groupLabels", AlertJson.stringMap(new TreeMap<>(n.groupLabels())));
    root.set("commonLabels", AlertJson.stringMap(common(n, true)));
    root.set("commonAnnotations", AlertJson.stringMap(common(n, false)));
    root.put("externalURL", links.externalUrl());
    root.put("truncatedAlerts", 0);
    ArrayNode alerts = root.putArray("alerts");
    n.alerts().forEach(a -> alerts.add(AlertJson.toJson(a, links)));
    return root;
  }

  private Map<String, String> common(Notification n, boolean labels) {
    Map<String, String> common = null;
    for (Alert a : n.alerts()) {
      Map<String, String> m =
          labels
              ? AlertLabels.labels(a)
              : AlertLabels.annotations(a, links.alert(a.getFingerprint()));
      if (common == null) {
        common = new TreeMap<>(m);
      } else {
        common.entrySet().removeIf(e -> !e.getValue().equals(m.get(e.getKey())));
      }
    }
    return common;
  }

  ObjectNode slack(Notification n) {
    ObjectNode root = AlertJson.MAPPER.createObjectNode();
    Alert first = n.alerts().get(0);
    String text =
        n.alerts().size() == 1
            ? headline(first)
            : n.alerts().size()
                + " alerts "
                + (n.groupKey().isEmpty() ? "" : "for " + n.groupKey());
    root.put("text", text);
    ArrayNode attachments = root.putArray("attachments");
    for (Alert a : n.alerts().subList(0, Math.min(n.alerts().size(), SLACK_MAX_ATTACHMENTS))) {
      ObjectNode at = attachments.addObject();
      boolean resolved = a.getMonitorCondition() == MonitorCondition.RESOLVED;
      at.put("color", resolved ? "#2e7d32" : colour(a.getSeverity()));
      at.put("fallback", headline(a));
      at.put("title", headline(a));
      String url = links.alert(a.getFingerprint());
      if (!url.isEmpty()) {
        at.put("title_link", url);
      }
      StringBuilder body = new StringBuilder(AlertLabels.summary(a));
      if (a.getHint() != null) {
        body.append("\n*Probable cause:* ").append(a.getHint().getProbableCause());
        body.append("\n*What to do:* ").append(a.getHint().getSolution());
      }
      at.put("text", body.toString());
      ArrayNode fields = at.putArray("fields");
      field(fields, "Value", AlertLabels.observed(a.getCondition()));
      field(fields, "Threshold", AlertLabels.thresholdText(a.getCondition()));
      field(
          fields,
          "Window",
          a.getCondition().getWindowStart() + " → " + a.getCondition().getWindowEnd());
      new TreeMap<>(a.getDimensions()).forEach((k, v) -> field(fields, k, v));
      ArrayNode markdown = at.putArray("mrkdwn_in");
      markdown.add("text");
      at.put("footer", "linkwatch · " + a.getRuleId() + " · " + AlertLabels.idempotencyKey(a));
      at.put(
          "ts",
          (resolved && a.getResolvedTime() != null ? a.getResolvedTime() : a.getFiredTime())
              .getEpochSecond());
    }
    return root;
  }

  private static void field(ArrayNode fields, String title, String value) {
    if (value == null || value.isEmpty()) {
      return;
    }
    fields.addObject().put("title", title).put("value", value).put("short", true);
  }

  private static String headline(Alert a) {
    String state =
        a.getMonitorCondition() == MonitorCondition.RESOLVED
            ? "RESOLVED"
            : a.getFlapping() ? "FLAPPING" : "FIRING";
    return "["
        + state
        + "] "
        + AlertLabels.severityName(a.getSeverity())
        + " "
        + AlertLabels.labels(a).get(AlertLabels.ALERTNAME);
  }

  /** Severity colours, the same as the dashboard's. */
  static String colour(Severity severity) {
    return switch (severity) {
      case SEV0 -> "#b71c1c";
      case SEV1 -> "#e53935";
      case SEV2 -> "#fb8c00";
      case SEV3 -> "#1e88e5";
      case SEV4 -> "#78909c";
    };
  }
}

package io.linkwatch.sink.notify;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.linkwatch.avro.Alert;
import io.linkwatch.avro.AlertCondition;
import io.linkwatch.avro.EvidenceEvent;
import io.linkwatch.avro.MonitorCondition;
import io.linkwatch.avro.ThresholdKind;
import io.linkwatch.sink.alert.AlertJson;
import io.linkwatch.sink.alert.AlertLabels;
import io.linkwatch.sink.alert.Links;
import io.linkwatch.sink.routing.ReceiverSpec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Posts each alert transition as an Azure Monitor Common Alert Schema payload ({@code schemaId:
 * azureMonitorCommonAlertSchema}, {@code data.essentials}, {@code data.alertContext} of a metric
 * alert, {@code data.customProperties}), so that Logic Apps, Functions and ITSM connectors built
 * for Azure alerts keep working. Azure sends one request per alert, and so does this notifier: a
 * grouped notification becomes one request per alert, each with its own idempotency key.
 */
public final class CommonAlertSchemaNotifier implements Notifier {

  static final String SCHEMA_ID = "azureMonitorCommonAlertSchema";

  private final ReceiverSpec spec;
  private final HttpPoster http;
  private final Links links;

  public CommonAlertSchemaNotifier(ReceiverSpec spec, Links links) {
    this.spec = spec;
    this.http = new HttpPoster(spec.timeout(), spec.headers());
    this.links = links;
  }

  @Override
  public String name() {
    return spec.name();
  }

  @Override
  public void send(Notification notification) throws DeliveryException {
    for (Alert alert : notification.alerts()) {
      try {
        http.post(
            spec.url(),
            AlertJson.MAPPER.writeValueAsBytes(payload(alert)),
            Map.of("Idempotency-Key", AlertLabels.idempotencyKey(alert)));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }

  ObjectNode payload(Alert alert) {
    ObjectNode root = AlertJson.MAPPER.createObjectNode();
    root.put("schemaId", SCHEMA_ID);
    ObjectNode data = root.putObject("data");
    data.set("essentials", essentials(alert));
    data.set("alertContext", alertContext(alert));
    data.set("customProperties", customProperties(alert));
    return root;
  }

  private ObjectNode essentials(Alert alert) {
    ObjectNode e = AlertJson.MAPPER.createObjectNode();
    e.put("alertId", alert.getAlertId());
    e.put("alertRule", alert.getRuleName().isBlank() ? alert.getRuleId() : alert.getRuleName());
    e.put("alertRuleID", alert.getRuleId());
    e.put("severity", AlertLabels.severityName(alert.getSeverity()));
    e.put("signalType", alert.getSignalType());
    boolean resolved = alert.getMonitorCondition() == MonitorCondition.RESOLVED;
    e.put("monitorCondition", resolved ? "Resolved" : "Fired");
    e.put("monitoringService", alert.getMonitoringService());
    ArrayNode targets = e.putArray("alertTargetIDs");
    alert.getTargetResourceIds().forEach(t -> targets.add(t.toLowerCase(Locale.ROOT)));
    ArrayNode items = e.putArray("configurationItems");
    if (!alert.getTargetResourceIds().isEmpty()) {
      alert.getTargetResourceIds().forEach(t -> items.add(t.substring(t.lastIndexOf('/') + 1)));
    } else {
      new TreeMap<>(alert.getDimensions()).values().forEach(items::add);
    }
    e.put("originAlertId", alert.getFingerprint());
    e.put("firedDateTime", alert.getFiredTime().toString());
    if (resolved && alert.getResolvedTime() != null) {
      e.put("resolvedDateTime", alert.getResolvedTime().toString());
    }
    e.put(
        "description",
        alert.getDescription().isBlank() ? AlertLabels.summary(alert) : alert.getDescription());
    e.put("essentialsVersion", "1.0");
    e.put("alertContextVersion", "1.0");
    String resourceGroup = armSegment(alert, "resourcegroups");
    String provider = armProviderType(alert);
    if (resourceGroup != null) {
      e.put("targetResourceGroup", resourceGroup);
    }
    if (provider != null) {
      e.put("targetResourceType", provider);
    }
    String url = links.alert(alert.getFingerprint());
    if (!url.isEmpty()) {
      e.put("investigationLink", url);
    }
    return e;
  }

  private ObjectNode alertContext(Alert alert) {
    AlertCondition c = alert.getCondition();
    boolean dynamic = c.getThresholdKind() == ThresholdKind.DYNAMIC;
    ObjectNode ctx = AlertJson.MAPPER.createObjectNode();
    ctx.putNull("properties");
    ctx.put(
        "conditionType",
        dynamic
            ? "DynamicThresholdCriteria"
            : alert.getDimensions().isEmpty()
                ? "SingleResourceMultipleMetricCriteria"
                : "MultipleResourceMultipleMetricCriteria");
    ObjectNode condition = ctx.putObject("condition");
    condition.put("windowSize", Duration.ofMillis(c.getWindowSizeMs()).toString());
    ArrayNode allOf = condition.putArray("allOf");
    ObjectNode criterion = allOf.addObject();
    criterion.put("metricName", alert.getSignal());
    criterion.put("metricNamespace", "linkwatch");
    criterion.put("operator", azureOperator(c.getOperator()));
    if (c.getThreshold() != null) {
      // Azure's samples carry the threshold as a string
      criterion.put("threshold", AlertLabels.number(c.getThreshold()));
    } else {
      criterion.putNull("threshold");
    }
    criterion.put("timeAggregation", azureAggregation(c.getAggregation()));
    ArrayNode dims = criterion.putArray("dimensions");
    new TreeMap<>(alert.getDimensions())
        .forEach((k, v) -> dims.addObject().put("name", k).put("value", v));
    criterion.put("metricValue", AlertLabels.observedOrNull(c));
    if (dynamic) {
      String sensitivity = c.getSensitivity() == null ? "MEDIUM" : c.getSensitivity();
      // Azure writes High / Medium / Low
      criterion.put(
          "alertSensitivity",
          sensitivity.substring(0, 1).toUpperCase(Locale.ROOT)
              + sensitivity.substring(1).toLowerCase(Locale.ROOT));
      ObjectNode fp = criterion.putObject("failingPeriods");
      fp.put("numberOfEvaluationPeriods", c.getEvaluationPeriods());
      fp.put("minFailingPeriodsToAlert", c.getFailingPeriods());
      criterion.putNull("ignoreDataBefore");
    }
    criterion.putNull("webTestName");
    condition.put("windowStartTime", c.getWindowStart().toString());
    condition.put("windowEndTime", c.getWindowEnd().toString());
    return ctx;
  }

  private ObjectNode customProperties(Alert alert) {
    ObjectNode p = AlertJson.MAPPER.createObjectNode();
    p.put("idempotencyKey", AlertLabels.idempotencyKey(alert));
    p.put("transition", alert.getTransition().name());
    p.put("sequence", Long.toString(alert.getSequence()));
    p.put("fingerprint", alert.getFingerprint());
    p.put("flapping", Boolean.toString(alert.getFlapping()));
    p.put("evaluatedAt", alert.getEvaluatedAt().toString());
    p.put("lateRecords", Long.toString(alert.getEvidence().getLateRecords()));
    if (alert.getHint() != null) {
      p.put("probableCause", alert.getHint().getProbableCause());
      p.put("solution", alert.getHint().getSolution());
      if (alert.getHint().getReference() != null) {
        p.put("reference", alert.getHint().getReference());
      }
    }
    if (alert.getCondition().getThresholdKind() == ThresholdKind.DYNAMIC) {
      if (alert.getCondition().getLowerThreshold() != null) {
        p.put("lowerThreshold", AlertLabels.number(alert.getCondition().getLowerThreshold()));
      }
      if (alert.getCondition().getUpperThreshold() != null) {
        p.put("upperThreshold", AlertLabels.number(alert.getCondition().getUpperThreshold()));
      }
    }
    int i = 0;
    for (EvidenceEvent ev : alert.getEvidence().getSampleEvents()) {
      p.put(
          "evidence" + i++,
          ev.getTime()
              + " "
              + ev.getSummary()
              + " ("
              + ev.getTopic()
              + "/"
              + ev.getPartition()
              + "@"
              + ev.getOffset()
              + ")");
    }
    alert.getAnnotations().forEach(p::put);
    return p;
  }

  static String azureOperator(String op) {
    return switch (op.toLowerCase(Locale.ROOT).replace("_", "")) {
      case "greaterthan", "gt", ">" -> "GreaterThan";
      case "greaterthanorequal", "gte", ">=" -> "GreaterThanOrEqual";
      case "lessthan", "lt", "<" -> "LessThan";
      case "lessthanorequal", "lte", "<=" -> "LessThanOrEqual";
      case "equals", "eq", "=", "==" -> "Equals";
      case "greaterorlessthan" -> "GreaterOrLessThan";
      default -> op;
    };
  }

  static String azureAggregation(String aggregation) {
    return switch (aggregation.toLowerCase(Locale.ROOT)) {
      case "count", "distinct_devices" -> "Count";
      case "sum", "total" -> "Total";
      case "avg", "average", "mean" -> "Average";
      case "min", "minimum" -> "Minimum";
      case "max", "maximum" -> "Maximum";
      default -> aggregation;
    };
  }

  /** The segment after {@code /<name>/} in the first target resource id, e.g. the group. */
  private static String armSegment(Alert alert, String name) {
    for (String id : alert.getTargetResourceIds()) {
      String[] parts = id.split("/");
      for (int i = 0; i + 1 < parts.length; i++) {
        if (parts[i].equalsIgnoreCase(name)) {
          return parts[i + 1].toLowerCase(Locale.ROOT);
        }
      }
    }
    return null;
  }

  /** {@code microsoft.devices/iothubs} from an ARM id. */
  private static String armProviderType(Alert alert) {
    for (String id : alert.getTargetResourceIds()) {
      String[] parts = id.split("/");
      for (int i = 0; i + 2 < parts.length; i++) {
        if (parts[i].equalsIgnoreCase("providers")) {
          return (parts[i + 1] + "/" + parts[i + 2]).toLowerCase(Locale.ROOT);
        }
      }
    }
    return null;
  }
}

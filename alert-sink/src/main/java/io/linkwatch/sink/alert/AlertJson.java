package io.linkwatch.sink.alert;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.linkwatch.avro.Alert;
import io.linkwatch.avro.AlertCondition;
import io.linkwatch.avro.EvidenceEvent;
import io.linkwatch.avro.Hint;
import io.linkwatch.avro.MonitorCondition;
import io.linkwatch.avro.OffsetRange;
import java.time.Duration;
import java.util.Map;

/**
 * The JSON form of one alert transition, shared by the generic webhook and the dashboard API, so
 * that a consumer of either reads the same fields (documented in docs/sink.md).
 */
public final class AlertJson {

  /** One mapper for the module: thread-safe once configured. */
  public static final ObjectMapper MAPPER = new ObjectMapper();

  private AlertJson() {}

  /** {@code firing} or {@code resolved}, as Alertmanager's webhook says it. */
  public static String status(Alert alert) {
    return alert.getMonitorCondition() == MonitorCondition.RESOLVED ? "resolved" : "firing";
  }

  public static ObjectNode toJson(Alert alert, Links links) {
    ObjectNode n = MAPPER.createObjectNode();
    n.put("idempotencyKey", AlertLabels.idempotencyKey(alert));
    n.put("alertId", alert.getAlertId().toString());
    n.put("fingerprint", alert.getFingerprint().toString());
    n.put("sequence", alert.getSequence());
    n.put("transition", alert.getTransition().name());
    n.put("status", status(alert));
    n.put("monitorCondition", alert.getMonitorCondition().name());
    n.put("severity", AlertLabels.severityName(alert.getSeverity()));
    n.put("flapping", alert.getFlapping());
    n.put("inhibited", alert.getInhibited());
    putNullable(n, "inhibitedBy", alert.getInhibitedBy());
    ObjectNode rule = n.putObject("rule");
    rule.put("id", alert.getRuleId().toString());
    rule.put("name", alert.getRuleName().toString());
    rule.put("version", alert.getRuleVersion());
    n.put("signal", alert.getSignal().toString());
    n.put("signalType", alert.getSignalType().toString());
    n.put("summary", AlertLabels.summary(alert));
    n.put("description", alert.getDescription().toString());
    n.set("labels", stringMap(AlertLabels.labels(alert)));
    n.set(
        "annotations",
        stringMap(AlertLabels.annotations(alert, links.alert(alert.getFingerprint().toString()))));
    n.set("dimensions", stringMap(new java.util.TreeMap<>(alert.getDimensions())));
    ArrayNode targets = n.putArray("targetResourceIds");
    alert.getTargetResourceIds().forEach(targets::add);
    n.set("condition", condition(alert.getCondition()));
    n.put("firedAt", alert.getFiredTime().toString());
    if (alert.getResolvedTime() != null) {
      n.put("resolvedAt", alert.getResolvedTime().toString());
    } else {
      n.putNull("resolvedAt");
    }
    n.put("evaluatedAt", alert.getEvaluatedAt().toString());
    ObjectNode evidence = n.putObject("evidence");
    ArrayNode samples = evidence.putArray("sampleEvents");
    for (EvidenceEvent e : alert.getEvidence().getSampleEvents()) {
      ObjectNode s = samples.addObject();
      s.put("eventId", e.getEventId().toString());
      s.put("time", e.getTime().toString());
      s.put("topic", e.getTopic().toString());
      s.put("partition", e.getPartition());
      s.put("offset", e.getOffset());
      s.put("summary", e.getSummary().toString());
      putNullable(s, "code", e.getCode());
    }
    ArrayNode offsets = evidence.putArray("inputOffsets");
    for (OffsetRange r : alert.getEvidence().getInputOffsets()) {
      ObjectNode o = offsets.addObject();
      o.put("topic", r.getTopic().toString());
      o.put("partition", r.getPartition());
      o.put("fromOffset", r.getFromOffset());
      o.put("toOffset", r.getToOffset());
      o.put("count", r.getCount());
    }
    evidence.put("lateRecords", alert.getEvidence().getLateRecords());
    ArrayNode incidents = evidence.putArray("incidentIds");
    alert.getEvidence().getIncidentIds().forEach(incidents::add);
    Hint hint = alert.getHint();
    if (hint == null) {
      n.putNull("hint");
    } else {
      ObjectNode h = n.putObject("hint");
      h.put("probableCause", hint.getProbableCause().toString());
      h.put("solution", hint.getSolution().toString());
      putNullable(h, "reference", hint.getReference());
    }
    putNullable(n, "revisionOf", alert.getRevisionOf());
    putNullable(n, "stateReason", alert.getStateReason());
    n.put("url", links.alert(alert.getFingerprint().toString()));
    return n;
  }

  static JsonNode condition(AlertCondition c) {
    ObjectNode n = MAPPER.createObjectNode();
    n.put("aggregation", c.getAggregation().toString());
    n.put("operator", c.getOperator().toString());
    putNullable(n, "threshold", c.getThreshold());
    n.put("thresholdKind", c.getThresholdKind().name());
    putNullable(n, "lowerThreshold", c.getLowerThreshold());
    putNullable(n, "upperThreshold", c.getUpperThreshold());
    putNullable(n, "sensitivity", c.getSensitivity());
    n.put("observedValue", AlertLabels.observedOrNull(c));
    n.put("windowStart", c.getWindowStart().toString());
    n.put("windowEnd", c.getWindowEnd().toString());
    n.put("windowSize", Duration.ofMillis(c.getWindowSizeMs()).toString());
    n.put("evaluationFrequency", Duration.ofMillis(c.getEvaluationFrequencyMs()).toString());
    n.put("failingPeriods", c.getFailingPeriods());
    n.put("evaluationPeriods", c.getEvaluationPeriods());
    return n;
  }

  public static ObjectNode stringMap(Map<String, String> map) {
    ObjectNode n = MAPPER.createObjectNode();
    map.forEach(n::put);
    return n;
  }

  private static void putNullable(ObjectNode n, String field, Object value) {
    if (value == null) {
      n.putNull(field);
    } else if (value instanceof Double d) {
      n.put(field, d);
    } else {
      n.put(field, value.toString());
    }
  }
}

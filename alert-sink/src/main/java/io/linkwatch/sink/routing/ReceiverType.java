package io.linkwatch.sink.routing;

import java.util.Arrays;
import java.util.Locale;

/** The kinds of receiver, with the name the routing file uses for each. */
public enum ReceiverType {
  /** Prometheus Alertmanager, API v2 ({@code POST /api/v2/alerts}). */
  ALERTMANAGER("alertmanager"),
  /** Azure Monitor Common Alert Schema webhook (Logic Apps, Functions, ITSM). */
  COMMON_ALERT_SCHEMA("azure-common-alert-schema"),
  /** Generic JSON webhook, signed with HMAC-SHA256; {@code format: slack} for a Slack body. */
  WEBHOOK("webhook"),
  /** Coloured lines on the process's standard output (the demo). */
  CONSOLE("console");

  private final String yamlName;

  ReceiverType(String yamlName) {
    this.yamlName = yamlName;
  }

  public String yamlName() {
    return yamlName;
  }

  static ReceiverType fromYaml(String name) {
    for (ReceiverType t : values()) {
      if (t.yamlName.equals(name.toLowerCase(Locale.ROOT))) {
        return t;
      }
    }
    return null;
  }

  static String names() {
    return String.join(", ", Arrays.stream(values()).map(ReceiverType::yamlName).toList());
  }
}

package io.linkwatch.sink.notify;

import io.linkwatch.avro.Alert;
import io.linkwatch.avro.AlertTransition;
import io.linkwatch.avro.MonitorCondition;
import io.linkwatch.sink.alert.AlertLabels;
import io.linkwatch.sink.alert.Links;
import java.io.PrintStream;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/**
 * Prints each transition as a few lines a person on call reads at a glance: time, state, severity
 * (coloured: Sev0 red background, Sev1 red, Sev2 yellow, Sev3 blue, Sev4 grey; resolved green),
 * alert name and summary, then the probable cause, what to do, and the link to the evidence.
 */
public final class ConsoleNotifier implements Notifier {

  private static final String RESET = "\u001b[0m";
  private static final String BOLD = "\u001b[1m";
  private static final String DIM = "\u001b[2m";
  private static final DateTimeFormatter TIME =
      DateTimeFormatter.ofPattern("HH:mm:ss'Z'").withZone(ZoneOffset.UTC);

  private final String name;
  private final PrintStream out;
  private final boolean colour;
  private final Links links;

  /**
   * @param colour whether to use ANSI colours (callers pass false when the output is not a terminal
   *     or {@code NO_COLOR} is set)
   */
  public ConsoleNotifier(String name, PrintStream out, boolean colour, Links links) {
    this.name = name;
    this.out = out;
    this.colour = colour;
    this.links = links;
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public void send(Notification notification) {
    StringBuilder b = new StringBuilder();
    for (Alert a : notification.alerts()) {
      format(a, b);
    }
    out.print(b);
    out.flush();
  }

  void format(Alert a, StringBuilder b) {
    boolean resolved = a.getMonitorCondition() == MonitorCondition.RESOLVED;
    String state = state(a);
    String sev = AlertLabels.severityName(a.getSeverity());
    String stamp =
        TIME.format(
            resolved && a.getResolvedTime() != null ? a.getResolvedTime() : a.getFiredTime());
    b.append(paint(DIM, stamp)).append("  ");
    b.append(paint(resolved ? "\u001b[32m" : stateColour(a), pad(state, 11)));
    b.append(paint(resolved ? "\u001b[32m" : severityColour(a), pad(sev, 5))).append(' ');
    b.append(paint(BOLD, AlertLabels.labels(a).get(AlertLabels.ALERTNAME))).append("  ");
    b.append(AlertLabels.summary(a)).append('\n');
    String indent = " ".repeat(stamp.length() + 2);
    if (a.getHint() != null && !resolved) {
      b.append(indent)
          .append(paint(DIM, "cause: "))
          .append(a.getHint().getProbableCause())
          .append('\n');
      b.append(indent).append(paint(DIM, "fix:   ")).append(a.getHint().getSolution()).append('\n');
    }
    if (a.getInhibitedBy() != null) {
      b.append(indent).append(paint(DIM, "inhibited by: ")).append(a.getInhibitedBy()).append('\n');
    }
    String url = links.alert(a.getFingerprint());
    if (!url.isEmpty()) {
      b.append(indent).append(paint(DIM, "evidence: " + url)).append('\n');
    }
  }

  private static String state(Alert a) {
    if (a.getTransition() == AlertTransition.FLAPPING || a.getFlapping()) {
      return a.getMonitorCondition() == MonitorCondition.RESOLVED ? "RESOLVED" : "FLAPPING";
    }
    return switch (a.getTransition()) {
      case FIRED -> "FIRED";
      case RESOLVED -> "RESOLVED";
      case REVISED -> "REVISED";
      case INHIBITED -> "INHIBITED";
      case UNINHIBITED -> "FIRING";
      default -> a.getMonitorCondition().name();
    };
  }

  private String stateColour(Alert a) {
    return a.getFlapping() ? "\u001b[35m" : BOLD;
  }

  private static String severityColour(Alert a) {
    return switch (a.getSeverity()) {
      case SEV0 -> "\u001b[1;97;41m";
      case SEV1 -> "\u001b[1;31m";
      case SEV2 -> "\u001b[33m";
      case SEV3 -> "\u001b[34m";
      case SEV4 -> "\u001b[90m";
    };
  }

  private String paint(String code, String text) {
    return colour ? code + text + RESET : text;
  }

  private static String pad(String s, int width) {
    return s.length() >= width ? s : s + " ".repeat(width - s.length());
  }
}

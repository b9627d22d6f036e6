package io.linkwatch.sink.notify;

import io.linkwatch.sink.alert.Links;
import io.linkwatch.sink.routing.ReceiverSpec;
import java.io.PrintStream;
import java.time.Clock;

/** Builds the notifier a receiver declaration asks for. */
public final class Notifiers {

  private Notifiers() {}

  /**
   * @param console where console receivers print
   * @param colour whether console receivers use ANSI colours
   */
  public static Notifier create(
      ReceiverSpec spec, Links links, Clock clock, PrintStream console, boolean colour) {
    return switch (spec.type()) {
      case ALERTMANAGER -> new AlertmanagerNotifier(spec, links, clock);
      case COMMON_ALERT_SCHEMA -> new CommonAlertSchemaNotifier(spec, links);
      case WEBHOOK -> new WebhookNotifier(spec, links, clock);
      case CONSOLE -> new ConsoleNotifier(spec.name(), console, colour, links);
    };
  }
}

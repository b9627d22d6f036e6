package io.linkwatch.sink.delivery;

import java.util.Locale;

/** What happened to one alert transition at one receiver (the {@code result} metric tag). */
public enum Outcome {
  /** The receiver accepted it. */
  DELIVERED,
  /** Retries ran out or the receiver refused it for good: it is on the sink's dead-letter topic. */
  DEAD_LETTERED,
  /** A silence or maintenance window matched: recorded, not sent. */
  SILENCED,
  /** The alert is explained by another one (inhibited): recorded, not paged. */
  INHIBITED,
  /** This receiver already accepted this transition (idempotency key in the ledger). */
  DUPLICATE,
  /** Fired and resolved inside one group wait: the receiver never needed to know. */
  COALESCED,
  /**
   * A resolution for a receiver with {@code send_resolved: false}, or a revision that changed only
   * the value an alert shows (state reason {@code RevisedValue}).
   */
  SKIPPED;

  public String tag() {
    return name().toLowerCase(Locale.ROOT);
  }
}

package io.linkwatch.streams.alert;

import io.linkwatch.avro.Alert;
import java.util.List;

/**
 * What the evaluation step hands on: an alert transition to write as is ({@link Kind#DIRECT}), or,
 * through the inhibition topic, a target rule's transition to judge ({@link Kind#TARGET}), a source
 * rule's activity ({@link Kind#SOURCE}), or the evaluating task's event-time watermark ({@link
 * Kind#TICK}, {@link Kind#IDLE}) that lets the inhibition step release what it buffered.
 *
 * @param kind what this is
 * @param upstream the partition of the evaluating task (watermarks are tracked per partition)
 * @param watermark the evaluating task's event-time watermark when this was sent; also the time the
 *     inhibition step orders transitions by
 * @param scope the inhibition scope ({@code equal} dimension values), or "" when not routed
 * @param alert the transition (DIRECT, TARGET, SOURCE), or null
 * @param targetRuleIds for SOURCE: the rules it mutes in this scope
 */
record Envelope(
    Kind kind,
    int upstream,
    long watermark,
    String scope,
    Alert alert,
    List<String> targetRuleIds) {

  enum Kind {
    DIRECT,
    TARGET,
    SOURCE,
    TICK,
    IDLE
  }

  Envelope {
    targetRuleIds = List.copyOf(targetRuleIds);
  }

  static Envelope direct(Alert alert) {
    return new Envelope(Kind.DIRECT, -1, 0, "", alert, List.of());
  }

  /**
   * The evaluating task's watermark. {@link Kind#IDLE} is only read, in records an older version
   * wrote.
   */
  static Envelope tick(int upstream, long watermark) {
    return new Envelope(Kind.TICK, upstream, watermark, "", null, List.of());
  }

  boolean watermarkOnly() {
    return kind == Kind.TICK || kind == Kind.IDLE;
  }
}

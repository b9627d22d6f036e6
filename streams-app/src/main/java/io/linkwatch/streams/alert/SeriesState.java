package io.linkwatch.streams.alert;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * What the alert stage remembers about one series (rule + dimension values) between evaluations:
 * the condition's phase, the open alert instance, the last closed one (for revisions), the recent
 * evaluations (for N-of-M and revisions), the transitions counted for flap detection and the values
 * a dynamic threshold learns from. Stored in {@code linkwatch-alert-series} with {@link
 * SeriesStateSerde}.
 */
final class SeriesState {

  /** Where the condition is, independently of what was notified (flapping keeps alerts open). */
  enum Phase {
    INACTIVE,
    PENDING,
    FIRING
  }

  /** Verdict of one evaluation. */
  enum Verdict {
    CLEAN,
    FAILING,
    /** No data under the keep-state policy: not counted either way. */
    SKIPPED
  }

  /** One evaluated window. */
  static final class Evaluation {
    long windowStart;
    long windowEnd;
    double value;
    long count;
    Verdict verdict;

    /** The band the value was compared with (dynamic thresholds), NaN when static. */
    double lower = Double.NaN;

    double upper = Double.NaN;

    Evaluation() {}

    Evaluation(long windowStart, long windowEnd, double value, long count, Verdict verdict) {
      this.windowStart = windowStart;
      this.windowEnd = windowEnd;
      this.value = value;
      this.count = count;
      this.verdict = verdict;
    }
  }

  int ruleVersion;
  long lastWindowEnd = Long.MIN_VALUE;

  /** The engine's watermark when the last result of the series was evaluated. */
  long lastEvaluatedAt = Long.MIN_VALUE;

  Phase phase = Phase.INACTIVE;
  long pendingSince;
  int cleanCount;
  long firstCleanAt;

  // the open alert instance (alertId != null)
  String alertId;
  long sequence;
  long firedTime;
  long firstWindowEnd;
  boolean flapping;

  /** Window end of the value the open instance last showed (what a revision may change). */
  long shownWindowEnd = Long.MIN_VALUE;

  /** Inhibition scope the open instance's transitions go through, or null (direct). */
  String scope;

  /** Single-object encoded last Alert of the open instance (to resolve it without its rule). */
  byte[] lastAlert;

  // the last closed instance, for revisions of its windows
  String closedAlertId;
  long closedSequence;
  long closedFirstWindowEnd;
  long closedLastWindowEnd;
  long closedFiredTime;
  String closedScope;

  final ArrayDeque<Evaluation> recent = new ArrayDeque<>();
  final ArrayDeque<Long> flapEdges = new ArrayDeque<>();
  final ArrayDeque<Double> baseline = new ArrayDeque<>();

  /** Signature of what the baseline was learned from (signal, aggregation, window, filters). */
  int baselineSignature;

  /** Inhibition scopes where this series announced itself as an active source. */
  final List<String> sourceScopes = new ArrayList<>();

  boolean open() {
    return alertId != null;
  }

  /** Failing evaluations among the last {@code periods} that were not skipped. */
  int failing(int periods) {
    int seen = 0;
    int failing = 0;
    var it = recent.descendingIterator();
    while (it.hasNext() && seen < periods) {
      Evaluation e = it.next();
      if (e.verdict == Verdict.SKIPPED) {
        continue;
      }
      seen++;
      if (e.verdict == Verdict.FAILING) {
        failing++;
      }
    }
    return failing;
  }

  Evaluation find(long windowStart, long windowEnd) {
    for (Evaluation e : recent) {
      if (e.windowEnd == windowEnd && e.windowStart == windowStart) {
        return e;
      }
    }
    return null;
  }

  void closeInstance(long lastWindowEnd) {
    closedAlertId = alertId;
    closedSequence = sequence;
    closedFirstWindowEnd = firstWindowEnd;
    closedLastWindowEnd = lastWindowEnd;
    closedFiredTime = firedTime;
    closedScope = scope;
    alertId = null;
    sequence = 0;
    flapping = false;
    scope = null;
    lastAlert = null;
  }
}

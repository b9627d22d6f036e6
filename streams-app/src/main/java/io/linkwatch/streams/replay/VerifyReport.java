package io.linkwatch.streams.replay;

import java.io.PrintWriter;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * How the replayed alert transitions compare with those the live alerts topic holds, transition by
 * transition ({@code alertId}, {@code sequence}).
 *
 * @param from start of the compared range
 * @param until end of the compared range (inclusive): the replay's final watermark
 * @param live live transitions evaluated in the range (of the replayed rules)
 * @param replayed replayed transitions
 * @param identical transitions the same byte for byte
 * @param findings every transition that is not identical, with its explanation when one is known
 * @param notCompared live transitions left out, by reason (evaluated after the replay's last event,
 *     rule not replayed, repeated in the topic with the same bytes)
 */
public record VerifyReport(
    Instant from,
    Instant until,
    int live,
    int replayed,
    int identical,
    List<Finding> findings,
    Map<String, Long> notCompared) {

  /** What is wrong with one transition. */
  public enum Kind {
    /** Same transition, but fields other than the evidence differ. */
    DIFFERENT,
    /** Same transition and values; only the evidence (samples, offset ranges) differs. */
    EVIDENCE_ONLY,
    /** The live topic has it, the replay does not. */
    MISSING,
    /** The replay has it, the live topic does not. */
    EXTRA
  }

  /**
   * One transition that is not identical.
   *
   * @param changes the differing fields (DIFFERENT, EVIDENCE_ONLY)
   * @param explanation why it may legitimately differ, or null when nothing known explains it
   */
  public record Finding(
      Kind kind,
      String alertId,
      long sequence,
      String fingerprint,
      String transition,
      Instant evaluatedAt,
      List<Field> changes,
      String explanation) {

    public boolean explained() {
      return explanation != null;
    }
  }

  /** One differing field, dotted path, live and replayed values. */
  public record Field(String path, String live, String replay) {}

  public VerifyReport {
    findings = List.copyOf(findings);
    notCompared = ReplayResult.sorted(notCompared);
  }

  public long count(Kind kind) {
    return findings.stream().filter(f -> f.kind() == kind).count();
  }

  /** Findings nothing explains: what makes {@code --verify} fail. */
  public List<Finding> unexplained() {
    return findings.stream().filter(f -> !f.explained()).toList();
  }

  /** True when every compared transition is identical or legitimately different. */
  public boolean reproduced() {
    return unexplained().isEmpty();
  }

  /** The report as {@code linkwatch replay --verify} prints it, the first {@code max} findings. */
  public void print(PrintWriter out, int max) {
    out.printf(
        Locale.ROOT,
        "Verify %s .. %s: %d live, %d replayed: %d identical, %d evidence only, %d different,"
            + " %d missing, %d extra%n",
        from,
        until,
        live,
        replayed,
        identical,
        count(Kind.EVIDENCE_ONLY),
        count(Kind.DIFFERENT),
        count(Kind.MISSING),
        count(Kind.EXTRA));
    notCompared.forEach((why, n) -> out.printf("  not compared: %d (%s)%n", n, why));
    int shown = 0;
    for (Finding f : findings) {
      if (shown++ == max) {
        out.printf("  ... %d more (see --output)%n", findings.size() - max);
        break;
      }
      out.printf(
          "  %-13s %s %s %s (alert %s #%d)%n",
          f.kind(),
          f.evaluatedAt().truncatedTo(ChronoUnit.SECONDS),
          f.transition(),
          f.fingerprint(),
          f.alertId(),
          f.sequence());
      for (Field c : f.changes()) {
        out.printf("      %s: live %s, replay %s%n", c.path(), c.live(), c.replay());
      }
      out.println(f.explained() ? "      explained: " + f.explanation() : "      not explained");
    }
    out.println(
        reproduced()
            ? "Result: REPRODUCED (every difference is explained)"
            : "Result: NOT REPRODUCED (" + unexplained().size() + " unexplained)");
    out.flush();
  }
}

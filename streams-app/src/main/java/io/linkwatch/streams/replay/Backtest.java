package io.linkwatch.streams.replay;

import io.linkwatch.avro.Alert;
import io.linkwatch.avro.AlertRule;
import io.linkwatch.avro.AlertTransition;
import io.linkwatch.streams.rules.RuleValidationException;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * Runs candidate rules over a range of retained events with the live engine (a {@link Replay} with
 * the candidate rules), and optionally a baseline rule set over the same range, and sums up what
 * each rule would have done: {@code linkwatch backtest}.
 */
public final class Backtest {

  /** Series drawn per rule in the report. */
  static final int CHARTED_SERIES = 4;

  /**
   * What to backtest.
   *
   * @param candidate the rules under review (validated as {@code linkwatch rules validate} does)
   * @param baseline the rules to compare with (e.g. the live ones), or null
   */
  public record Request(
      Instant from, Instant to, Duration warmup, Replay.Rules candidate, Replay.Rules baseline) {}

  private Backtest() {}

  /**
   * Backtests the candidate rules (and the baseline) over the range.
   *
   * @throws RuleValidationException when the candidate or baseline files are invalid
   */
  public static BacktestReport run(
      Map<String, String> settings, Request request, Replay.Listener listener)
      throws RuleValidationException, IOException {
    Replay.validate(request.candidate());
    if (request.baseline() != null) {
      Replay.validate(request.baseline());
    }
    Replay.Session session = new Replay.Session(settings, listener);
    Replay.Request probe =
        new Replay.Request(
            request.from(), request.to(), request.warmup(), request.candidate(), true);
    RuleSelection candidate = session.rules(probe);
    RuleSelection baseline =
        request.baseline() == null
            ? null
            : session.rules(
                new Replay.Request(
                    request.from(), request.to(), request.warmup(), request.baseline(), false));
    // one warm-up for both runs, long enough for either rule set
    Duration warmup = request.warmup();
    if (warmup == null) {
      warmup = session.warmup(probe, candidate);
      if (baseline != null) {
        Duration b =
            session.warmup(
                new Replay.Request(request.from(), request.to(), null, request.baseline(), false),
                baseline);
        warmup = b.compareTo(warmup) > 0 ? b : warmup;
      }
    }
    ReplayResult c =
        session.replay(
            new Replay.Request(request.from(), request.to(), warmup, request.candidate(), true),
            candidate,
            null);
    ReplayResult b =
        baseline == null
            ? null
            : session.replay(
                new Replay.Request(request.from(), request.to(), warmup, request.baseline(), false),
                baseline,
                null);
    return report(
        new BacktestReport.Run(candidate.origin(), List.copyOf(candidate.initial().values()), c),
        b == null
            ? null
            : new BacktestReport.Run(
                baseline.origin(), List.copyOf(baseline.initial().values()), b));
  }

  /** Sums up the runs (no I/O). */
  static BacktestReport report(BacktestReport.Run candidate, BacktestReport.Run baseline) {
    ReplayResult result = candidate.result();
    Instant end = result.watermark();
    List<BacktestReport.Episode> episodes = episodes(result.alerts());
    Map<String, List<BacktestReport.Episode>> byRule =
        episodes.stream()
            .collect(
                Collectors.groupingBy(
                    BacktestReport.Episode::ruleId, TreeMap::new, Collectors.toList()));
    Map<String, List<ReplayResult.ResultPoint>> pointsBySeries = new HashMap<>();
    Map<String, Map<String, Long>> evaluations = new TreeMap<>();
    for (ReplayResult.ResultPoint p : result.results()) {
      pointsBySeries.computeIfAbsent(p.seriesKey(), k -> new ArrayList<>()).add(p);
      evaluations
          .computeIfAbsent(p.ruleId(), k -> new TreeMap<>())
          .merge(p.seriesKey(), 1L, Long::sum);
    }
    List<BacktestReport.RuleOutcome> rules = new ArrayList<>();
    List<AlertRule> sorted = new ArrayList<>(candidate.rules());
    sorted.sort(Comparator.comparing(r -> r.getId().toString()));
    for (AlertRule rule : sorted) {
      String id = rule.getId().toString();
      List<BacktestReport.Episode> mine = byRule.getOrDefault(id, List.of());
      Map<String, Long> transitions = new TreeMap<>();
      result.alerts().stream()
          .map(ReplayResult.Emitted::value)
          .filter(a -> a.getRuleId().toString().equals(id))
          .forEach(a -> transitions.merge(a.getTransition().name(), 1L, Long::sum));
      Duration firing =
          mine.stream()
              .map(e -> clamp(e, result.from(), end))
              .reduce(Duration.ZERO, Duration::plus);
      Map<String, Long> series = evaluations.getOrDefault(id, Map.of());
      rules.add(
          new BacktestReport.RuleOutcome(
              rule,
              series.size(),
              series.values().stream().mapToLong(Long::longValue).sum(),
              transitions,
              mine,
              firing,
              mine.stream().filter(BacktestReport.Episode::flapped).count(),
              charts(id, series.keySet(), pointsBySeries, result.alerts())));
    }
    List<BacktestReport.Episode> added = new ArrayList<>();
    List<BacktestReport.Episode> removed = new ArrayList<>();
    List<BacktestReport.Episode> unchanged = new ArrayList<>();
    if (baseline != null) {
      Map<String, BacktestReport.Episode> before = index(episodes(baseline.result().alerts()));
      Map<String, BacktestReport.Episode> after = index(episodes);
      after.forEach((id, e) -> (before.containsKey(id) ? unchanged : added).add(e));
      before.forEach(
          (id, e) -> {
            if (!after.containsKey(id)) {
              removed.add(e);
            }
          });
    }
    return new BacktestReport(candidate, baseline, rules, added, removed, unchanged);
  }

  /** The alerts (firing episodes) of a run, in firing order. */
  static List<BacktestReport.Episode> episodes(List<ReplayResult.Emitted<Alert>> alerts) {
    Map<String, List<Alert>> byAlert = new LinkedHashMap<>();
    for (ReplayResult.Emitted<Alert> e : alerts) {
      byAlert
          .computeIfAbsent(e.value().getAlertId().toString(), k -> new ArrayList<>())
          .add(e.value());
    }
    List<BacktestReport.Episode> out = new ArrayList<>();
    byAlert.forEach(
        (id, transitions) -> {
          Alert first = transitions.get(0);
          Instant resolved = null;
          for (Alert a : transitions) {
            if (a.getTransition() == AlertTransition.RESOLVED) {
              resolved = a.getResolvedTime() != null ? a.getResolvedTime() : a.getEvaluatedAt();
            }
          }
          Map<String, String> dims = new TreeMap<>();
          first.getDimensions().forEach((k, v) -> dims.put(k.toString(), v.toString()));
          out.add(
              new BacktestReport.Episode(
                  id,
                  first.getRuleId().toString(),
                  first.getFingerprint().toString(),
                  dims,
                  first.getFiredTime(),
                  resolved,
                  transitions.stream().anyMatch(Alert::getFlapping),
                  transitions.stream().anyMatch(Alert::getInhibited),
                  List.copyOf(transitions)));
        });
    out.sort(
        Comparator.comparing(BacktestReport.Episode::firedAt)
            .thenComparing(BacktestReport.Episode::fingerprint));
    return out;
  }

  private static Map<String, BacktestReport.Episode> index(List<BacktestReport.Episode> episodes) {
    Map<String, BacktestReport.Episode> out = new LinkedHashMap<>();
    episodes.forEach(e -> out.put(e.alertId(), e));
    return out;
  }

  /** Firing time within the reported range. */
  private static Duration clamp(BacktestReport.Episode e, Instant from, Instant end) {
    Instant start = e.firedAt().isBefore(from) ? from : e.firedAt();
    Instant until = e.resolvedAt() != null ? e.resolvedAt() : end;
    return until == null || !until.isAfter(start) ? Duration.ZERO : Duration.between(start, until);
  }

  /**
   * The most eventful series of a rule: those with the most transitions, then those whose value
   * peaked highest, up to {@link #CHARTED_SERIES}.
   */
  private static List<BacktestReport.SeriesChart> charts(
      String ruleId,
      Set<String> series,
      Map<String, List<ReplayResult.ResultPoint>> points,
      List<ReplayResult.Emitted<Alert>> alerts) {
    Map<String, List<Alert>> transitions = new HashMap<>();
    for (ReplayResult.Emitted<Alert> e : alerts) {
      if (e.value().getRuleId().toString().equals(ruleId)) {
        transitions
            .computeIfAbsent(e.value().getFingerprint().toString(), k -> new ArrayList<>())
            .add(e.value());
      }
    }
    Comparator<String> eventful =
        Comparator.<String>comparingInt(s -> -transitions.getOrDefault(s, List.of()).size())
            .thenComparingDouble(s -> -peak(points.getOrDefault(s, List.of())))
            .thenComparing(s -> s);
    return series.stream()
        .sorted(eventful)
        .limit(CHARTED_SERIES)
        .map(
            s -> {
              List<ReplayResult.ResultPoint> p = points.getOrDefault(s, List.of());
              return new BacktestReport.SeriesChart(
                  s,
                  p.isEmpty() ? Map.of() : p.get(0).dimensions(),
                  latestRevisions(p),
                  transitions.getOrDefault(s, List.of()));
            })
        .toList();
  }

  private static double peak(List<ReplayResult.ResultPoint> points) {
    return points.stream()
        .filter(ReplayResult.ResultPoint::hasData)
        .mapToDouble(ReplayResult.ResultPoint::value)
        .filter(v -> !Double.isNaN(v))
        .max()
        .orElse(Double.NEGATIVE_INFINITY);
  }

  /** One point per window: its latest revision, in window order. */
  private static List<ReplayResult.ResultPoint> latestRevisions(
      List<ReplayResult.ResultPoint> points) {
    Map<Instant, ReplayResult.ResultPoint> byWindow = new TreeMap<>();
    for (ReplayResult.ResultPoint p : points) {
      byWindow.merge(p.windowEnd(), p, (a, b) -> b.revision() >= a.revision() ? b : a);
    }
    return List.copyOf(byWindow.values());
  }
}

package io.linkwatch.streams.alert;

import io.linkwatch.avro.Aggregation;
import io.linkwatch.avro.AlertRule;
import io.linkwatch.avro.DynamicThreshold;
import io.linkwatch.avro.Operator;
import java.util.Arrays;
import java.util.Collection;

/**
 * The comparison of a value with a rule's threshold: static, or dynamic — a band learned per series
 * from its own past values.
 *
 * <p><b>Dynamic thresholds</b> use a robust location and scale, the median and the median absolute
 * deviation (MAD) of the series' last {@code baselineSize} evaluated values: {@code upper = median
 * + k·σ}, {@code lower = median − k·σ} with {@code σ = max(1.4826·MAD, 10 % of |median|, floor)}
 * (1.4826·MAD estimates the standard deviation of normal data; the 10 % and the floor — 1 for
 * counts, 0.01 for ratios — keep a flat series from alerting on its first wobble). {@code k} is 2
 * for High sensitivity (narrow band, fires more), 3 for Medium and 4 for Low. The median ignores
 * the spike being judged and half of any past spikes, which a mean/variance (EWMA) baseline does
 * not: a single outage would widen an EWMA band for hours. Until {@code warmup} values are learned
 * the band is not trusted and nothing fires (Azure Monitor needs 3 days and 30 samples before its
 * thresholds act). Values of windows that end before {@code ignoreDataBefore} are not learned.
 */
final class Thresholds {

  /** The band of one evaluation; {@code threshold} is NaN for dynamic thresholds. */
  record Band(double threshold, double lower, double upper, boolean trusted) {

    boolean dynamic() {
      return Double.isNaN(threshold);
    }
  }

  private Thresholds() {}

  static Band band(AlertRule rule, Collection<Double> baseline) {
    DynamicThreshold dynamic = rule.getDynamicThreshold();
    if (dynamic == null) {
      double t = rule.getThreshold() == null ? Double.NaN : rule.getThreshold();
      return new Band(t, Double.NaN, Double.NaN, true);
    }
    if (baseline.size() < Math.max(3, dynamic.getWarmupEvaluations())) {
      return new Band(Double.NaN, Double.NaN, Double.NaN, false);
    }
    double[] values = baseline.stream().mapToDouble(Double::doubleValue).toArray();
    double median = median(values);
    double[] deviations = new double[values.length];
    for (int i = 0; i < values.length; i++) {
      deviations[i] = Math.abs(values[i] - median);
    }
    double mad = median(deviations);
    double floor = rule.getAggregation() == Aggregation.RATIO ? 0.01 : 1.0;
    double sigma = Math.max(Math.max(1.4826 * mad, 0.1 * Math.abs(median)), floor);
    double k =
        switch (dynamic.getSensitivity()) {
          case HIGH -> 2.0;
          case LOW -> 4.0;
          default -> 3.0;
        };
    return new Band(Double.NaN, median - k * sigma, median + k * sigma, true);
  }

  /** True when the value breaches the condition. */
  static boolean breaches(Operator op, double value, Band band) {
    if (Double.isNaN(value) || !band.trusted()) {
      return false;
    }
    if (band.dynamic()) {
      return switch (op) {
        case GREATER_THAN -> value > band.upper();
        case LESS_THAN -> value < band.lower();
        case GREATER_OR_LESS_THAN -> value > band.upper() || value < band.lower();
        default -> false;
      };
    }
    double t = band.threshold();
    return switch (op) {
      case GREATER_THAN -> value > t;
      case GREATER_THAN_OR_EQUAL -> value >= t;
      case LESS_THAN -> value < t;
      case LESS_THAN_OR_EQUAL -> value <= t;
      case EQUALS -> Math.abs(value - t) <= 1e-9 * Math.max(1, Math.abs(t));
      case NOT_EQUALS -> Math.abs(value - t) > 1e-9 * Math.max(1, Math.abs(t));
      default -> false;
    };
  }

  /** The threshold to show next to a value: the static one, or the band edge it is judged by. */
  static Double shown(Operator op, double value, Band band) {
    if (!band.dynamic()) {
      return Double.isNaN(band.threshold()) ? null : band.threshold();
    }
    if (!band.trusted()) {
      return null;
    }
    return switch (op) {
      case LESS_THAN -> band.lower();
      case GREATER_OR_LESS_THAN -> value < band.lower() ? band.lower() : band.upper();
      default -> band.upper();
    };
  }

  static boolean countLike(Aggregation a) {
    return a == Aggregation.COUNT || a == Aggregation.TOTAL || a == Aggregation.DISTINCT_DEVICES;
  }

  private static double median(double[] values) {
    double[] v = values.clone();
    Arrays.sort(v);
    int n = v.length;
    return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2.0;
  }
}

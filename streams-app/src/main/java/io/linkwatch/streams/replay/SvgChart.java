package io.linkwatch.streams.replay;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A small line chart as inline SVG, so that a report is one self-contained file (no script, no
 * CDN): a series' value over time, a threshold line or a band, and markers with tooltips.
 */
final class SvgChart {

  /** One value; {@code NaN} leaves a gap. */
  record Point(long time, double value) {}

  /** A band edge pair at a time (dynamic thresholds). */
  record Band(long time, double lower, double upper) {}

  /** A transition to mark. */
  record Marker(long time, double value, String kind, String tooltip) {}

  private static final int WIDTH = 760;
  private static final int HEIGHT = 220;
  private static final int LEFT = 56;
  private static final int RIGHT = 12;
  private static final int TOP = 14;
  private static final int BOTTOM = 30;
  private static final DateTimeFormatter HOUR =
      DateTimeFormatter.ofPattern("MM-dd HH:mm", Locale.ROOT).withZone(ZoneOffset.UTC);

  private final long from;
  private final long to;
  private final List<Point> points = new ArrayList<>();
  private final List<Band> band = new ArrayList<>();
  private final List<Marker> markers = new ArrayList<>();
  private Double threshold;
  private String thresholdLabel = "threshold";

  SvgChart(Instant from, Instant to) {
    this.from = from.toEpochMilli();
    this.to = Math.max(to.toEpochMilli(), this.from + 1);
  }

  SvgChart point(long time, double value) {
    points.add(new Point(time, value));
    return this;
  }

  SvgChart band(long time, double lower, double upper) {
    band.add(new Band(time, lower, upper));
    return this;
  }

  SvgChart threshold(double value, String label) {
    this.threshold = value;
    this.thresholdLabel = label;
    return this;
  }

  SvgChart marker(long time, double value, String kind, String tooltip) {
    markers.add(new Marker(time, value, kind, tooltip));
    return this;
  }

  String render(String title) {
    double lo = Double.POSITIVE_INFINITY;
    double hi = Double.NEGATIVE_INFINITY;
    for (Point p : points) {
      if (!Double.isNaN(p.value())) {
        lo = Math.min(lo, p.value());
        hi = Math.max(hi, p.value());
      }
    }
    for (Band b : band) {
      lo = Math.min(lo, b.lower());
      hi = Math.max(hi, b.upper());
    }
    if (threshold != null && !threshold.isNaN()) {
      lo = Math.min(lo, threshold);
      hi = Math.max(hi, threshold);
    }
    if (lo == Double.POSITIVE_INFINITY) {
      lo = 0;
      hi = 1;
    }
    lo = Math.min(lo, 0);
    double step = niceStep((hi - lo) / 4);
    hi = Math.ceil(hi / step) * step;
    if (hi <= lo) {
      hi = lo + step;
    }
    double yLo = lo;
    double yHi = hi;
    StringBuilder svg = new StringBuilder();
    svg.append(
            String.format(
                Locale.ROOT,
                "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" viewBox=\"0 0 %d %d\""
                    + " width=\"%d\" height=\"%d\" role=\"img\" aria-label=\"%s\">",
                WIDTH,
                HEIGHT,
                WIDTH,
                HEIGHT,
                Html.escape(title)))
        .append("<title>")
        .append(Html.escape(title))
        .append("</title>");
    // grid and axes
    for (double v = yLo; v <= yHi + step / 2; v += step) {
      double y = y(v, yLo, yHi);
      svg.append(line(LEFT, y, WIDTH - RIGHT, y, "grid"))
          .append(text(LEFT - 6, y + 4, "end", number(v)));
    }
    // time ticks on round UTC times (every 5 min, 15 min, 1 h, ...), at most 7 of them
    long tick = timeStep(to - from);
    for (long t = Math.floorDiv(from + tick - 1, tick) * tick; t <= to; t += tick) {
      double x = x(t);
      svg.append(line(x, TOP, x, HEIGHT - BOTTOM, "grid"))
          .append(
              text(
                  x,
                  HEIGHT - BOTTOM + 16,
                  x - LEFT < 40 ? "start" : WIDTH - RIGHT - x < 40 ? "end" : "middle",
                  HOUR.format(Instant.ofEpochMilli(t))));
    }
    // band (dynamic threshold)
    if (!band.isEmpty()) {
      StringBuilder upper = new StringBuilder();
      StringBuilder lower = new StringBuilder();
      for (Band b : band) {
        upper.append(coords(x(b.time()), y(b.upper(), yLo, yHi)));
      }
      for (int i = band.size() - 1; i >= 0; i--) {
        Band b = band.get(i);
        lower.append(coords(x(b.time()), y(b.lower(), yLo, yHi)));
      }
      svg.append("<polygon class=\"band\" points=\"")
          .append(upper)
          .append(lower)
          .append("\"><title>dynamic threshold band</title></polygon>");
    }
    if (threshold != null && !threshold.isNaN()) {
      double y = y(threshold, yLo, yHi);
      svg.append(line(LEFT, y, WIDTH - RIGHT, y, "threshold"))
          .append(text(WIDTH - RIGHT - 2, y - 4, "end", thresholdLabel + " " + number(threshold)));
    }
    // the series, split at gaps
    StringBuilder path = new StringBuilder();
    boolean open = false;
    for (Point p : points) {
      if (Double.isNaN(p.value())) {
        open = false;
        continue;
      }
      path.append(open ? "L" : "M").append(coords(x(p.time()), y(p.value(), yLo, yHi)).strip());
      open = true;
    }
    svg.append("<path class=\"value\" d=\"").append(path).append("\"/>");
    for (Point p : points) {
      if (!Double.isNaN(p.value())) {
        svg.append(
            String.format(
                Locale.ROOT,
                "<circle class=\"dot\" cx=\"%.1f\" cy=\"%.1f\" r=\"1.6\"><title>%s: %s</title></circle>",
                x(p.time()),
                y(p.value(), yLo, yHi),
                Instant.ofEpochMilli(p.time()),
                number(p.value())));
      }
    }
    for (Marker m : markers) {
      double x = x(m.time());
      double y = Double.isNaN(m.value()) ? HEIGHT - BOTTOM : y(m.value(), yLo, yHi);
      svg.append(
          String.format(
              Locale.ROOT,
              "<g class=\"marker %s\"><line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\"/>"
                  + "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"5\"/><title>%s</title></g>",
              Html.escape(m.kind().toLowerCase(Locale.ROOT)),
              x,
              TOP,
              x,
              HEIGHT - BOTTOM,
              x,
              y,
              Html.escape(m.tooltip())));
    }
    svg.append("</svg>");
    return svg.toString();
  }

  private double x(long time) {
    double f = (time - from) / (double) (to - from);
    return LEFT + Math.max(0, Math.min(1, f)) * (WIDTH - LEFT - RIGHT);
  }

  private static double y(double v, double lo, double hi) {
    return TOP + (1 - (v - lo) / (hi - lo)) * (HEIGHT - TOP - BOTTOM);
  }

  private static String coords(double x, double y) {
    return String.format(Locale.ROOT, "%.1f,%.1f ", x, y);
  }

  private static String line(double x1, double y1, double x2, double y2, String cls) {
    return String.format(
        Locale.ROOT,
        "<line class=\"%s\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>",
        cls,
        x1,
        y1,
        x2,
        y2);
  }

  private static String text(double x, double y, String anchor, String s) {
    return String.format(
        Locale.ROOT,
        "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"%s\">%s</text>",
        x,
        y,
        anchor,
        Html.escape(s));
  }

  /** 1, 2 or 5 times a power of ten, at least {@code raw}. */
  static double niceStep(double raw) {
    if (!(raw > 0) || Double.isInfinite(raw)) {
      return 1;
    }
    double p = Math.pow(10, Math.floor(Math.log10(raw)));
    for (double m : new double[] {1, 2, 5, 10}) {
      if (m * p >= raw) {
        return m * p;
      }
    }
    return 10 * p;
  }

  static String number(double v) {
    if (Double.isNaN(v)) {
      return "no data";
    }
    if (Double.isInfinite(v)) {
      return v > 0 ? "∞" : "-∞";
    }
    if (v == Math.rint(v) && Math.abs(v) < 1e12) {
      return Long.toString((long) v);
    }
    // 0.5 rather than 0.500, 0.125 kept
    return new java.math.BigDecimal(
            String.format(Locale.ROOT, Math.abs(v) < 1 ? "%.3f" : "%.2f", v))
        .stripTrailingZeros()
        .toPlainString();
  }

  private static final long[] TIME_STEPS = {
    60_000L,
    2 * 60_000L,
    5 * 60_000L,
    10 * 60_000L,
    15 * 60_000L,
    30 * 60_000L,
    3_600_000L,
    2 * 3_600_000L,
    3 * 3_600_000L,
    6 * 3_600_000L,
    12 * 3_600_000L,
    86_400_000L,
    2 * 86_400_000L,
    7 * 86_400_000L
  };

  /** The smallest round step that puts at most 7 ticks on a span of {@code span} ms. */
  static long timeStep(long span) {
    for (long step : TIME_STEPS) {
      if (span / step <= 6) {
        return step;
      }
    }
    long week = TIME_STEPS[TIME_STEPS.length - 1];
    return week * Math.max(1, (span / week + 5) / 6);
  }
}

package io.linkwatch.streams.rules;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A label, annotation, description or target template, in the Prometheus/Go-template style that
 * SREs already write: {@code {{ .hub }}} or {@code {{ $labels.hub }}} for a split-by dimension,
 * {@code {{ $value }}}, {@code {{ $threshold }}}, {@code {{ $lower }}}, {@code {{ $upper }}},
 * {@code {{ $count }}}, {@code {{ $rule }}}, {@code {{ $ruleName }}}, {@code {{ $severity }}},
 * {@code {{ $signal }}}, {@code {{ $windowStart }}}, {@code {{ $windowEnd }}}, with an optional
 * formatter: {@code {{ $value | percent }}}, {@code | int}, {@code | humanize}.
 *
 * <p>Parsed once, when the rule is validated, so that a typo is an error naming the field rather
 * than a blank in a page at 3 a.m.
 */
public final class Template {

  /** The {@code $} variables a template may use. */
  public static final List<String> VARIABLES =
      List.of(
          "value",
          "threshold",
          "lower",
          "upper",
          "count",
          "rule",
          "ruleName",
          "severity",
          "signal",
          "windowStart",
          "windowEnd");

  /** The formatters a template may pipe a value through. */
  public static final List<String> FORMATTERS = List.of("percent", "int", "humanize");

  private static final Pattern ACTION = Pattern.compile("\\{\\{(.*?)}}");
  private static final Pattern DIMENSION =
      Pattern.compile("(?:\\.|\\$labels\\.)([A-Za-z_][A-Za-z0-9_]*)");
  private static final Pattern VARIABLE = Pattern.compile("\\$([A-Za-z_][A-Za-z0-9_]*)");

  private sealed interface Part permits Text, Dimension, Variable {}

  private record Text(String text) implements Part {}

  private record Dimension(String name) implements Part {}

  private record Variable(String name, String formatter) implements Part {}

  private final String source;
  private final List<Part> parts;

  private Template(String source, List<Part> parts) {
    this.source = source;
    this.parts = parts;
  }

  /**
   * Parses a template.
   *
   * @throws IllegalArgumentException naming the action that cannot be understood and what is
   *     allowed
   */
  public static Template parse(String source) {
    List<Part> parts = new ArrayList<>();
    Matcher m = ACTION.matcher(source);
    int last = 0;
    while (m.find()) {
      if (m.start() > last) {
        parts.add(new Text(source.substring(last, m.start())));
      }
      parts.add(action(m.group(1).strip(), m.group()));
      last = m.end();
    }
    String rest = source.substring(last);
    if (rest.contains("{{")) {
      throw new IllegalArgumentException("unclosed '{{' in '" + source + "'");
    }
    if (!rest.isEmpty()) {
      parts.add(new Text(rest));
    }
    return new Template(source, List.copyOf(parts));
  }

  private static Part action(String body, String whole) {
    String expr = body;
    String formatter = null;
    int pipe = body.indexOf('|');
    if (pipe >= 0) {
      expr = body.substring(0, pipe).strip();
      formatter = body.substring(pipe + 1).strip();
      if (!FORMATTERS.contains(formatter)) {
        throw new IllegalArgumentException(
            "unknown formatter '"
                + formatter
                + "' in "
                + whole
                + " (allowed: "
                + String.join(", ", FORMATTERS)
                + ")");
      }
    }
    Matcher dim = DIMENSION.matcher(expr);
    if (dim.matches()) {
      if (formatter != null) {
        throw new IllegalArgumentException("a dimension cannot be formatted: " + whole);
      }
      return new Dimension(dim.group(1));
    }
    Matcher var = VARIABLE.matcher(expr);
    if (var.matches() && VARIABLES.contains(var.group(1))) {
      return new Variable(var.group(1), formatter);
    }
    throw new IllegalArgumentException(
        "cannot understand "
            + whole
            + " (use {{ .dimension }}, {{ $labels.dimension }} or one of "
            + String.join(", ", VARIABLES.stream().map(v -> "$" + v).toList())
            + ")");
  }

  /** The dimensions the template refers to: each must be a split-by dimension of the rule. */
  public Set<String> dimensions() {
    Set<String> names = new LinkedHashSet<>();
    for (Part p : parts) {
      if (p instanceof Dimension d) {
        names.add(d.name());
      }
    }
    return names;
  }

  /** The template text as written. */
  public String source() {
    return source;
  }

  /**
   * Renders the template.
   *
   * @param dimensions the series' dimension values
   * @param variables values of the {@code $} variables: {@link Number}s are formatted, anything
   *     else is printed as is; a variable without a value renders as an empty string
   */
  public String render(Map<String, String> dimensions, Map<String, Object> variables) {
    StringBuilder out = new StringBuilder();
    for (Part p : parts) {
      if (p instanceof Text t) {
        out.append(t.text());
      } else if (p instanceof Dimension d) {
        out.append(dimensions.getOrDefault(d.name(), ""));
      } else if (p instanceof Variable v) {
        out.append(format(variables.get(v.name()), v.formatter()));
      }
    }
    return out.toString();
  }

  /** Renders a template once, for callers that hold the text only. */
  public static String render(
      String source, Map<String, String> dimensions, Map<String, Object> variables) {
    return parse(source).render(dimensions, variables);
  }

  static String format(Object value, String formatter) {
    if (value == null) {
      return "";
    }
    if (!(value instanceof Number n)) {
      return value.toString();
    }
    double d = n.doubleValue();
    if (Double.isNaN(d)) {
      return "no data";
    }
    if (formatter == null) {
      return number(d);
    }
    return switch (formatter) {
      case "percent" -> String.format(Locale.ROOT, "%.1f%%", d * 100);
      case "int" -> Long.toString(Math.round(d));
      default -> humanize(d);
    };
  }

  /** A number the way a person reads it: integers without decimals, others with up to 4. */
  public static String number(double d) {
    if (Double.isNaN(d)) {
      return "no data";
    }
    if (Double.isInfinite(d)) {
      return d > 0 ? "+Inf" : "-Inf";
    }
    if (d == Math.rint(d) && Math.abs(d) < 1e15) {
      return Long.toString((long) d);
    }
    String s = String.format(Locale.ROOT, "%.4f", d);
    s = s.replaceAll("0+$", "");
    return s.endsWith(".") ? s.substring(0, s.length() - 1) : s;
  }

  private static String humanize(double d) {
    double abs = Math.abs(d);
    if (abs >= 1e9) {
      return number(Math.round(d / 1e7) / 100.0) + "G";
    }
    if (abs >= 1e6) {
      return number(Math.round(d / 1e4) / 100.0) + "M";
    }
    if (abs >= 1e3) {
      return number(Math.round(d / 10) / 100.0) + "k";
    }
    return number(Math.round(d * 100) / 100.0);
  }

  @Override
  public String toString() {
    return source;
  }
}

package io.linkwatch.streams.rules;

import com.fasterxml.jackson.databind.JsonNode;
import io.linkwatch.avro.Aggregation;
import io.linkwatch.avro.AlertRule;
import io.linkwatch.avro.DimensionHint;
import io.linkwatch.avro.DynamicThreshold;
import io.linkwatch.avro.Hint;
import io.linkwatch.avro.InhibitRule;
import io.linkwatch.avro.NoDataPolicy;
import io.linkwatch.avro.Operator;
import io.linkwatch.avro.Sensitivity;
import io.linkwatch.avro.Severity;
import io.linkwatch.schemas.config.KnownKeys;
import io.linkwatch.streams.signal.Signal;
import io.linkwatch.streams.signal.SignalCatalog;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Turns one rule's YAML node into an {@link AlertRule}, collecting every problem (unknown keys with
 * a suggestion, wrong types, values outside the allowed ones, fields that contradict each other)
 * instead of stopping at the first.
 */
final class RuleBinder {

  static final Pattern ID = Pattern.compile("[a-z0-9][a-z0-9._-]{0,99}");
  static final Duration MIN_FREQUENCY = Duration.ofSeconds(1);
  static final Duration MAX_FREQUENCY = Duration.ofHours(1);
  static final Duration MAX_WINDOW = Duration.ofHours(24);
  static final int MAX_PERIODS = 60;

  /** Canonical keys of a rule, in documentation order. */
  static final List<String> KEYS =
      List.of(
          "id",
          "name",
          "description",
          "enabled",
          "signal",
          "aggregation",
          "denominator",
          "filters",
          "splitBy",
          "maxSeries",
          "operator",
          "threshold",
          "dynamic",
          "minCount",
          "window",
          "frequency",
          "grace",
          "failingPeriods",
          "pending",
          "keepFiringFor",
          "severity",
          "autoResolve",
          "resolveAfter",
          "noData",
          "flap",
          "labels",
          "annotations",
          "hint",
          "inhibits",
          "targets");

  private static final Map<String, String> ALIASES =
      Map.of(
          "for", "pending",
          "autoresolveafter", "resolveAfter",
          "denominatorsignal", "denominator",
          "split", "splitBy",
          "evaluationfrequency", "frequency",
          "windowsize", "window");

  private static final Map<String, Operator> OPERATORS = new LinkedHashMap<>();
  private static final Map<String, Aggregation> AGGREGATIONS = new LinkedHashMap<>();
  private static final Map<String, NoDataPolicy> NO_DATA = new LinkedHashMap<>();

  static {
    op(Operator.GREATER_THAN, ">", "gt", "greaterthan");
    op(Operator.GREATER_THAN_OR_EQUAL, ">=", "ge", "gte", "greaterthanorequal");
    op(Operator.LESS_THAN, "<", "lt", "lessthan");
    op(Operator.LESS_THAN_OR_EQUAL, "<=", "le", "lte", "lessthanorequal");
    op(Operator.EQUALS, "==", "=", "eq", "equals");
    op(Operator.NOT_EQUALS, "!=", "ne", "notequals");
    op(Operator.GREATER_OR_LESS_THAN, "<>", "outside", "greaterorlessthan");
    agg(Aggregation.COUNT, "count");
    agg(Aggregation.TOTAL, "total", "sum");
    agg(Aggregation.AVERAGE, "average", "avg", "mean");
    agg(Aggregation.MIN, "min", "minimum");
    agg(Aggregation.MAX, "max", "maximum");
    agg(Aggregation.RATIO, "ratio");
    agg(Aggregation.DISTINCT_DEVICES, "distinct_devices", "distinctdevices", "distinct");
    NO_DATA.put("keep_state", NoDataPolicy.KEEP_STATE);
    NO_DATA.put("keepstate", NoDataPolicy.KEEP_STATE);
    NO_DATA.put("keeplast", NoDataPolicy.KEEP_STATE);
    NO_DATA.put("resolve", NoDataPolicy.RESOLVE);
    NO_DATA.put("normal", NoDataPolicy.RESOLVE);
    NO_DATA.put("ok", NoDataPolicy.RESOLVE);
    NO_DATA.put("alert", NoDataPolicy.ALERT);
    NO_DATA.put("alerting", NoDataPolicy.ALERT);
  }

  private static void op(Operator o, String... names) {
    for (String n : names) {
      OPERATORS.put(n, o);
    }
  }

  private static void agg(Aggregation a, String... names) {
    for (String n : names) {
      AGGREGATIONS.put(n, a);
    }
  }

  private final String file;
  private final String base;
  private final Map<String, Integer> lines;
  private final List<RuleProblem> problems;
  private final Map<String, String> fieldPointers = new LinkedHashMap<>();
  private String ruleId;

  private RuleBinder(
      String file, String base, Map<String, Integer> lines, List<RuleProblem> problems) {
    this.file = file;
    this.base = base;
    this.lines = lines;
    this.problems = problems;
  }

  /** Binds one rule; empty when it has problems (which are added to {@code problems}). */
  static Optional<LoadedRule> bind(
      String file,
      String pointer,
      JsonNode node,
      Map<String, Integer> lines,
      List<RuleProblem> problems) {
    int before = problems.size();
    RuleBinder binder = new RuleBinder(file, pointer, lines, problems);
    AlertRule rule = binder.bind(node);
    if (rule == null || problems.size() > before) {
      return Optional.empty();
    }
    return Optional.of(new LoadedRule(rule, file, lines.getOrDefault(pointer, 0)));
  }

  private AlertRule bind(JsonNode node) {
    if (!node.isObject()) {
      problem(
          null, "expected a rule (a mapping with id, signal, operator, ...), got " + kind(node));
      return null;
    }
    JsonNode idNode = node.get("id");
    if (idNode != null && idNode.isTextual() && ID.matcher(idNode.asText()).matches()) {
      ruleId = idNode.asText();
    }
    Map<String, JsonNode> f = fields(node, "", KEYS, ALIASES);
    ruleId = text(f, "id", null);
    if (ruleId == null) {
      problem("id", "missing (every rule needs a stable id, e.g. iothub-auth-failures)");
    } else if (!ID.matcher(ruleId).matches()) {
      String given = ruleId;
      ruleId = null;
      problem(
          "id",
          "'"
              + given
              + "' is not a valid id (lower-case letters, digits, '.', '-', '_', starting with a"
              + " letter or digit, at most 100 characters)");
    }
    AlertRule.Builder b = AlertRule.newBuilder();
    b.setId(ruleId == null ? "" : ruleId);
    b.setVersion(0);
    b.setName(text(f, "name", ruleId == null ? "" : ruleId));
    b.setDescription(text(f, "description", ""));
    b.setEnabled(bool(f, "enabled", true));

    Signal signal = signal(f, "signal", true);
    b.setSignal(signal == null ? "" : signal.name());
    Aggregation aggregation =
        Objects.requireNonNullElse(
            enumValue(f, "aggregation", AGGREGATIONS, Aggregation.COUNT), Aggregation.UNKNOWN);
    b.setAggregation(aggregation);
    Signal denominator = signal(f, "denominator", false);
    b.setDenominatorSignal(denominator == null ? null : denominator.name());
    if (aggregation == Aggregation.RATIO && denominator == null && !f.containsKey("denominator")) {
      problem(
          "denominator",
          "missing: aggregation 'ratio' divides the signal's count by the count of a denominator"
              + " signal (e.g. denominator: dps.attestation_attempts)");
    }
    if (aggregation != Aggregation.RATIO && f.containsKey("denominator")) {
      problem("denominator", "only aggregation 'ratio' uses a denominator signal");
    }

    List<String> splitBy = stringList(f, "splitBy");
    Map<String, List<String>> filters = filters(f);
    if (signal != null) {
      checkDimensions("splitBy", splitBy, signal, denominator);
      checkDimensions("filters", new ArrayList<>(filters.keySet()), signal, denominator);
    }
    if (new LinkedHashSet<>(splitBy).size() != splitBy.size()) {
      problem("splitBy", "lists a dimension twice: " + splitBy);
    }
    b.setSplitBy(splitBy);
    b.setFilters(filters);
    b.setMaxSeries((int) integer(f, "maxSeries", 1000, 1, 100_000));

    Operator operator = enumValue(f, "operator", OPERATORS, null);
    if (operator == null && !f.containsKey("operator")) {
      problem("operator", "missing (allowed: " + String.join(", ", firstNames(OPERATORS)) + ")");
    }
    b.setOperator(operator == null ? Operator.UNKNOWN : operator);
    Double threshold = number(f, "threshold");
    DynamicThreshold dynamic = dynamic(f);
    if (threshold != null && dynamic != null) {
      problem("threshold", "give either 'threshold' (static) or 'dynamic', not both");
    } else if (threshold == null
        && dynamic == null
        && !f.containsKey("threshold")
        && !f.containsKey("dynamic")) {
      problem(
          "threshold",
          "missing: give a static 'threshold: <number>' or 'dynamic: {sensitivity: medium}'");
    }
    if (operator != null
        && dynamic != null
        && !Set.of(Operator.GREATER_THAN, Operator.LESS_THAN, Operator.GREATER_OR_LESS_THAN)
            .contains(operator)) {
      problem(
          "operator",
          "'"
              + f.get("operator").asText()
              + "' cannot be used with a dynamic threshold (allowed: >, < or <>)");
    }
    if (operator == Operator.GREATER_OR_LESS_THAN && threshold != null) {
      problem("operator", "'<>' needs a band: use it with a dynamic threshold");
    }
    b.setThreshold(threshold);
    b.setDynamicThreshold(dynamic);
    b.setMinCount(integer(f, "minCount", 0, 0, Long.MAX_VALUE));

    Duration frequency = duration(f, "frequency", Duration.ofMinutes(1));
    Duration window = duration(f, "window", Duration.ofMinutes(5));
    if (frequency != null
        && (frequency.compareTo(MIN_FREQUENCY) < 0 || frequency.compareTo(MAX_FREQUENCY) > 0)) {
      problem(
          "frequency",
          Durations.format(frequency)
              + " is out of range (from "
              + Durations.format(MIN_FREQUENCY)
              + " to "
              + Durations.format(MAX_FREQUENCY)
              + ")");
    } else if (frequency != null && window != null) {
      if (window.compareTo(frequency) < 0 || window.compareTo(MAX_WINDOW) > 0) {
        problem(
            "window",
            Durations.format(window)
                + " is out of range (from the frequency, "
                + Durations.format(frequency)
                + ", to "
                + Durations.format(MAX_WINDOW)
                + ")");
      } else if (window.toMillis() % frequency.toMillis() != 0) {
        problem(
            "window",
            Durations.format(window)
                + " is not a multiple of the frequency "
                + Durations.format(frequency)
                + " (a window is summed from buckets of the frequency's size)");
      }
    }
    b.setWindowSizeMs(window == null ? 0 : window.toMillis());
    b.setEvaluationFrequencyMs(frequency == null ? 0 : frequency.toMillis());
    Duration grace = duration(f, "grace", null);
    if (grace != null && grace.compareTo(MAX_WINDOW) > 0) {
      problem("grace", Durations.format(grace) + " is longer than 24h");
    }
    b.setGracePeriodMs(grace == null ? null : grace.toMillis());

    int[] periods = failingPeriods(f);
    b.setMinFailingPeriods(periods[0]);
    b.setEvaluationPeriods(periods[1]);
    b.setPendingMs(nonNegative(duration(f, "pending", Duration.ZERO), "pending"));
    b.setKeepFiringMs(nonNegative(duration(f, "keepFiringFor", Duration.ZERO), "keepFiringFor"));
    b.setSeverity(severity(f));
    b.setAutoResolve(bool(f, "autoResolve", true));
    b.setAutoResolveAfter((int) integer(f, "resolveAfter", 1, 1, MAX_PERIODS));
    b.setNoData(
        Objects.requireNonNullElse(
            enumValue(f, "noData", NO_DATA, NoDataPolicy.KEEP_STATE), NoDataPolicy.UNKNOWN));
    flap(f, b, frequency);

    Set<String> splitSet = new LinkedHashSet<>(splitBy);
    b.setLabels(templates(f, "labels", splitSet));
    b.setAnnotations(templates(f, "annotations", splitSet));
    if (f.containsKey("description")) {
      template("description", b.getDescription(), splitSet);
    }
    hint(f, b, splitSet);
    b.setInhibits(inhibits(f, splitSet));
    List<String> targets = stringList(f, "targets");
    for (int i = 0; i < targets.size(); i++) {
      template("targets[" + i + "]", targets.get(i), splitSet);
    }
    b.setTargets(targets);
    return b.build();
  }

  // --- fields -------------------------------------------------------------------------------

  /** The node's fields under their canonical names; unknown keys are problems with a suggestion. */
  private Map<String, JsonNode> fields(
      JsonNode node, String prefix, List<String> keys, Map<String, String> aliases) {
    Map<String, String> byNormal = new LinkedHashMap<>();
    keys.forEach(k -> byNormal.put(normal(k), k));
    Map<String, JsonNode> out = new LinkedHashMap<>();
    Iterator<Map.Entry<String, JsonNode>> it = node.fields();
    while (it.hasNext()) {
      Map.Entry<String, JsonNode> e = it.next();
      String n = normal(e.getKey());
      String canonical = byNormal.getOrDefault(n, aliases.get(n));
      if (canonical == null) {
        problem(
            prefix + e.getKey(),
            "unknown field"
                + suggestion(e.getKey(), keys)
                + " (allowed: "
                + String.join(", ", keys)
                + ")");
        continue;
      }
      if (out.containsKey(canonical)) {
        problem(prefix + e.getKey(), "given twice (also as '" + canonical + "' or an alias)");
        continue;
      }
      out.put(canonical, e.getValue());
      fieldPointers.put(prefix + canonical, pointerOf(prefix, e.getKey()));
    }
    return out;
  }

  private String pointerOf(String prefix, String key) {
    String p =
        prefix.isEmpty() ? "" : "/" + prefix.replace('.', '/').replace("[", "/").replace("]", "");
    if (p.endsWith("/")) {
      p = p.substring(0, p.length() - 1);
    }
    return base + p + "/" + key;
  }

  private static String normal(String key) {
    return key.toLowerCase(Locale.ROOT).replace("_", "").replace("-", "");
  }

  private String text(Map<String, JsonNode> f, String key, String dflt) {
    JsonNode n = f.get(key);
    if (n == null || n.isNull()) {
      return dflt;
    }
    if (!n.isValueNode() || n.isBoolean()) {
      problem(key, "expected text, got " + kind(n));
      return dflt;
    }
    return n.asText();
  }

  private boolean bool(Map<String, JsonNode> f, String key, boolean dflt) {
    JsonNode n = f.get(key);
    if (n == null || n.isNull()) {
      return dflt;
    }
    if (!n.isBoolean()) {
      problem(key, "expected true or false, got " + show(n));
      return dflt;
    }
    return n.booleanValue();
  }

  private long integer(Map<String, JsonNode> f, String key, long dflt, long min, long max) {
    JsonNode n = f.get(key);
    if (n == null || n.isNull()) {
      return dflt;
    }
    if (!n.isIntegralNumber()) {
      problem(key, "expected a whole number, got " + show(n));
      return dflt;
    }
    long v = n.longValue();
    if (v < min || v > max) {
      problem(
          key,
          v + " is out of range (from " + min + (max == Long.MAX_VALUE ? "" : " to " + max) + ")");
      return dflt;
    }
    return v;
  }

  private Double number(Map<String, JsonNode> f, String key) {
    JsonNode n = f.get(key);
    if (n == null || n.isNull()) {
      return null;
    }
    if (!n.isNumber()) {
      problem(key, "expected a number, got " + show(n));
      return null;
    }
    return n.doubleValue();
  }

  private Duration duration(Map<String, JsonNode> f, String key, Duration dflt) {
    JsonNode n = f.get(key);
    if (n == null || n.isNull()) {
      return dflt;
    }
    if (n.isIntegralNumber()) {
      problem(
          key,
          "expected a duration with a unit, e.g. '"
              + n.asText()
              + "s' or '"
              + n.asText()
              + "m', got "
              + show(n));
      return null;
    }
    try {
      return Durations.parse(n.asText());
    } catch (IllegalArgumentException e) {
      problem(key, e.getMessage());
      return null;
    }
  }

  private long nonNegative(Duration d, String key) {
    if (d == null) {
      return 0;
    }
    if (d.isNegative()) {
      problem(key, "must not be negative");
      return 0;
    }
    return d.toMillis();
  }

  private <E> E enumValue(Map<String, JsonNode> f, String key, Map<String, E> allowed, E dflt) {
    JsonNode n = f.get(key);
    if (n == null || n.isNull()) {
      return dflt;
    }
    String given = n.asText();
    E e = allowed.get(given.toLowerCase(Locale.ROOT).replace("-", "_").replace(" ", ""));
    if (e == null) {
      e = allowed.get(normal(given));
    }
    if (e == null) {
      problem(
          key,
          "'"
              + given
              + "' is not allowed (allowed: "
              + String.join(", ", firstNames(allowed))
              + ")");
    }
    return e;
  }

  /** One name per value, the first registered, for messages. */
  private static <E> List<String> firstNames(Map<String, E> allowed) {
    Map<E, String> first = new LinkedHashMap<>();
    allowed.forEach((name, value) -> first.putIfAbsent(value, name));
    return List.copyOf(first.values());
  }

  private Severity severity(Map<String, JsonNode> f) {
    JsonNode n = f.get("severity");
    if (n == null || n.isNull()) {
      return Severity.SEV3;
    }
    String s = n.asText().strip().toLowerCase(Locale.ROOT);
    if (s.matches("sev[0-4]")) {
      return Severity.valueOf(s.toUpperCase(Locale.ROOT));
    }
    if (s.matches("[0-4]")) {
      return Severity.valueOf("SEV" + s);
    }
    problem(
        "severity",
        "'"
            + n.asText()
            + "' is not allowed (allowed: Sev0 critical, Sev1 error, Sev2 warning, Sev3"
            + " informational, Sev4 verbose)");
    return Severity.SEV3;
  }

  private Signal signal(Map<String, JsonNode> f, String key, boolean required) {
    JsonNode n = f.get(key);
    if (n == null || n.isNull()) {
      if (required) {
        problem(key, "missing (one of " + signalNames() + "; see 'linkwatch rules signals')");
      }
      return null;
    }
    String name = n.asText();
    Optional<Signal> s = SignalCatalog.find(name);
    if (s.isEmpty()) {
      problem(
          key,
          "unknown signal '"
              + name
              + "'"
              + suggestion(name, SignalCatalog.all().stream().map(Signal::name).toList())
              + " (allowed: "
              + signalNames()
              + ")");
      return null;
    }
    return s.get();
  }

  private static String signalNames() {
    return String.join(", ", SignalCatalog.all().stream().map(Signal::name).toList());
  }

  private void checkDimensions(String key, List<String> dims, Signal signal, Signal denominator) {
    for (String d : dims) {
      if (!signal.dimensions().contains(d)) {
        problem(
            key,
            "signal "
                + signal.name()
                + " has no dimension '"
                + d
                + "'"
                + suggestion(d, signal.dimensions())
                + " (its dimensions: "
                + String.join(", ", signal.dimensions())
                + ")");
      } else if (denominator != null && !denominator.dimensions().contains(d)) {
        problem(
            key,
            "denominator signal "
                + denominator.name()
                + " has no dimension '"
                + d
                + "', so the ratio cannot be split or filtered by it (its dimensions: "
                + String.join(", ", denominator.dimensions())
                + ")");
      }
    }
  }

  private List<String> stringList(Map<String, JsonNode> f, String key) {
    JsonNode n = f.get(key);
    List<String> out = new ArrayList<>();
    if (n == null || n.isNull()) {
      return out;
    }
    if (n.isValueNode()) {
      out.add(n.asText());
      return out;
    }
    if (!n.isArray()) {
      problem(key, "expected a list of names, got " + kind(n));
      return out;
    }
    for (JsonNode item : n) {
      if (!item.isValueNode()) {
        problem(key, "expected a list of names, found " + kind(item) + " in it");
      } else {
        out.add(item.asText());
      }
    }
    return out;
  }

  private Map<String, List<String>> filters(Map<String, JsonNode> f) {
    JsonNode n = f.get("filters");
    Map<String, List<String>> out = new LinkedHashMap<>();
    if (n == null || n.isNull()) {
      return out;
    }
    if (!n.isObject()) {
      problem("filters", "expected a mapping of dimension to accepted values, got " + kind(n));
      return out;
    }
    n.fields()
        .forEachRemaining(
            e -> {
              List<String> values = new ArrayList<>();
              JsonNode v = e.getValue();
              if (v.isValueNode() && !v.isNull()) {
                values.add(v.asText());
              } else if (v.isArray() && v.size() > 0) {
                v.forEach(x -> values.add(x.asText()));
              } else {
                problem(
                    "filters." + e.getKey(),
                    "expected a value or a non-empty list of accepted values, got " + kind(v));
              }
              out.put(e.getKey(), values);
            });
    return out;
  }

  private DynamicThreshold dynamic(Map<String, JsonNode> f) {
    JsonNode n = f.get("dynamic");
    if (n == null || n.isNull()) {
      return null;
    }
    if (!n.isObject()) {
      problem(
          "dynamic", "expected a mapping {sensitivity, warmup, ignoreDataBefore}, got " + kind(n));
      return null;
    }
    Map<String, JsonNode> d =
        fields(n, "dynamic.", List.of("sensitivity", "warmup", "ignoreDataBefore"), Map.of());
    Map<String, Sensitivity> sensitivities = new LinkedHashMap<>();
    sensitivities.put("high", Sensitivity.HIGH);
    sensitivities.put("medium", Sensitivity.MEDIUM);
    sensitivities.put("low", Sensitivity.LOW);
    Map<String, JsonNode> prefixed = new LinkedHashMap<>();
    d.forEach((k, v) -> prefixed.put("dynamic." + k, v));
    Sensitivity s = enumValue(prefixed, "dynamic.sensitivity", sensitivities, Sensitivity.MEDIUM);
    long warmup = integer(prefixed, "dynamic.warmup", 30, 3, 10_000);
    Long ignoreBefore = null;
    JsonNode ib = d.get("ignoreDataBefore");
    if (ib != null && !ib.isNull()) {
      String t = ib.asText();
      try {
        ignoreBefore = Instant.parse(t).toEpochMilli();
      } catch (DateTimeParseException e) {
        try {
          ignoreBefore = LocalDate.parse(t).atStartOfDay(ZoneOffset.UTC).toInstant().toEpochMilli();
        } catch (DateTimeParseException e2) {
          problem(
              "dynamic.ignoreDataBefore",
              "'" + t + "' is not a date or an instant (e.g. 2026-01-31 or 2026-01-31T08:00:00Z)");
        }
      }
    }
    return new DynamicThreshold(s == null ? Sensitivity.MEDIUM : s, (int) warmup, ignoreBefore);
  }

  private static final Pattern N_OF_M = Pattern.compile("\\s*(\\d+)\\s*(?:of|/)\\s*(\\d+)\\s*");

  private int[] failingPeriods(Map<String, JsonNode> f) {
    JsonNode n = f.get("failingPeriods");
    if (n == null || n.isNull()) {
      return new int[] {1, 1};
    }
    int min;
    int of;
    if (n.isIntegralNumber()) {
      min = n.intValue();
      of = min;
    } else if (n.isTextual() && N_OF_M.matcher(n.asText()).matches()) {
      Matcher m = N_OF_M.matcher(n.asText());
      m.matches();
      min = Integer.parseInt(m.group(1));
      of = Integer.parseInt(m.group(2));
    } else if (n.isObject()) {
      Map<String, JsonNode> p =
          fields(
              n,
              "failingPeriods.",
              List.of("min", "of"),
              Map.of("minfailingperiodstoalert", "min", "numberofevaluationperiods", "of"));
      Map<String, JsonNode> prefixed = new LinkedHashMap<>();
      p.forEach((k, v) -> prefixed.put("failingPeriods." + k, v));
      min = (int) integer(prefixed, "failingPeriods.min", 1, 1, MAX_PERIODS);
      of = (int) integer(prefixed, "failingPeriods.of", min, 1, MAX_PERIODS);
    } else {
      problem(
          "failingPeriods",
          "expected 'N of M' (e.g. '3 of 4'), a number, or {min: N, of: M}, got " + show(n));
      return new int[] {1, 1};
    }
    if (min < 1 || of > MAX_PERIODS || min > of) {
      problem(
          "failingPeriods",
          min + " of " + of + " is not possible (1 <= N <= M <= " + MAX_PERIODS + ")");
      return new int[] {1, 1};
    }
    return new int[] {min, of};
  }

  private void flap(Map<String, JsonNode> f, AlertRule.Builder b, Duration frequency) {
    JsonNode n = f.get("flap");
    if (n == null || n.isNull()) {
      return;
    }
    if (!n.isObject()) {
      problem("flap", "expected {transitions: N, window: 1h}, got " + kind(n));
      return;
    }
    Map<String, JsonNode> p = fields(n, "flap.", List.of("transitions", "window"), Map.of());
    Map<String, JsonNode> prefixed = new LinkedHashMap<>();
    p.forEach((k, v) -> prefixed.put("flap." + k, v));
    long transitions = integer(prefixed, "flap.transitions", 0, 2, 1000);
    if (!p.containsKey("transitions")) {
      problem("flap.transitions", "missing (how many fired/resolved changes mark flapping)");
    }
    Duration window = duration(prefixed, "flap.window", null);
    if (window == null && !p.containsKey("window")) {
      problem("flap.window", "missing (the period the transitions are counted over, e.g. 1h)");
    } else if (window != null && frequency != null && window.compareTo(frequency) < 0) {
      problem("flap.window", Durations.format(window) + " is shorter than the frequency");
    }
    b.setFlapTransitions((int) transitions);
    b.setFlapWindowMs(window == null ? 0 : window.toMillis());
  }

  private Map<String, String> templates(Map<String, JsonNode> f, String key, Set<String> split) {
    JsonNode n = f.get(key);
    Map<String, String> out = new LinkedHashMap<>();
    if (n == null || n.isNull()) {
      return out;
    }
    if (!n.isObject()) {
      problem(key, "expected a mapping of name to text, got " + kind(n));
      return out;
    }
    n.fields()
        .forEachRemaining(
            e -> {
              if (!e.getValue().isValueNode() || e.getValue().isNull()) {
                problem(key + "." + e.getKey(), "expected text, got " + kind(e.getValue()));
                return;
              }
              template(key + "." + e.getKey(), e.getValue().asText(), split);
              out.put(e.getKey(), e.getValue().asText());
            });
    return out;
  }

  private void template(String field, String text, Set<String> split) {
    try {
      Template t = Template.parse(text);
      for (String d : t.dimensions()) {
        if (!split.contains(d)) {
          problem(
              field,
              "refers to dimension '"
                  + d
                  + "', which is not in splitBy "
                  + split
                  + " (only split-by dimensions have one value per alert)");
        }
      }
    } catch (IllegalArgumentException e) {
      problem(field, e.getMessage());
    }
  }

  private void hint(Map<String, JsonNode> f, AlertRule.Builder b, Set<String> split) {
    JsonNode n = f.get("hint");
    if (n == null || n.isNull()) {
      return;
    }
    if (!n.isObject()) {
      problem("hint", "expected {probableCause, solution, reference, byDimension}, got " + kind(n));
      return;
    }
    Map<String, JsonNode> h =
        fields(
            n,
            "hint.",
            List.of("probableCause", "solution", "reference", "byDimension"),
            Map.of("cause", "probableCause"));
    b.setHint(hintOf(h, "hint"));
    JsonNode by = h.get("byDimension");
    List<DimensionHint> hints = new ArrayList<>();
    if (by != null && !by.isNull()) {
      if (!by.isObject()) {
        problem("hint.byDimension", "expected {dimension: {value: {probableCause, solution}}}");
      } else {
        by.fields()
            .forEachRemaining(
                dim -> {
                  String field = "hint.byDimension." + dim.getKey();
                  if (!split.contains(dim.getKey())) {
                    problem(field, "dimension '" + dim.getKey() + "' is not in splitBy " + split);
                  }
                  if (!dim.getValue().isObject()) {
                    problem(field, "expected {value: {probableCause, solution}}");
                    return;
                  }
                  dim.getValue()
                      .fields()
                      .forEachRemaining(
                          v -> {
                            if (!v.getValue().isObject()) {
                              problem(
                                  field + "." + v.getKey(), "expected {probableCause, solution}");
                              return;
                            }
                            Map<String, JsonNode> vh =
                                fields(
                                    v.getValue(),
                                    field + "." + v.getKey() + ".",
                                    List.of("probableCause", "solution", "reference"),
                                    Map.of("cause", "probableCause"));
                            Hint hint = hintOf(vh, field + "." + v.getKey());
                            if (hint != null) {
                              hints.add(new DimensionHint(dim.getKey(), v.getKey(), hint));
                            }
                          });
                });
      }
    }
    b.setHintsByDimension(hints);
  }

  private Hint hintOf(Map<String, JsonNode> h, String field) {
    JsonNode cause = h.get("probableCause");
    JsonNode solution = h.get("solution");
    if (cause == null || solution == null) {
      problem(field, "a hint needs both 'probableCause' and 'solution'");
      return null;
    }
    JsonNode ref = h.get("reference");
    return new Hint(cause.asText(), solution.asText(), ref == null ? null : ref.asText());
  }

  private List<InhibitRule> inhibits(Map<String, JsonNode> f, Set<String> split) {
    JsonNode n = f.get("inhibits");
    List<InhibitRule> out = new ArrayList<>();
    if (n == null || n.isNull()) {
      return out;
    }
    if (!n.isArray()) {
      problem("inhibits", "expected a list of {rules: [...], equal: [...]}, got " + kind(n));
      return out;
    }
    for (int i = 0; i < n.size(); i++) {
      String field = "inhibits[" + i + "]";
      JsonNode item = n.get(i);
      if (!item.isObject()) {
        problem(field, "expected {rules: [...], equal: [...]}, got " + kind(item));
        continue;
      }
      Map<String, JsonNode> p =
          fields(item, field + ".", List.of("rules", "equal"), Map.of("targets", "rules"));
      Map<String, JsonNode> prefixed = new LinkedHashMap<>();
      p.forEach((k, v) -> prefixed.put(field + "." + k, v));
      List<String> rules = stringList(prefixed, field + ".rules");
      List<String> equal = stringList(prefixed, field + ".equal");
      if (rules.isEmpty()) {
        problem(field + ".rules", "missing: the ids of the rules this one mutes while it fires");
      }
      if (ruleId != null && rules.contains(ruleId)) {
        problem(field + ".rules", "a rule cannot inhibit itself");
      }
      for (String d : equal) {
        if (!split.contains(d)) {
          problem(
              field + ".equal",
              "dimension '"
                  + d
                  + "' is not in this rule's splitBy "
                  + split
                  + " (the source alert must carry it to compare)");
        }
      }
      out.add(new InhibitRule(rules, equal));
    }
    return out;
  }

  // --- messages -----------------------------------------------------------------------------

  private void problem(String field, String message) {
    String pointer =
        field == null
            ? base
            : fieldPointers.getOrDefault(
                field, base + "/" + field.replace('.', '/').replace("[", "/").replace("]", ""));
    int line = lines.getOrDefault(pointer, 0);
    if (line == 0) {
      line = lines.getOrDefault(base, 0);
    }
    problems.add(new RuleProblem(file, line, ruleId, field, message));
  }

  private static String kind(JsonNode n) {
    if (n.isObject()) {
      return "a mapping";
    }
    if (n.isArray()) {
      return "a list";
    }
    if (n.isNull()) {
      return "nothing";
    }
    return "'" + n.asText() + "'";
  }

  private static String show(JsonNode n) {
    return kind(n);
  }

  /** " (did you mean 'x'?)" when a candidate is close, else "". */
  static String suggestion(String given, List<String> candidates) {
    return KnownKeys.suggestion(given, candidates);
  }
}

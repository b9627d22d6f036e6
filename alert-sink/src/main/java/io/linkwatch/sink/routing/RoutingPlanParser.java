package io.linkwatch.sink.routing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.linkwatch.sink.alert.Matcher;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.DateTimeException;
import java.time.DayOfWeek;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Pattern;
import org.apache.kafka.common.config.ConfigException;

/**
 * Reads the sink's routing file (YAML: {@code receivers}, {@code routes}, {@code default}, {@code
 * silences}; see docs/sink.md). Every error names the file and the field, e.g. {@code sink.yaml:
 * routes[1].receivers[0]: no receiver named 'pager' (receivers: oncall, chat)}. Strings may refer
 * to environment variables as {@code ${NAME}} or {@code ${NAME:-default}}, so that secrets stay out
 * of the file.
 */
public final class RoutingPlanParser {

  private static final Pattern ENV_REF =
      Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_]*)(:-([^}]*))?}");
  private static final Pattern RECEIVER_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]*");
  private static final Pattern GO_DURATION = Pattern.compile("((\\d+)(ms|s|m|h|d|w))+");
  private static final Pattern GO_DURATION_PART = Pattern.compile("(\\d+)(ms|s|m|h|d|w)");

  private static final Set<String> TOP = Set.of("receivers", "routes", "default", "silences");
  private static final Set<String> RECEIVER_FIELDS =
      Set.of(
          "name",
          "type",
          "url",
          "timeout",
          "headers",
          "secret",
          "secret_file",
          "format",
          "send_resolved",
          "resend_interval");
  private static final Set<String> ROUTE_FIELDS =
      Set.of(
          "name",
          "matchers",
          "receivers",
          "group_by",
          "group_wait",
          "group_interval",
          "repeat_interval",
          "continue");
  private static final Set<String> SILENCE_FIELDS =
      Set.of("name", "comment", "matchers", "starts_at", "ends_at", "schedule", "receivers");
  private static final Set<String> SCHEDULE_FIELDS = Set.of("time_zone", "days", "start", "end");

  private final String origin;
  private final Function<String, String> env;

  private RoutingPlanParser(String origin, Function<String, String> env) {
    this.origin = origin;
    this.env = env;
  }

  /** Reads and validates a routing file; environment references resolve from the process. */
  public static RoutingPlan parse(Path file) {
    String text;
    try {
      text = Files.readString(file, StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      throw new ConfigException("routing file not found: " + file.toAbsolutePath());
    } catch (IOException e) {
      throw new ConfigException("cannot read routing file " + file + ": " + e.getMessage());
    }
    return parse(text, file.toString(), System::getenv);
  }

  /**
   * Parses routing YAML.
   *
   * @param yaml the text
   * @param origin the file name, for messages
   * @param env environment lookup for {@code ${NAME}} references
   * @throws ConfigException naming the field that is wrong
   */
  public static RoutingPlan parse(String yaml, String origin, Function<String, String> env) {
    return new RoutingPlanParser(origin, env).parse(yaml);
  }

  private RoutingPlan parse(String yaml) {
    JsonNode root;
    try {
      root = new ObjectMapper(new YAMLFactory()).readTree(yaml);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      String where =
          e.getLocation() == null
              ? ""
              : " (line "
                  + e.getLocation().getLineNr()
                  + ", column "
                  + e.getLocation().getColumnNr()
                  + ")";
      throw fail("", "not valid YAML" + where + ": " + e.getOriginalMessage());
    }
    if (root == null || root.isNull() || root.isMissingNode()) {
      throw fail("", "the file is empty; it needs at least 'receivers'");
    }
    requireObject(root, "");
    rejectUnknown(root, "", TOP);

    List<ReceiverSpec> receivers = new ArrayList<>();
    JsonNode rs = root.get("receivers");
    if (rs == null || !rs.isArray() || rs.isEmpty()) {
      throw fail("receivers", "must be a non-empty list of receivers");
    }
    Set<String> names = new HashSet<>();
    for (int i = 0; i < rs.size(); i++) {
      ReceiverSpec r = receiver(rs.get(i), "receivers[" + i + "]");
      if (!names.add(r.name())) {
        throw fail("receivers[" + i + "].name", "'" + r.name() + "' is declared twice");
      }
      receivers.add(r);
    }

    List<Route> routes = new ArrayList<>();
    JsonNode routesNode = root.get("routes");
    if (routesNode != null && !routesNode.isNull()) {
      if (!routesNode.isArray()) {
        throw fail("routes", "must be a list of routes");
      }
      for (int i = 0; i < routesNode.size(); i++) {
        String path = "routes[" + i + "]";
        routes.add(route(routesNode.get(i), path, names, path));
      }
    }
    Route defaultRoute;
    JsonNode def = root.get("default");
    if (def != null && !def.isNull()) {
      defaultRoute = route(def, "default", names, "default");
      if (!defaultRoute.matchers().isEmpty()) {
        throw fail(
            "default.matchers",
            "the default route takes no matchers: it gets what no route matches");
      }
    } else if (routes.isEmpty()) {
      // a file with receivers only: everything goes everywhere
      defaultRoute =
          new Route(
              "default",
              List.of(),
              receivers.stream().map(ReceiverSpec::name).toList(),
              Grouping.NONE,
              false);
    } else {
      defaultRoute = null;
    }

    List<Silence> silences = new ArrayList<>();
    JsonNode ss = root.get("silences");
    if (ss != null && !ss.isNull()) {
      if (!ss.isArray()) {
        throw fail("silences", "must be a list of silences");
      }
      for (int i = 0; i < ss.size(); i++) {
        silences.add(silence(ss.get(i), "silences[" + i + "]", names));
      }
    }
    return new RoutingPlan(receivers, routes, defaultRoute, silences);
  }

  private ReceiverSpec receiver(JsonNode n, String path) {
    requireObject(n, path);
    rejectUnknown(n, path, RECEIVER_FIELDS);
    String name = requiredString(n, path, "name");
    if (!RECEIVER_NAME.matcher(name).matches()) {
      throw fail(
          path + ".name",
          "'"
              + name
              + "' may hold only letters, digits, '_', '.' and '-' (it names a consumer group and a file)");
    }
    String typeName = requiredString(n, path, "type");
    ReceiverType type = ReceiverType.fromYaml(typeName);
    if (type == null) {
      throw fail(
          path + ".type", "unknown type '" + typeName + "' (one of: " + ReceiverType.names() + ")");
    }
    URI url = null;
    String urlText = optionalString(n, path, "url");
    if (type != ReceiverType.CONSOLE) {
      if (urlText == null) {
        throw fail(path + ".url", "is required for a receiver of type " + type.yamlName());
      }
      url = httpUrl(urlText, path + ".url");
    } else if (urlText != null) {
      throw fail(path + ".url", "a console receiver has no url");
    }
    Duration timeout = duration(n, path, "timeout", Duration.ofSeconds(10));
    if (timeout.isZero() || timeout.isNegative()) {
      throw fail(path + ".timeout", "must be positive");
    }
    Map<String, String> headers = new LinkedHashMap<>();
    JsonNode h = n.get("headers");
    if (h != null && !h.isNull()) {
      requireObject(h, path + ".headers");
      Iterator<Map.Entry<String, JsonNode>> it = h.fields();
      while (it.hasNext()) {
        Map.Entry<String, JsonNode> e = it.next();
        if (!e.getValue().isValueNode()) {
          throw fail(path + ".headers." + e.getKey(), "must be a string");
        }
        headers.put(e.getKey(), resolve(e.getValue().asText(), path + ".headers." + e.getKey()));
      }
    }
    String secret = optionalString(n, path, "secret");
    String secretFile = optionalString(n, path, "secret_file");
    if (secret != null && secretFile != null) {
      throw fail(path + ".secret_file", "give either secret or secret_file, not both");
    }
    if (secretFile != null) {
      try {
        secret = Files.readString(Path.of(secretFile), StandardCharsets.UTF_8).strip();
      } catch (IOException e) {
        throw fail(path + ".secret_file", "cannot read '" + secretFile + "': " + e.getMessage());
      }
    }
    if (secret != null && secret.isEmpty()) {
      throw fail(path + ".secret", "is empty");
    }
    if (secret != null && type != ReceiverType.WEBHOOK) {
      throw fail(path + ".secret", "only a webhook receiver signs its requests");
    }
    ReceiverSpec.WebhookFormat format = ReceiverSpec.WebhookFormat.JSON;
    String formatText = optionalString(n, path, "format");
    if (formatText != null) {
      if (type != ReceiverType.WEBHOOK) {
        throw fail(path + ".format", "only a webhook receiver has a format");
      }
      try {
        format = ReceiverSpec.WebhookFormat.valueOf(formatText.toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException e) {
        throw fail(path + ".format", "unknown format '" + formatText + "' (one of: json, slack)");
      }
    }
    boolean sendResolved = bool(n, path, "send_resolved", true);
    Duration resend = duration(n, path, "resend_interval", Duration.ofMinutes(1));
    if (n.has("resend_interval") && type != ReceiverType.ALERTMANAGER) {
      throw fail(path + ".resend_interval", "only an alertmanager receiver re-sends firing alerts");
    }
    if (resend.isZero() || resend.isNegative()) {
      throw fail(path + ".resend_interval", "must be positive");
    }
    return new ReceiverSpec(
        name, type, url, timeout, headers, secret, format, sendResolved, resend);
  }

  private Route route(JsonNode n, String path, Set<String> receiverNames, String defaultName) {
    requireObject(n, path);
    rejectUnknown(n, path, ROUTE_FIELDS);
    String name = optionalString(n, path, "name");
    List<Matcher> matchers = matchers(n, path);
    List<String> receivers = stringList(n, path, "receivers");
    if (receivers.isEmpty()) {
      throw fail(path + ".receivers", "must name at least one receiver");
    }
    for (int i = 0; i < receivers.size(); i++) {
      if (!receiverNames.contains(receivers.get(i))) {
        throw fail(
            path + ".receivers[" + i + "]",
            "no receiver named '"
                + receivers.get(i)
                + "' (receivers: "
                + String.join(", ", new java.util.TreeSet<>(receiverNames))
                + ")");
      }
    }
    Grouping grouping = Grouping.NONE;
    if (n.has("group_by")) {
      List<String> groupBy = stringList(n, path, "group_by");
      Duration wait = duration(n, path, "group_wait", Duration.ofSeconds(30));
      Duration interval = duration(n, path, "group_interval", Duration.ofMinutes(5));
      Duration repeat = duration(n, path, "repeat_interval", Duration.ofHours(4));
      if (interval.isZero() || interval.isNegative()) {
        throw fail(path + ".group_interval", "must be positive");
      }
      if (repeat.compareTo(interval) < 0) {
        throw fail(
            path + ".repeat_interval",
            "must not be shorter than group_interval (" + interval + ")");
      }
      grouping = new Grouping(groupBy, wait, interval, repeat);
    } else {
      for (String f : List.of("group_wait", "group_interval", "repeat_interval")) {
        if (n.has(f)) {
          throw fail(
              path + "." + f, "needs group_by (use group_by: ['...'] for one group per alert)");
        }
      }
    }
    boolean cont = bool(n, path, "continue", false);
    return new Route(name == null ? defaultName : name, matchers, receivers, grouping, cont);
  }

  private Silence silence(JsonNode n, String path, Set<String> receiverNames) {
    requireObject(n, path);
    rejectUnknown(n, path, SILENCE_FIELDS);
    String name = requiredString(n, path, "name");
    String comment = optionalString(n, path, "comment");
    List<Matcher> matchers = matchers(n, path);
    if (matchers.isEmpty()) {
      throw fail(
          path + ".matchers", "a silence needs at least one matcher (it would mute everything)");
    }
    Instant starts = instant(n, path, "starts_at");
    Instant ends = instant(n, path, "ends_at");
    if (starts != null && ends != null && !ends.isAfter(starts)) {
      throw fail(path + ".ends_at", "must be after starts_at (" + starts + ")");
    }
    Silence.Schedule schedule = null;
    JsonNode s = n.get("schedule");
    if (s != null && !s.isNull()) {
      String sp = path + ".schedule";
      requireObject(s, sp);
      rejectUnknown(s, sp, SCHEDULE_FIELDS);
      ZoneId zone = ZoneId.of("UTC");
      String zoneText = optionalString(s, sp, "time_zone");
      if (zoneText != null) {
        try {
          zone = ZoneId.of(zoneText);
        } catch (DateTimeException e) {
          throw fail(
              sp + ".time_zone", "unknown time zone '" + zoneText + "' (e.g. Europe/Paris, UTC)");
        }
      }
      Set<DayOfWeek> days = EnumSet.noneOf(DayOfWeek.class);
      List<String> dayNames = stringList(s, sp, "days");
      for (int i = 0; i < dayNames.size(); i++) {
        days.addAll(days(dayNames.get(i), sp + ".days[" + i + "]"));
      }
      LocalTime start = time(s, sp, "start");
      LocalTime end = time(s, sp, "end");
      if (start.equals(end)) {
        throw fail(sp + ".end", "must differ from start (omit the schedule for all day)");
      }
      schedule = new Silence.Schedule(zone, days, start, end);
    } else if (starts == null && ends == null) {
      throw fail(
          path,
          "needs starts_at/ends_at, a schedule, or both (a silence without either never ends)");
    }
    List<String> receivers = stringList(n, path, "receivers");
    for (int i = 0; i < receivers.size(); i++) {
      if (!receiverNames.contains(receivers.get(i))) {
        throw fail(path + ".receivers[" + i + "]", "no receiver named '" + receivers.get(i) + "'");
      }
    }
    return new Silence(
        name,
        comment == null ? "" : comment,
        matchers,
        starts,
        ends,
        schedule,
        new HashSet<>(receivers));
  }

  private List<Matcher> matchers(JsonNode n, String path) {
    List<String> texts = stringList(n, path, "matchers");
    List<Matcher> matchers = new ArrayList<>();
    for (int i = 0; i < texts.size(); i++) {
      try {
        matchers.add(Matcher.parse(texts.get(i)));
      } catch (IllegalArgumentException e) {
        throw fail(path + ".matchers[" + i + "]", e.getMessage());
      }
    }
    return matchers;
  }

  private Set<DayOfWeek> days(String text, String path) {
    String t = text.strip().toLowerCase(Locale.ROOT);
    if (t.equals("weekdays")) {
      return EnumSet.range(DayOfWeek.MONDAY, DayOfWeek.FRIDAY);
    }
    if (t.equals("weekend")) {
      return EnumSet.of(DayOfWeek.SATURDAY, DayOfWeek.SUNDAY);
    }
    int dash = t.indexOf('-');
    if (dash > 0) {
      DayOfWeek from = day(t.substring(0, dash), path);
      DayOfWeek to = day(t.substring(dash + 1), path);
      Set<DayOfWeek> range = EnumSet.noneOf(DayOfWeek.class);
      for (DayOfWeek d = from; ; d = d.plus(1)) {
        range.add(d);
        if (d == to) {
          return range;
        }
      }
    }
    return EnumSet.of(day(t, path));
  }

  private DayOfWeek day(String t, String path) {
    for (DayOfWeek d : DayOfWeek.values()) {
      String full = d.name().toLowerCase(Locale.ROOT);
      if (full.equals(t) || full.substring(0, 3).equals(t)) {
        return d;
      }
    }
    throw fail(
        path,
        "'"
            + t
            + "' is not a day (monday..sunday, mon..sun, a range like mon-fri, weekdays, weekend)");
  }

  private LocalTime time(JsonNode n, String path, String field) {
    String text = requiredString(n, path, field);
    try {
      return LocalTime.parse(text.length() == 4 ? "0" + text : text);
    } catch (DateTimeParseException e) {
      throw fail(path + "." + field, "'" + text + "' is not a time of day (HH:MM)");
    }
  }

  private Instant instant(JsonNode n, String path, String field) {
    String text = optionalString(n, path, field);
    if (text == null) {
      return null;
    }
    try {
      return OffsetDateTime.parse(text).toInstant();
    } catch (DateTimeParseException e) {
      throw fail(
          path + "." + field,
          "'" + text + "' is not an ISO-8601 date-time with offset (e.g. 2025-06-01T22:00:00Z)");
    }
  }

  private Duration duration(JsonNode n, String path, String field, Duration fallback) {
    String text = optionalString(n, path, field);
    if (text == null) {
      return fallback;
    }
    try {
      return parseDuration(text);
    } catch (IllegalArgumentException e) {
      throw fail(path + "." + field, e.getMessage());
    }
  }

  /**
   * {@code 30s}, {@code 5m}, {@code 1h30m}, {@code 250ms}, {@code 2d}, or ISO-8601 {@code PT30S}.
   */
  public static Duration parseDuration(String text) {
    String t = text.strip();
    if (t.equals("0")) {
      return Duration.ZERO;
    }
    if (t.toUpperCase(Locale.ROOT).startsWith("P")) {
      try {
        return Duration.parse(t.toUpperCase(Locale.ROOT));
      } catch (DateTimeParseException e) {
        throw new IllegalArgumentException(
            "'" + text + "' is not a duration (e.g. 30s, 5m, 1h30m, PT30S)");
      }
    }
    if (!GO_DURATION.matcher(t).matches()) {
      throw new IllegalArgumentException(
          "'" + text + "' is not a duration (e.g. 30s, 5m, 1h30m, PT30S)");
    }
    Duration d = Duration.ZERO;
    java.util.regex.Matcher m = GO_DURATION_PART.matcher(t);
    while (m.find()) {
      long v = Long.parseLong(m.group(1));
      d =
          d.plus(
              switch (m.group(2)) {
                case "ms" -> Duration.ofMillis(v);
                case "s" -> Duration.ofSeconds(v);
                case "m" -> Duration.ofMinutes(v);
                case "h" -> Duration.ofHours(v);
                case "d" -> Duration.ofDays(v);
                default -> Duration.ofDays(7 * v);
              });
    }
    return d;
  }

  private URI httpUrl(String text, String path) {
    try {
      URI uri = new URI(text);
      if (!uri.isAbsolute()
          || uri.getHost() == null
          || !(uri.getScheme().equalsIgnoreCase("http")
              || uri.getScheme().equalsIgnoreCase("https"))) {
        throw fail(path, "must be an absolute http or https URL, got '" + text + "'");
      }
      return uri;
    } catch (URISyntaxException e) {
      throw fail(
          path,
          "must be an absolute http or https URL, got '" + text + "' (" + e.getReason() + ")");
    }
  }

  private boolean bool(JsonNode n, String path, String field, boolean fallback) {
    JsonNode v = n.get(field);
    if (v == null || v.isNull()) {
      return fallback;
    }
    if (v.isBoolean()) {
      return v.booleanValue();
    }
    String t = resolve(v.asText(), path + "." + field).toLowerCase(Locale.ROOT);
    if (t.equals("true") || t.equals("false")) {
      return Boolean.parseBoolean(t);
    }
    throw fail(path + "." + field, "must be true or false, got '" + v.asText() + "'");
  }

  private List<String> stringList(JsonNode n, String path, String field) {
    JsonNode v = n.get(field);
    if (v == null || v.isNull()) {
      return List.of();
    }
    if (v.isValueNode()) {
      return List.of(resolve(v.asText(), path + "." + field));
    }
    if (!v.isArray()) {
      throw fail(path + "." + field, "must be a list of strings");
    }
    List<String> out = new ArrayList<>();
    for (int i = 0; i < v.size(); i++) {
      if (!v.get(i).isValueNode() || v.get(i).isNull()) {
        throw fail(path + "." + field + "[" + i + "]", "must be a string");
      }
      out.add(resolve(v.get(i).asText(), path + "." + field + "[" + i + "]"));
    }
    return out;
  }

  private String requiredString(JsonNode n, String path, String field) {
    String v = optionalString(n, path, field);
    if (v == null || v.isBlank()) {
      throw fail(path + "." + field, "is required");
    }
    return v;
  }

  private String optionalString(JsonNode n, String path, String field) {
    JsonNode v = n.get(field);
    if (v == null || v.isNull()) {
      return null;
    }
    if (!v.isValueNode()) {
      throw fail(path + "." + field, "must be a string");
    }
    return resolve(v.asText(), path + "." + field);
  }

  private String resolve(String text, String path) {
    java.util.regex.Matcher m = ENV_REF.matcher(text);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      String value = env.apply(m.group(1));
      if (value == null) {
        if (m.group(2) == null) {
          throw fail(path, "environment variable " + m.group(1) + " is not set");
        }
        value = m.group(3);
      }
      m.appendReplacement(out, java.util.regex.Matcher.quoteReplacement(value));
    }
    m.appendTail(out);
    return out.toString();
  }

  private void requireObject(JsonNode n, String path) {
    if (n == null || !n.isObject()) {
      throw fail(path, "must be a mapping of fields");
    }
  }

  private void rejectUnknown(JsonNode n, String path, Set<String> known) {
    Iterator<String> names = n.fieldNames();
    while (names.hasNext()) {
      String f = names.next();
      if (!known.contains(f)) {
        String where = path.isEmpty() ? f : path + "." + f;
        throw fail(
            where,
            "unknown field"
                + closest(f, known)
                + " (fields: "
                + String.join(", ", new java.util.TreeSet<>(known))
                + ")");
      }
    }
  }

  private static String closest(String f, Set<String> known) {
    for (String k : known) {
      if (k.replace("_", "").equalsIgnoreCase(f.replace("_", "").replace("-", ""))) {
        return " (did you mean '" + k + "'?)";
      }
    }
    return "";
  }

  private ConfigException fail(String path, String message) {
    return new ConfigException(origin + ": " + (path.isEmpty() ? "" : path + ": ") + message);
  }
}

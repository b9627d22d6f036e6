package io.linkwatch.sink.dashboard;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.linkwatch.avro.Alert;
import io.linkwatch.avro.MonitorCondition;
import io.linkwatch.avro.WindowedAggregate;
import io.linkwatch.sink.alert.AlertJson;
import io.linkwatch.sink.alert.AlertLabels;
import io.linkwatch.sink.alert.Links;
import io.linkwatch.sink.delivery.DeliveryObserver;
import io.linkwatch.sink.delivery.FiringSource;
import io.linkwatch.sink.delivery.Outcome;
import io.linkwatch.sink.routing.ReceiverSpec;
import io.linkwatch.sink.routing.RoutingPlan;
import io.linkwatch.sink.routing.Silence;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * What the on-call SRE sees, kept in memory and fed from the topics: the active alerts (latest
 * transition of every fired series, inhibited and flapping ones included and marked), the recent
 * transitions, the deliveries per receiver, the silences, and per-signal series of the windowed
 * aggregates. Every change is also pushed to listeners (the server-sent events). Bounded: recent
 * lists, series per signal and points per series are capped.
 *
 * <p>Thread-safe: written by the topic feed and the delivery threads, read by HTTP handlers.
 */
public final class Board implements DeliveryObserver, FiringSource {

  static final int RECENT_TRANSITIONS = 200;
  static final int RECENTLY_RESOLVED = 200;
  static final int MAX_SIGNALS = 100;
  static final int MAX_SERIES_PER_SIGNAL = 24;
  static final int MAX_POINTS_PER_SERIES = 240;
  static final int MAX_DELIVERY_RECORDS = 2000;

  /** One change, as pushed to listeners: an event name and its JSON data. */
  public record Event(String type, ObjectNode data) {}

  private static final class AlertState {
    Alert latest;
    Instant firstSeen;
    Instant lastChange;
    int transitions;
    String topicPosition;
  }

  private static final class Point {
    Instant windowStart;
    Instant windowEnd;
    long count;
    double sum;
    Double min;
    Double max;
    long distinct;
    long late;
    boolean isFinal;
    int revision;
  }

  private static final class Series {
    final Map<String, String> dimensions;
    final TreeMap<Instant, Point> points = new TreeMap<>();
    Instant updated;

    Series(Map<String, String> dimensions) {
      this.dimensions = dimensions;
    }
  }

  private static final class ReceiverStatus {
    final ReceiverSpec spec;
    String state = "ok";
    String lastError = "";
    Instant lastErrorAt;
    Instant lastDeliveredAt;
    long waiting;
    final Map<Outcome, Long> outcomes = new java.util.EnumMap<>(Outcome.class);

    ReceiverStatus(ReceiverSpec spec) {
      this.spec = spec;
    }
  }

  private final Clock clock;
  private final Links links;
  private final RoutingPlan plan;
  private final Map<String, AlertState> active = new LinkedHashMap<>();
  private final LinkedHashMap<String, AlertState> resolved =
      new LinkedHashMap<>(16, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, AlertState> eldest) {
          return size() > RECENTLY_RESOLVED;
        }
      };
  private final Deque<ObjectNode> transitions = new ArrayDeque<>();
  private final LinkedHashMap<String, Map<String, ObjectNode>> deliveries =
      new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Map<String, ObjectNode>> eldest) {
          return size() > MAX_DELIVERY_RECORDS;
        }
      };
  private final Map<String, Map<String, Series>> signals = new LinkedHashMap<>();
  private final Map<String, ReceiverStatus> receivers = new LinkedHashMap<>();
  private final Map<String, Long> silencedBy = new HashMap<>();
  private final List<Consumer<Event>> listeners = new CopyOnWriteArrayList<>();
  private volatile boolean caughtUp;
  private volatile Instant lastFeedPoll;

  public Board(RoutingPlan plan, Links links, Clock clock) {
    this.plan = plan;
    this.links = links;
    this.clock = clock;
    plan.receivers().values().forEach(r -> receivers.put(r.name(), new ReceiverStatus(r)));
  }

  public Links links() {
    return links;
  }

  // ---------------------------------------------------------------- feed

  /** One transition read from the alerts topic. */
  public void onAlert(Alert alert, String position) {
    ObjectNode event;
    synchronized (this) {
      String fp = alert.getFingerprint();
      AlertState state = active.get(fp);
      if (state == null) {
        state = resolved.remove(fp);
      }
      if (state == null) {
        state = new AlertState();
        state.firstSeen = clock.instant();
      } else if (state.latest != null
          && state.latest.getAlertId().equals(alert.getAlertId())
          && state.latest.getSequence() >= alert.getSequence()) {
        // a replayed or duplicate transition: the board already shows a newer one
        return;
      }
      state.latest = alert;
      state.lastChange = clock.instant();
      state.transitions++;
      state.topicPosition = position;
      if (alert.getMonitorCondition() == MonitorCondition.RESOLVED) {
        active.remove(fp);
        resolved.put(fp, state);
      } else {
        active.put(fp, state);
      }
      ObjectNode t = transitionJson(alert, position);
      transitions.addFirst(t);
      while (transitions.size() > RECENT_TRANSITIONS) {
        transitions.removeLast();
      }
      event = AlertJson.MAPPER.createObjectNode();
      event.set("transition", t);
      event.set("alert", alertJson(state));
      event.put("active", alert.getMonitorCondition() != MonitorCondition.RESOLVED);
      event.set("summary", summaryJson());
    }
    publish(new Event("alert", event));
  }

  /** One windowed aggregate read from the aggregates topic. */
  public void onAggregate(WindowedAggregate a) {
    ObjectNode event;
    synchronized (this) {
      String signal = a.getSignal();
      Map<String, Series> bySeries = signals.get(signal);
      if (bySeries == null) {
        if (signals.size() >= MAX_SIGNALS) {
          return;
        }
        bySeries = new LinkedHashMap<>();
        signals.put(signal, bySeries);
      }
      Map<String, String> dims = new TreeMap<>(a.getDimensions());
      String key = seriesKey(dims);
      Series series = bySeries.get(key);
      if (series == null) {
        if (bySeries.size() >= MAX_SERIES_PER_SIGNAL) {
          // keep the series that moved last; drop the stalest
          String stalest =
              bySeries.entrySet().stream()
                  .min(Comparator.comparing(e -> e.getValue().updated))
                  .map(Map.Entry::getKey)
                  .orElseThrow();
          bySeries.remove(stalest);
        }
        series = new Series(dims);
        bySeries.put(key, series);
      }
      Point existing = series.points.get(a.getWindowStart());
      if (existing != null && existing.isFinal && !a.getIsFinal()) {
        return;
      }
      if (existing != null && existing.isFinal && a.getRevision() < existing.revision) {
        return;
      }
      Point p = new Point();
      p.windowStart = a.getWindowStart();
      p.windowEnd = a.getWindowEnd();
      p.count = a.getCount();
      p.sum = a.getSum();
      p.min = a.getMin();
      p.max = a.getMax();
      p.distinct = a.getDistinctDevices();
      p.late = a.getLateRecords();
      p.isFinal = a.getIsFinal();
      p.revision = a.getRevision();
      series.points.put(p.windowStart, p);
      while (series.points.size() > MAX_POINTS_PER_SERIES) {
        series.points.pollFirstEntry();
      }
      series.updated = clock.instant();
      event = AlertJson.MAPPER.createObjectNode();
      event.put("signal", signal);
      event.put("series", key);
      event.set("dimensions", AlertJson.stringMap(dims));
      event.set("point", pointJson(p));
    }
    publish(new Event("aggregate", event));
  }

  /** The feed has read the alerts topic up to where it ended when the sink started. */
  public void markCaughtUp() {
    caughtUp = true;
    publish(new Event("ready", summary()));
  }

  void feedPolled() {
    lastFeedPoll = clock.instant();
  }

  Instant lastFeedPoll() {
    return lastFeedPoll;
  }

  // ---------------------------------------------------------------- delivery

  @Override
  public void outcome(String receiver, Alert alert, Outcome outcome, String detail) {
    if (alert == null) {
      return;
    }
    ObjectNode event;
    synchronized (this) {
      ObjectNode d = AlertJson.MAPPER.createObjectNode();
      d.put("receiver", receiver);
      d.put("outcome", outcome.tag());
      d.put("detail", detail);
      d.put("transition", alert.getTransition().name());
      d.put("idempotencyKey", AlertLabels.idempotencyKey(alert));
      d.put("at", clock.instant().toString());
      deliveries.computeIfAbsent(alert.getFingerprint(), k -> new TreeMap<>()).put(receiver, d);
      ReceiverStatus status = receivers.get(receiver);
      if (status != null) {
        status.outcomes.merge(outcome, 1L, Long::sum);
        if (outcome == Outcome.DELIVERED) {
          status.lastDeliveredAt = clock.instant();
          status.state = "ok";
        }
      }
      if (outcome == Outcome.SILENCED) {
        silencedBy.merge(detail, 1L, Long::sum);
      }
      event = d.deepCopy();
      event.put("fingerprint", alert.getFingerprint());
    }
    publish(new Event("delivery", event));
  }

  @Override
  public void retrying(String receiver, String reason, String message, int attempt, long waiting) {
    ObjectNode event;
    synchronized (this) {
      ReceiverStatus status = receivers.get(receiver);
      if (status == null) {
        return;
      }
      status.state = "failing";
      status.lastError = reason + ": " + message;
      status.lastErrorAt = clock.instant();
      status.waiting = waiting;
      event = receiverJson(status);
    }
    publish(new Event("receiver", event));
  }

  @Override
  public void recovered(String receiver) {
    ObjectNode event;
    synchronized (this) {
      ReceiverStatus status = receivers.get(receiver);
      if (status == null) {
        return;
      }
      status.state = "ok";
      status.waiting = 0;
      event = receiverJson(status);
    }
    publish(new Event("receiver", event));
  }

  // ---------------------------------------------------------------- FiringSource

  @Override
  public boolean ready() {
    return caughtUp;
  }

  @Override
  public synchronized List<Alert> firing() {
    return active.values().stream().map(s -> s.latest).toList();
  }

  public boolean caughtUp() {
    return caughtUp;
  }

  // ---------------------------------------------------------------- views

  /** Active alerts, most severe first, then newest first. */
  public synchronized ArrayNode activeAlerts() {
    ArrayNode out = AlertJson.MAPPER.createArrayNode();
    active.values().stream()
        .sorted(
            Comparator.<AlertState>comparingInt(s -> s.latest.getSeverity().ordinal())
                .thenComparing(s -> s.latest.getFiredTime(), Comparator.reverseOrder()))
        .forEach(s -> out.add(alertJson(s)));
    return out;
  }

  /** Recently resolved alerts, newest first. */
  public synchronized ArrayNode resolvedAlerts() {
    ArrayNode out = AlertJson.MAPPER.createArrayNode();
    List<AlertState> list = new ArrayList<>(resolved.values());
    java.util.Collections.reverse(list);
    list.forEach(s -> out.add(alertJson(s)));
    return out;
  }

  /** One alert series, active or recently resolved; {@code null} when unknown. */
  public synchronized ObjectNode alert(String fingerprint) {
    AlertState s = active.get(fingerprint);
    if (s == null) {
      s = resolved.get(fingerprint);
    }
    return s == null ? null : alertJson(s);
  }

  public synchronized ArrayNode transitions(int limit) {
    ArrayNode out = AlertJson.MAPPER.createArrayNode();
    transitions.stream().limit(Math.max(0, limit)).forEach(out::add);
    return out;
  }

  public synchronized ArrayNode signals() {
    ArrayNode out = AlertJson.MAPPER.createArrayNode();
    new TreeMap<>(signals)
        .forEach(
            (name, series) -> {
              ObjectNode s = out.addObject();
              s.put("signal", name);
              s.put("series", series.size());
              Instant last =
                  series.values().stream()
                      .filter(x -> !x.points.isEmpty())
                      .map(x -> x.points.lastEntry().getValue().windowEnd)
                      .max(Comparator.naturalOrder())
                      .orElse(null);
              s.put("lastWindowEnd", last == null ? null : last.toString());
            });
    return out;
  }

  /** The series of one signal; {@code null} when the board has not seen it. */
  public synchronized ObjectNode signal(String name) {
    Map<String, Series> bySeries = signals.get(name);
    if (bySeries == null) {
      return null;
    }
    ObjectNode out = AlertJson.MAPPER.createObjectNode();
    out.put("signal", name);
    ArrayNode list = out.putArray("series");
    bySeries.forEach(
        (key, series) -> {
          ObjectNode s = list.addObject();
          s.put("key", key);
          s.set("dimensions", AlertJson.stringMap(series.dimensions));
          ArrayNode points = s.putArray("points");
          series.points.values().forEach(p -> points.add(pointJson(p)));
        });
    return out;
  }

  public synchronized ArrayNode receivers() {
    ArrayNode out = AlertJson.MAPPER.createArrayNode();
    receivers.values().forEach(r -> out.add(receiverJson(r)));
    return out;
  }

  public synchronized ArrayNode silences() {
    ArrayNode out = AlertJson.MAPPER.createArrayNode();
    Instant now = clock.instant();
    for (Silence s : plan.silences()) {
      ObjectNode n = out.addObject();
      n.put("name", s.name());
      n.put("comment", s.comment());
      n.put("active", s.isActive(now));
      n.put("expired", s.isExpired(now));
      ArrayNode m = n.putArray("matchers");
      s.matchers().forEach(x -> m.add(x.toString()));
      n.put("startsAt", s.startsAt() == null ? null : s.startsAt().toString());
      n.put("endsAt", s.endsAt() == null ? null : s.endsAt().toString());
      if (s.schedule() != null) {
        ObjectNode sch = n.putObject("schedule");
        sch.put("timeZone", s.schedule().zone().getId());
        ArrayNode days = sch.putArray("days");
        s.schedule().days().stream()
            .sorted()
            .forEach(d -> days.add(d.name().toLowerCase(java.util.Locale.ROOT)));
        sch.put("start", s.schedule().start().toString());
        sch.put("end", s.schedule().end().toString());
      }
      ArrayNode r = n.putArray("receivers");
      s.receivers().stream().sorted().forEach(r::add);
      n.put("silenced", silencedBy.getOrDefault(s.name(), 0L));
    }
    return out;
  }

  /** Counts for the header: active alerts by severity, inhibited, flapping, receivers failing. */
  public synchronized ObjectNode summary() {
    return summaryJson();
  }

  private ObjectNode summaryJson() {
    ObjectNode s = AlertJson.MAPPER.createObjectNode();
    s.put("generatedAt", clock.instant().toString());
    s.put("caughtUp", caughtUp);
    ObjectNode bySev = s.putObject("activeBySeverity");
    for (int i = 0; i <= 4; i++) {
      bySev.put("Sev" + i, 0);
    }
    int inhibited = 0;
    int flapping = 0;
    for (AlertState a : active.values()) {
      String sev = AlertLabels.severityName(a.latest.getSeverity());
      if (a.latest.getInhibited()) {
        inhibited++;
      } else {
        bySev.put(sev, bySev.get(sev).asInt() + 1);
      }
      if (a.latest.getFlapping()) {
        flapping++;
      }
    }
    s.put("active", active.size());
    s.put("inhibited", inhibited);
    s.put("flapping", flapping);
    s.put(
        "receiversFailing",
        (int) receivers.values().stream().filter(r -> r.state.equals("failing")).count());
    s.put(
        "silencesActive",
        (int) plan.silences().stream().filter(x -> x.isActive(clock.instant())).count());
    return s;
  }

  private ObjectNode alertJson(AlertState s) {
    ObjectNode n = AlertJson.toJson(s.latest, links);
    n.put("firstSeen", s.firstSeen.toString());
    n.put("lastChange", s.lastChange.toString());
    n.put("transitions", s.transitions);
    n.put("topicPosition", s.topicPosition);
    ArrayNode d = n.putArray("deliveries");
    Map<String, ObjectNode> byReceiver = deliveries.get(s.latest.getFingerprint());
    if (byReceiver != null) {
      byReceiver.values().forEach(d::add);
    }
    return n;
  }

  private ObjectNode transitionJson(Alert a, String position) {
    ObjectNode t = AlertJson.MAPPER.createObjectNode();
    t.put("fingerprint", a.getFingerprint());
    t.put("idempotencyKey", AlertLabels.idempotencyKey(a));
    t.put("transition", a.getTransition().name());
    t.put("status", AlertJson.status(a));
    t.put("severity", AlertLabels.severityName(a.getSeverity()));
    t.put("alertname", AlertLabels.labels(a).get(AlertLabels.ALERTNAME));
    t.put("summary", AlertLabels.summary(a));
    t.put("inhibited", a.getInhibited());
    t.put("flapping", a.getFlapping());
    t.put(
        "at",
        (a.getMonitorCondition() == MonitorCondition.RESOLVED && a.getResolvedTime() != null
                ? a.getResolvedTime()
                : a.getEvaluatedAt())
            .toString());
    t.put("position", position);
    t.put("url", links.alert(a.getFingerprint()));
    return t;
  }

  private static ObjectNode pointJson(Point p) {
    ObjectNode n = AlertJson.MAPPER.createObjectNode();
    n.put("windowStart", p.windowStart.toString());
    n.put("windowEnd", p.windowEnd.toString());
    n.put("count", p.count);
    n.put("sum", p.sum);
    if (p.min == null) {
      n.putNull("min");
    } else {
      n.put("min", p.min);
    }
    if (p.max == null) {
      n.putNull("max");
    } else {
      n.put("max", p.max);
    }
    n.put("distinctDevices", p.distinct);
    n.put("lateRecords", p.late);
    n.put("final", p.isFinal);
    n.put("revision", p.revision);
    return n;
  }

  private ObjectNode receiverJson(ReceiverStatus r) {
    ObjectNode n = AlertJson.MAPPER.createObjectNode();
    n.put("name", r.spec.name());
    n.put("type", r.spec.type().yamlName());
    n.put(
        "target",
        r.spec.url() == null
            ? "stdout"
            : r.spec.url().getScheme() + "://" + r.spec.url().getAuthority());
    n.put("state", r.state);
    n.put("lastError", r.lastError);
    n.put("lastErrorAt", r.lastErrorAt == null ? null : r.lastErrorAt.toString());
    n.put("lastDeliveredAt", r.lastDeliveredAt == null ? null : r.lastDeliveredAt.toString());
    n.put("waiting", r.waiting);
    ObjectNode o = n.putObject("outcomes");
    r.outcomes.forEach((k, v) -> o.put(k.tag(), v));
    return n;
  }

  static String seriesKey(Map<String, String> dims) {
    if (dims.isEmpty()) {
      return "(all)";
    }
    StringBuilder b = new StringBuilder();
    dims.forEach(
        (k, v) -> {
          if (!b.isEmpty()) {
            b.append(", ");
          }
          b.append(k).append('=').append(v);
        });
    return b.toString();
  }

  // ---------------------------------------------------------------- listeners

  public void subscribe(Consumer<Event> listener) {
    listeners.add(listener);
  }

  public void unsubscribe(Consumer<Event> listener) {
    listeners.remove(listener);
  }

  private void publish(Event e) {
    for (Consumer<Event> l : listeners) {
      l.accept(e);
    }
  }
}

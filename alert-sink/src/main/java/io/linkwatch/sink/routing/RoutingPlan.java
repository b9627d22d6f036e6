package io.linkwatch.sink.routing;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Where alerts go: the receivers, the routes tried in order (the first that matches applies, and
 * the next ones too while a matching route says {@code continue: true}), the receivers of alerts no
 * route matches, and the silences. Immutable; built by {@link RoutingPlanParser}.
 */
public final class RoutingPlan {

  private final Map<String, ReceiverSpec> receivers;
  private final List<Route> routes;
  private final Route defaultRoute;
  private final List<Silence> silences;

  public RoutingPlan(
      List<ReceiverSpec> receivers,
      List<Route> routes,
      Route defaultRoute,
      List<Silence> silences) {
    Map<String, ReceiverSpec> byName = new LinkedHashMap<>();
    receivers.forEach(r -> byName.put(r.name(), r));
    this.receivers = java.util.Collections.unmodifiableMap(byName);
    this.routes = List.copyOf(routes);
    this.defaultRoute = defaultRoute;
    this.silences = List.copyOf(silences);
  }

  /** Everything to the console: what the demo runs when no routing file is given. */
  public static RoutingPlan consoleOnly() {
    ReceiverSpec console = ReceiverSpec.console("console");
    return new RoutingPlan(
        List.of(console),
        List.of(),
        new Route("default", List.of(), List.of(console.name()), Grouping.NONE, false),
        List.of());
  }

  public Map<String, ReceiverSpec> receivers() {
    return receivers;
  }

  public List<Route> routes() {
    return routes;
  }

  public Route defaultRoute() {
    return defaultRoute;
  }

  public List<Silence> silences() {
    return silences;
  }

  /** The routes that apply to an alert with these labels, in order. */
  public List<Route> matchingRoutes(Map<String, String> labels) {
    List<Route> matched = new java.util.ArrayList<>();
    for (Route route : routes) {
      if (route.matches(labels)) {
        matched.add(route);
        if (!route.continueMatching()) {
          return matched;
        }
      }
    }
    if (matched.isEmpty() && defaultRoute != null) {
      matched.add(defaultRoute);
    }
    return matched;
  }

  /** The receivers of an alert with these labels. */
  public Set<String> receiversFor(Map<String, String> labels) {
    Set<String> names = new LinkedHashSet<>();
    matchingRoutes(labels).forEach(r -> names.addAll(r.receivers()));
    return names;
  }

  /**
   * The route through which an alert reaches a receiver (the first matching route that lists it),
   * which decides its grouping; empty when the alert does not go to that receiver.
   */
  public Optional<Route> routeTo(String receiver, Map<String, String> labels) {
    return matchingRoutes(labels).stream()
        .filter(r -> r.receivers().contains(receiver))
        .findFirst();
  }

  /** The first silence that mutes this alert for this receiver now, if any. */
  public Optional<Silence> silencing(String receiver, Map<String, String> labels, Instant now) {
    return silences.stream().filter(s -> s.mutes(receiver, labels, now)).findFirst();
  }
}

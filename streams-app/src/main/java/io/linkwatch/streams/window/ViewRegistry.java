package io.linkwatch.streams.window;

import io.linkwatch.avro.AlertRule;
import io.linkwatch.streams.config.StreamsSettings;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The views in force: the default aggregates plus one view per enabled rule, indexed by signal (for
 * the fan-out of observations) and by id (for the window engine). Immutable; rebuilt when the rules
 * change.
 */
final class ViewRegistry {

  /** A view an observation of a signal feeds, as numerator or as the denominator of a ratio. */
  record Route(View view, boolean denominator) {}

  private final Map<String, List<Route>> bySignal;
  private final Map<String, View> byId;

  private ViewRegistry(Map<String, List<Route>> bySignal, Map<String, View> byId) {
    this.bySignal = bySignal;
    this.byId = byId;
  }

  static ViewRegistry build(StreamsSettings settings, Iterable<AlertRule> rules) {
    Map<String, List<Route>> bySignal = new HashMap<>();
    Map<String, View> byId = new HashMap<>();
    List<View> views = new ArrayList<>(DefaultViews.all(settings));
    for (AlertRule rule : rules) {
      View v = View.ofRule(rule, settings.graceMs(), settings.noDataEvaluations());
      if (v != null) {
        views.add(v);
      }
    }
    for (View v : views) {
      byId.put(v.id(), v);
      bySignal.computeIfAbsent(v.signal(), k -> new ArrayList<>()).add(new Route(v, false));
      if (v.denominatorSignal() != null) {
        bySignal
            .computeIfAbsent(v.denominatorSignal(), k -> new ArrayList<>())
            .add(new Route(v, true));
      }
    }
    bySignal.replaceAll((k, list) -> List.copyOf(list));
    return new ViewRegistry(Map.copyOf(bySignal), Map.copyOf(byId));
  }

  List<Route> routes(String signal) {
    return bySignal.getOrDefault(signal, List.of());
  }

  View view(String id) {
    return byId.get(id);
  }

  int size() {
    return byId.size();
  }
}

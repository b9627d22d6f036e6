package io.linkwatch.streams.window;

import com.dynatrace.hash4j.hashing.Hasher64;
import com.dynatrace.hash4j.hashing.Hashing;
import io.linkwatch.streams.alert.WindowResult;
import io.linkwatch.streams.signal.Observation;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.BiConsumer;

/**
 * Fans an observation out to the views that name its signal (as numerator or denominator), applies
 * each view's filters, keeps its split-by dimensions and keys the result by series, ready for the
 * repartition to the window engine.
 */
public final class ObservationRouter {

  private static final Hasher64 HASH = Hashing.komihash5_0();

  private final ViewLookup lookup;

  public ObservationRouter(ViewLookup lookup) {
    this.lookup = lookup;
  }

  /** Emits one (series key, view observation) per matching view. */
  public void route(Observation o, BiConsumer<String, ViewObservation> out) {
    List<ViewRegistry.Route> routes = lookup.registry().routes(o.signal());
    if (routes.isEmpty()) {
      return;
    }
    long entityHash = o.entity() == null ? 0L : HASH.hashCharsToLong(o.entity());
    for (ViewRegistry.Route route : routes) {
      View v = route.view();
      if (!matches(v.filters(), o.dimensions())) {
        continue;
      }
      Map<String, String> dims = new TreeMap<>();
      for (String d : v.splitBy()) {
        String value = o.dimensions().get(d);
        dims.put(d, value == null ? "" : value);
      }
      out.accept(
          WindowResult.seriesKey(v.id(), dims),
          new ViewObservation(
              v.id(),
              v.version(),
              dims,
              route.denominator(),
              o.value(),
              entityHash,
              o.time(),
              o.evidence(),
              o.incidentId()));
    }
  }

  private static boolean matches(Map<String, List<String>> filters, Map<String, String> dims) {
    for (Map.Entry<String, List<String>> f : filters.entrySet()) {
      String value = dims.get(f.getKey());
      if (value == null || (!f.getValue().isEmpty() && !f.getValue().contains(value))) {
        return false;
      }
    }
    return true;
  }
}

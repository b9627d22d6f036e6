package io.linkwatch.sink.routing;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * How a route batches notifications, as Alertmanager does: alerts whose {@code groupBy} labels are
 * equal form one group; the first notification of a group waits {@code groupWait} for more alerts,
 * later changes go out at most every {@code groupInterval}, and an unchanged group with firing
 * alerts is re-sent every {@code repeatInterval}.
 *
 * @param groupBy label names, or {@code null} for no grouping (each transition is sent at once)
 * @param groupWait wait before the first notification of a new group
 * @param groupInterval wait before notifying changes of a group already notified
 * @param repeatInterval wait before re-sending an unchanged group that still fires
 */
public record Grouping(
    List<String> groupBy, Duration groupWait, Duration groupInterval, Duration repeatInterval) {

  /** Alertmanager's {@code '...'}: group by every label, i.e. one group per alert series. */
  public static final String ALL_LABELS = "...";

  public static final Grouping NONE = new Grouping(null, Duration.ZERO, Duration.ZERO, null);

  public Grouping {
    groupBy = groupBy == null ? null : List.copyOf(groupBy);
  }

  public boolean enabled() {
    return groupBy != null;
  }

  /** The labels that name the group of an alert with the given labels. */
  public Map<String, String> groupLabels(Map<String, String> labels) {
    Map<String, String> g = new TreeMap<>();
    if (groupBy == null) {
      return g;
    }
    if (groupBy.contains(ALL_LABELS)) {
      g.putAll(labels);
      return g;
    }
    for (String name : groupBy) {
      g.put(name, labels.getOrDefault(name, ""));
    }
    return g;
  }
}

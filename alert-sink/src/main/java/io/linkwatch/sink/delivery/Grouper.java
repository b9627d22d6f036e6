package io.linkwatch.sink.delivery;

import io.linkwatch.avro.Alert;
import io.linkwatch.avro.MonitorCondition;
import io.linkwatch.sink.alert.AlertLabels;
import io.linkwatch.sink.notify.Notification;
import io.linkwatch.sink.routing.Grouping;
import io.linkwatch.sink.routing.Route;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.apache.kafka.common.TopicPartition;

/**
 * Alertmanager-style grouping for one receiver that does not group by itself. Alerts of a route
 * whose {@code group_by} labels are equal share a group. A new group is notified {@code group_wait}
 * after its first alert; changes to a notified group go out at most every {@code group_interval};
 * an unchanged group that still has firing alerts is re-sent every {@code repeat_interval}. A
 * notification carries every alert of the group, firing and just resolved; resolved alerts leave
 * the group once notified. An alert that fires and resolves before its group was ever notified is
 * dropped ({@link Outcome#COALESCED}), as Alertmanager does.
 *
 * <p>Single-threaded: owned by the receiver's delivery thread.
 */
final class Grouper {

  private static final class Group {
    final String key;
    final Map<String, String> labels;
    final Grouping grouping;
    final LinkedHashMap<String, Entry> entries = new LinkedHashMap<>();
    long nextFlushAt;
    long lastNotifiedAt = -1;

    Group(String key, Map<String, String> labels, Grouping grouping, long nextFlushAt) {
      this.key = key;
      this.labels = labels;
      this.grouping = grouping;
      this.nextFlushAt = nextFlushAt;
    }

    boolean dirty() {
      return entries.values().stream().anyMatch(e -> e.dirty);
    }

    boolean firing() {
      return entries.values().stream().anyMatch(e -> isFiring(e.latest));
    }

    long dueAt() {
      if (dirty()) {
        return nextFlushAt;
      }
      if (lastNotifiedAt >= 0 && firing()) {
        return Math.max(nextFlushAt, lastNotifiedAt + grouping.repeatInterval().toMillis());
      }
      return Long.MAX_VALUE;
    }
  }

  private static final class Entry {
    Alert latest;
    final List<Item> items = new ArrayList<>();
    boolean notifiedFiring;
    boolean dirty;
  }

  /** What a group notification covered, to settle the group once it is delivered or given up. */
  record Flush(String groupKey, List<Snapshot> members) {}

  record Snapshot(String fingerprint, Alert alert, List<Item> items) {}

  private final String receiver;
  private final Map<String, Group> groups = new LinkedHashMap<>();

  Grouper(String receiver) {
    this.receiver = receiver;
  }

  /**
   * Adds a transition to its group.
   *
   * @return the items that are settled at once as {@link Outcome#COALESCED} (empty otherwise)
   */
  List<Item> add(Route route, Map<String, String> labels, Item item, long now) {
    Map<String, String> groupLabels = route.grouping().groupLabels(labels);
    String key = route.name() + ":" + groupKey(groupLabels);
    Group group =
        groups.computeIfAbsent(
            key,
            k ->
                new Group(
                    k,
                    groupLabels,
                    route.grouping(),
                    now + route.grouping().groupWait().toMillis()));
    Alert alert = item.alert();
    String fp = alert.getFingerprint();
    Entry entry = group.entries.get(fp);
    if (entry != null && !isFiring(alert) && !entry.notifiedFiring && isFiring(entry.latest)) {
      group.entries.remove(fp);
      List<Item> settled = new ArrayList<>(entry.items);
      settled.add(item);
      if (group.entries.isEmpty() && group.lastNotifiedAt < 0) {
        groups.remove(key);
      }
      return settled;
    }
    if (entry == null) {
      entry = new Entry();
      group.entries.put(fp, entry);
    }
    entry.latest = alert;
    entry.items.add(item);
    entry.dirty = true;
    return List.of();
  }

  /** The next group notification due at {@code now}, if any. */
  Work due(long now) {
    for (Group g : groups.values()) {
      if (g.dueAt() > now) {
        continue;
      }
      boolean repeat = !g.dirty();
      List<Snapshot> members = new ArrayList<>();
      List<Alert> alerts = new ArrayList<>();
      List<Item> items = new ArrayList<>();
      for (Map.Entry<String, Entry> e : g.entries.entrySet()) {
        Entry en = e.getValue();
        if (repeat && !isFiring(en.latest)) {
          continue;
        }
        List<Item> its = List.copyOf(en.items);
        members.add(new Snapshot(e.getKey(), en.latest, its));
        alerts.add(en.latest);
        items.addAll(its);
      }
      if (alerts.isEmpty()) {
        continue;
      }
      String reason = repeat ? "repeat" : "group";
      Set<String> keys =
          alerts.stream()
              .map(AlertLabels::idempotencyKey)
              .collect(Collectors.toCollection(TreeSet::new));
      String idem =
          "group:"
              + digest(g.key + "|" + String.join(",", keys) + (repeat ? "|repeat@" + now : ""));
      Notification n = new Notification(receiver, idem, g.key, g.labels, alerts, reason);
      return new Work(n, items, new Flush(g.key, members));
    }
    return null;
  }

  /**
   * Settles a group notification that was delivered (or dead-lettered: {@code delivered=false}).
   */
  void finished(Flush flush, boolean delivered, long now) {
    Group g = groups.get(flush.groupKey());
    if (g == null) {
      return;
    }
    for (Snapshot s : flush.members()) {
      Entry e = g.entries.get(s.fingerprint());
      if (e == null) {
        continue;
      }
      e.items.removeAll(s.items());
      if (e.latest == s.alert()) {
        e.dirty = false;
        if (!isFiring(s.alert())) {
          g.entries.remove(s.fingerprint());
          continue;
        }
      }
      if (delivered && isFiring(s.alert())) {
        e.notifiedFiring = true;
      }
    }
    g.lastNotifiedAt = now;
    g.nextFlushAt = now + g.grouping.groupInterval().toMillis();
    if (g.entries.isEmpty()) {
      groups.remove(g.key);
    }
  }

  /** Forgets what came from partitions this receiver no longer owns (the new owner re-reads it). */
  void revoke(Collection<TopicPartition> revoked) {
    Iterator<Group> gi = groups.values().iterator();
    while (gi.hasNext()) {
      Group g = gi.next();
      Iterator<Entry> ei = g.entries.values().iterator();
      while (ei.hasNext()) {
        Entry e = ei.next();
        boolean had = !e.items.isEmpty();
        e.items.removeIf(i -> revoked.contains(i.partition()));
        if (had && e.items.isEmpty() && !e.notifiedFiring) {
          ei.remove();
        }
      }
      if (g.entries.isEmpty()) {
        gi.remove();
      }
    }
  }

  /** When the next notification is due (epoch millis), or {@link Long#MAX_VALUE}. */
  long nextDueAt() {
    long next = Long.MAX_VALUE;
    for (Group g : groups.values()) {
      next = Math.min(next, g.dueAt());
    }
    return next;
  }

  int groups() {
    return groups.size();
  }

  static boolean isFiring(Alert a) {
    return a.getMonitorCondition() != MonitorCondition.RESOLVED;
  }

  static String groupKey(Map<String, String> labels) {
    StringBuilder b = new StringBuilder("{");
    new TreeMap<>(labels)
        .forEach(
            (k, v) -> {
              if (b.length() > 1) {
                b.append(',');
              }
              b.append(k).append("=\"").append(v.replace("\"", "\\\"")).append('"');
            });
    return b.append('}').toString();
  }

  static String digest(String text) {
    try {
      byte[] d = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(d, 0, 12);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is not available in this JVM", e);
    }
  }
}

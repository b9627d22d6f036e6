package io.linkwatch.deploy.faults;

import io.linkwatch.avro.Alert;
import io.linkwatch.schemas.serde.AvroSerdes;
import io.linkwatch.schemas.topic.Topic;
import io.linkwatch.testkit.KafkaTestCluster;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.apache.avro.Schema;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serdes;

/**
 * Every alert transition of one alerts topic, as a user's {@code read_committed} consumer sees it:
 * key, value bytes and the decoded {@link Alert}. Two logs are compared transition by transition:
 * the same bytes under the same key, as often, in the same order per alert series — what "0 alerts
 * lost, 0 duplicated" means for someone reading the topic.
 */
final class AlertLog {

  /** One record of the alerts topic. */
  record Transition(String key, int partition, long offset, byte[] value, Alert alert) {

    /** {@code <alertId>:<sequence>}, the key a receiver deduplicates by. */
    String idempotencyKey() {
      return alert.getAlertId() + ":" + alert.getSequence();
    }

    String describe() {
      return alert.getTransition()
          + " "
          + alert.getFingerprint()
          + " #"
          + alert.getSequence()
          + " (window end "
          + alert.getCondition().getWindowEnd()
          + ")";
    }

    /** What must be identical between two runs: key and value, byte for byte. */
    ByteBuffer content() {
      byte[] k = key.getBytes(java.nio.charset.StandardCharsets.UTF_8);
      return ByteBuffer.allocate(4 + k.length + value.length)
          .putInt(k.length)
          .put(k)
          .put(value)
          .flip();
    }
  }

  private final String topic;
  private final List<Transition> transitions;

  private AlertLog(String topic, List<Transition> transitions) {
    this.topic = topic;
    this.transitions = List.copyOf(transitions);
  }

  /** Everything the topic holds now, read_committed, in partition then offset order. */
  static AlertLog read(KafkaTestCluster kafka, String topic, AvroSerdes serdes) {
    Topic<String, byte[]> raw = new Topic<>(topic, Serdes.String(), Serdes.ByteArray());
    Deserializer<Alert> decoder = serdes.valueSerde(Alert.class).deserializer();
    List<Transition> out = new ArrayList<>();
    for (ConsumerRecord<String, byte[]> r : kafka.readAll(raw)) {
      out.add(
          new Transition(
              r.key(),
              r.partition(),
              r.offset(),
              r.value(),
              decoder.deserialize(topic, r.value())));
    }
    return new AlertLog(topic, out);
  }

  String topic() {
    return topic;
  }

  List<Transition> transitions() {
    return transitions;
  }

  int size() {
    return transitions.size();
  }

  /** "41 transitions: 12 FIRED, 11 RESOLVED, 9 INHIBITED, ..." */
  String summary() {
    Map<String, Long> byKind =
        transitions.stream()
            .collect(
                Collectors.groupingBy(
                    t -> t.alert().getTransition().name(), TreeMap::new, Collectors.counting()));
    return transitions.size()
        + " transitions of "
        + transitions.stream().map(Transition::key).distinct().count()
        + " alert series ("
        + byKind.entrySet().stream()
            .map(e -> e.getValue() + " " + e.getKey())
            .collect(Collectors.joining(", "))
        + ")";
  }

  /**
   * How this run's log differs from a reference run of the same input: transitions missing,
   * repeated, changed (same idempotency key, other bytes) or unexpected, and series whose
   * transitions came in another order. Empty when the logs are identical apart from offsets.
   */
  Comparison compareWith(AlertLog reference) {
    Map<ByteBuffer, List<Transition>> expected = byContent(reference.transitions);
    Map<ByteBuffer, List<Transition>> actual = byContent(transitions);
    List<Transition> missing = new ArrayList<>();
    List<Transition> repeated = new ArrayList<>();
    List<Transition> unexpected = new ArrayList<>();
    for (Map.Entry<ByteBuffer, List<Transition>> e : expected.entrySet()) {
      int got = actual.getOrDefault(e.getKey(), List.of()).size();
      int want = e.getValue().size();
      if (got < want) {
        missing.addAll(e.getValue().subList(got, want));
      }
    }
    for (Map.Entry<ByteBuffer, List<Transition>> e : actual.entrySet()) {
      int want = expected.getOrDefault(e.getKey(), List.of()).size();
      int got = e.getValue().size();
      if (want == 0) {
        unexpected.addAll(e.getValue());
      } else if (got > want) {
        repeated.addAll(e.getValue().subList(want, got));
      }
    }
    // a transition whose bytes differ shows up as missing and unexpected with one idempotency key
    Map<String, Transition> missingByKey = new LinkedHashMap<>();
    missing.forEach(t -> missingByKey.put(t.idempotencyKey(), t));
    List<String> changed = new ArrayList<>();
    for (Transition t : List.copyOf(unexpected)) {
      Transition before = missingByKey.remove(t.idempotencyKey());
      if (before != null) {
        unexpected.remove(t);
        missing.remove(before);
        changed.add(t.describe() + ": " + fieldsThatDiffer(before.alert(), t.alert()));
      }
    }
    List<String> reordered = new ArrayList<>();
    Map<String, List<String>> want = orderBySeries(reference.transitions);
    Map<String, List<String>> got = orderBySeries(transitions);
    for (Map.Entry<String, List<String>> e : want.entrySet()) {
      List<String> g = got.getOrDefault(e.getKey(), List.of());
      if (g.size() == e.getValue().size() && !g.equals(e.getValue())) {
        reordered.add(e.getKey() + ": expected " + e.getValue() + ", got " + g);
      }
    }
    return new Comparison(
        reference.summary(),
        summary(),
        describe(missing),
        describe(repeated),
        changed,
        describe(unexpected),
        reordered);
  }

  /** The differences between a run and its reference; {@link #identical()} when there are none. */
  record Comparison(
      String reference,
      String run,
      List<String> missing,
      List<String> repeated,
      List<String> changed,
      List<String> unexpected,
      List<String> reordered) {

    boolean identical() {
      return missing.isEmpty()
          && repeated.isEmpty()
          && changed.isEmpty()
          && unexpected.isEmpty()
          && reordered.isEmpty();
    }

    /** For the test's output and failure message. */
    String report() {
      StringBuilder s = new StringBuilder();
      s.append("reference: ").append(reference).append('\n');
      s.append("this run:  ").append(run).append('\n');
      section(s, "lost (in the reference, not in this run)", missing);
      section(s, "duplicated (more often than in the reference)", repeated);
      section(s, "changed (same idempotency key, other bytes)", changed);
      section(s, "unexpected (not in the reference)", unexpected);
      section(s, "out of order within a series", reordered);
      return s.toString();
    }

    private static void section(StringBuilder s, String title, List<String> lines) {
      s.append(title).append(": ").append(lines.size()).append('\n');
      lines.stream().limit(25).forEach(l -> s.append("  ").append(l).append('\n'));
      if (lines.size() > 25) {
        s.append("  ... and ").append(lines.size() - 25).append(" more\n");
      }
    }
  }

  private static Map<ByteBuffer, List<Transition>> byContent(List<Transition> transitions) {
    Map<ByteBuffer, List<Transition>> out = new HashMap<>();
    for (Transition t : transitions) {
      out.computeIfAbsent(t.content(), c -> new ArrayList<>()).add(t);
    }
    return out;
  }

  private static Map<String, List<String>> orderBySeries(List<Transition> transitions) {
    Map<String, List<String>> out = new TreeMap<>();
    transitions.stream()
        .sorted(
            Comparator.comparingInt(Transition::partition).thenComparingLong(Transition::offset))
        .forEach(t -> out.computeIfAbsent(t.key(), k -> new ArrayList<>()).add(t.idempotencyKey()));
    return out;
  }

  private static List<String> describe(List<Transition> transitions) {
    return transitions.stream().map(Transition::describe).toList();
  }

  /** The top-level fields of two alerts that differ, e.g. "evidence: {...} -> {...}". */
  static String fieldsThatDiffer(Alert a, Alert b) {
    List<String> out = new ArrayList<>();
    for (Schema.Field f : Alert.getClassSchema().getFields()) {
      Object x = a.get(f.pos());
      Object y = b.get(f.pos());
      if (!String.valueOf(x).equals(String.valueOf(y))) {
        out.add(f.name() + ": " + shorten(x) + " -> " + shorten(y));
      }
    }
    return out.isEmpty() ? "(encoding only)" : String.join("; ", out);
  }

  private static String shorten(Object o) {
    String s = String.valueOf(o);
    return s.length() <= 400 ? s : s.substring(0, 400) + "...";
  }

  @Override
  public String toString() {
    return topic + ": " + summary();
  }
}

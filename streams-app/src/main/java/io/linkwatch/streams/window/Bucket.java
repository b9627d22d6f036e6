package io.linkwatch.streams.window;

import io.linkwatch.avro.OffsetRange;
import io.linkwatch.streams.codec.BinaryReader;
import io.linkwatch.streams.codec.BinaryWriter;
import io.linkwatch.streams.signal.EventRef;
import java.util.ArrayList;
import java.util.List;

/**
 * The state of one series over one tumbling bucket (or, merged, over one window): count, sum, min,
 * max, the denominator count of a ratio, distinct entities, and bounded evidence (sample events,
 * offset spans per input partition, incident ids).
 */
final class Bucket {

  private static final int VERSION = 1;

  long count;
  double sum;
  double min = Double.NaN;
  double max = Double.NaN;
  long denominator;
  DistinctCounter distinct = DistinctCounter.empty();
  final List<EventRef> samples = new ArrayList<>();
  final List<long[]> spanNumbers = new ArrayList<>(); // partition, from, to, count
  final List<String> spanTopics = new ArrayList<>();
  final List<String> incidentIds = new ArrayList<>();

  boolean hasData() {
    return count > 0 || denominator > 0;
  }

  void add(ViewObservation o, Limits limits) {
    if (o.denominator()) {
      denominator++;
    } else {
      count++;
      sum += o.value();
      min = Double.isNaN(min) ? o.value() : Math.min(min, o.value());
      max = Double.isNaN(max) ? o.value() : Math.max(max, o.value());
      distinct.add(o.entityHash(), limits.exactMax(), limits.precision());
      if (o.evidence() != null) {
        EventRef.keepEarliest(samples, o.evidence(), limits.samples());
      }
      if (o.incidentId() != null) {
        keepSmallest(incidentIds, o.incidentId(), limits.samples());
      }
    }
    if (o.evidence() != null) {
      EventRef e = o.evidence();
      span(e.topic(), e.partition(), e.offset(), e.offset(), 1);
    }
  }

  void merge(Bucket b, Limits limits) {
    count += b.count;
    sum += b.sum;
    if (!Double.isNaN(b.min)) {
      min = Double.isNaN(min) ? b.min : Math.min(min, b.min);
    }
    if (!Double.isNaN(b.max)) {
      max = Double.isNaN(max) ? b.max : Math.max(max, b.max);
    }
    denominator += b.denominator;
    distinct.merge(b.distinct, limits.exactMax(), limits.precision());
    for (EventRef e : b.samples) {
      EventRef.keepEarliest(samples, e, limits.samples());
    }
    for (String id : b.incidentIds) {
      keepSmallest(incidentIds, id, limits.samples());
    }
    for (int i = 0; i < b.spanTopics.size(); i++) {
      long[] n = b.spanNumbers.get(i);
      span(b.spanTopics.get(i), (int) n[0], n[1], n[2], n[3]);
    }
  }

  private void span(String topic, int partition, long from, long to, long n) {
    for (int i = 0; i < spanTopics.size(); i++) {
      long[] s = spanNumbers.get(i);
      if (s[0] == partition && spanTopics.get(i).equals(topic)) {
        s[1] = Math.min(s[1], from);
        s[2] = Math.max(s[2], to);
        s[3] += n;
        return;
      }
    }
    spanTopics.add(topic);
    spanNumbers.add(new long[] {partition, from, to, n});
  }

  /** Like {@link EventRef#keepEarliest}: the order of arrival must not choose what is kept. */
  private static void keepSmallest(List<String> ids, String id, int limit) {
    int at = java.util.Collections.binarySearch(ids, id);
    if (at >= 0 || -at - 1 >= limit) {
      return;
    }
    ids.add(-at - 1, id);
    if (ids.size() > limit) {
      ids.remove(ids.size() - 1);
    }
  }

  /** The offset spans, by topic and partition (not in the order the partitions arrived). */
  List<OffsetRange> offsetRanges() {
    List<OffsetRange> out = new ArrayList<>(spanTopics.size());
    for (int i = 0; i < spanTopics.size(); i++) {
      long[] n = spanNumbers.get(i);
      out.add(
          OffsetRange.newBuilder()
              .setTopic(spanTopics.get(i))
              .setPartition((int) n[0])
              .setFromOffset(n[1])
              .setToOffset(n[2])
              .setCount(n[3])
              .build());
    }
    out.sort(
        java.util.Comparator.comparing(OffsetRange::getTopic)
            .thenComparingInt(OffsetRange::getPartition));
    return out;
  }

  byte[] encode() {
    BinaryWriter w = new BinaryWriter(128);
    w.writeByte(VERSION)
        .writeVarLong(count)
        .writeDouble(sum)
        .writeDouble(min)
        .writeDouble(max)
        .writeVarLong(denominator);
    distinct.write(w);
    w.writeVarInt(samples.size());
    samples.forEach(e -> e.write(w));
    w.writeVarInt(spanTopics.size());
    for (int i = 0; i < spanTopics.size(); i++) {
      long[] n = spanNumbers.get(i);
      w.writeString(spanTopics.get(i))
          .writeVarLong(n[0])
          .writeVarLong(n[1])
          .writeVarLong(n[2])
          .writeVarLong(n[3]);
    }
    w.writeVarInt(incidentIds.size());
    incidentIds.forEach(w::writeString);
    return w.toByteArray();
  }

  static Bucket decode(byte[] bytes) {
    BinaryReader r = new BinaryReader(bytes);
    int version = r.readByte();
    if (version != VERSION) {
      throw new IllegalStateException("unknown bucket state version " + version);
    }
    Bucket b = new Bucket();
    b.count = r.readVarLong();
    b.sum = r.readDouble();
    b.min = r.readDouble();
    b.max = r.readDouble();
    b.denominator = r.readVarLong();
    b.distinct = DistinctCounter.read(r);
    int n = r.readVarInt();
    for (int i = 0; i < n; i++) {
      b.samples.add(EventRef.read(r));
    }
    n = r.readVarInt();
    for (int i = 0; i < n; i++) {
      b.spanTopics.add(r.readString());
      b.spanNumbers.add(
          new long[] {r.readVarLong(), r.readVarLong(), r.readVarLong(), r.readVarLong()});
    }
    n = r.readVarInt();
    for (int i = 0; i < n; i++) {
      b.incidentIds.add(r.readString());
    }
    return b;
  }

  /** Bounds on what a bucket keeps. */
  record Limits(int samples, int exactMax, int precision) {}
}

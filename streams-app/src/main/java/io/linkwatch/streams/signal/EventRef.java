package io.linkwatch.streams.signal;

import io.linkwatch.avro.EvidenceEvent;
import io.linkwatch.streams.codec.BinaryReader;
import io.linkwatch.streams.codec.BinaryWriter;

/**
 * One input event cited as evidence: its id, event time and the coordinates (topic, partition,
 * offset) to read it again, plus a one-line summary. The compact internal twin of the Avro {@link
 * EvidenceEvent}.
 */
public record EventRef(
    String eventId,
    long time,
    String topic,
    int partition,
    long offset,
    String summary,
    String code) {

  /**
   * Evidence order: event time, then event id (then coordinates). Bounded samples keep the earliest
   * events in this order, never the first to arrive: below a repartition, records of several
   * upstream tasks arrive in an order that depends on scheduling, and a replay must cite the same
   * evidence (and derive the same incident ids from it).
   */
  public static final java.util.Comparator<EventRef> EARLIEST =
      java.util.Comparator.comparingLong(EventRef::time)
          .thenComparing(EventRef::eventId, java.util.Comparator.nullsFirst(String::compareTo))
          .thenComparing(EventRef::topic, java.util.Comparator.nullsFirst(String::compareTo))
          .thenComparingInt(EventRef::partition)
          .thenComparingLong(EventRef::offset);

  /**
   * Adds {@code e} to {@code samples} (sorted by {@link #EARLIEST}, at most {@code limit}), keeping
   * the earliest; a repeat of an event already there is not added twice.
   */
  public static void keepEarliest(java.util.List<EventRef> samples, EventRef e, int limit) {
    if (e == null || limit <= 0) {
      return;
    }
    int at = java.util.Collections.binarySearch(samples, e, EARLIEST);
    if (at >= 0) {
      return;
    }
    int insert = -at - 1;
    if (insert >= limit) {
      return;
    }
    samples.add(insert, e);
    if (samples.size() > limit) {
      samples.remove(samples.size() - 1);
    }
  }

  public EvidenceEvent toAvro() {
    return EvidenceEvent.newBuilder()
        .setEventId(eventId)
        .setTime(java.time.Instant.ofEpochMilli(time))
        .setTopic(topic)
        .setPartition(partition)
        .setOffset(offset)
        .setSummary(summary)
        .setCode(code)
        .build();
  }

  public void write(BinaryWriter w) {
    w.writeString(eventId)
        .writeVarLong(time)
        .writeString(topic)
        .writeVarInt(partition)
        .writeVarLong(offset)
        .writeString(summary)
        .writeString(code);
  }

  public static EventRef read(BinaryReader r) {
    return new EventRef(
        r.readString(),
        r.readVarLong(),
        r.readString(),
        r.readVarInt(),
        r.readVarLong(),
        r.readString(),
        r.readString());
  }
}

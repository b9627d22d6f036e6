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

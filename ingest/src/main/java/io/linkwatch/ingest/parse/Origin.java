package io.linkwatch.ingest.parse;

import io.linkwatch.avro.Provenance;
import io.linkwatch.avro.SourceKind;
import java.time.Instant;
import java.util.Objects;

/**
 * Where a unit of input came from: the kind of source, its name (file path, topic, HTTP endpoint,
 * agent log path) and the position of the unit in it (1-based line in a file, offset in a
 * partition, request id over HTTP). Every event and dead letter carries it as its {@link
 * Provenance}, precisely enough to find the raw input again.
 *
 * @param kind the kind of source
 * @param source the source name; also the key of its dead letters
 * @param partition topic partition, for Kafka sources
 * @param position 1-based line number of the unit's first line, or the offset in a partition
 * @param requestId the HTTP request id
 */
public record Origin(
    SourceKind kind, String source, Integer partition, Long position, String requestId) {

  public Origin {
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(source, "source");
  }

  public static Origin of(SourceKind kind, String source) {
    return new Origin(kind, source, null, null, null);
  }

  public static Origin line(SourceKind kind, String source, long line) {
    return new Origin(kind, source, null, line, null);
  }

  public static Origin kafka(String topic, int partition, long offset) {
    return new Origin(SourceKind.KAFKA, topic, partition, offset, null);
  }

  public static Origin http(String endpoint, String requestId) {
    return new Origin(SourceKind.HTTP, endpoint, null, null, requestId);
  }

  /** The same origin, at another line of the same source. */
  public Origin atLine(long line) {
    return new Origin(kind, source, partition, line, requestId);
  }

  /** Whether positions of this origin are line numbers (files, agent logs, HTTP bodies). */
  boolean positionIsLine() {
    return kind != SourceKind.KAFKA;
  }

  /**
   * The provenance of one record of the unit.
   *
   * @param lineOffset lines between the unit's first line and the record's first line (0 for Kafka,
   *     where the position is an offset and does not move)
   * @param recordIndex index of the record in its envelope, or {@code null}
   */
  Provenance provenance(long ingestTimeMillis, int lineOffset, Integer recordIndex) {
    Long pos = position;
    if (pos != null && lineOffset > 0 && positionIsLine()) {
      pos = pos + lineOffset;
    }
    return new Provenance(
        kind,
        source,
        partition,
        pos,
        recordIndex,
        requestId,
        Instant.ofEpochMilli(ingestTimeMillis));
  }

  /** The provenance of the unit itself (a dead letter of the whole unit). */
  public Provenance toProvenance(long ingestTimeMillis) {
    return provenance(ingestTimeMillis, 0, null);
  }

  /** "file.json line 12", "topic[3]@1042", "POST /api/v1/records request 7f..": for messages. */
  public String describe() {
    StringBuilder b = new StringBuilder(source);
    if (partition != null) {
      b.append('[').append(partition).append(']');
    }
    if (position != null) {
      b.append(kind == SourceKind.KAFKA ? " offset " : " line ").append(position);
    }
    if (requestId != null) {
      b.append(" request ").append(requestId);
    }
    return b.toString();
  }
}

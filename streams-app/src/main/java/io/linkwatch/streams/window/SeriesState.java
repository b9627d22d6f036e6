package io.linkwatch.streams.window;

import io.linkwatch.streams.codec.BinaryReader;
import io.linkwatch.streams.codec.BinaryWriter;
import java.util.Map;
import java.util.TreeMap;

/**
 * What the window engine remembers about one series between records: which view version and
 * windowing its buckets were built with, the next window to evaluate and the timer that will do it,
 * how many evaluations in a row had no data, late records not yet reported, the bucket range held,
 * and the revision number of each recently evaluated window.
 */
final class SeriesState {

  private static final int VERSION = 1;

  String viewId;
  int viewVersion;
  Map<String, String> dimensions;
  long sizeMs;
  long advanceMs;

  /** End of the next window to evaluate; 0 when the series is idle (waiting to be forgotten). */
  long nextEnd;

  /** Due time of the series' single timer. */
  long timerAt;

  int emptyEvaluations;
  long lateSinceEmit;
  long minBucketStart = Long.MAX_VALUE;
  long maxBucketStart = Long.MIN_VALUE;

  /** Window end to the last revision emitted for it (0 = the result at close). */
  final TreeMap<Long, Integer> revisions = new TreeMap<>();

  byte[] encode() {
    BinaryWriter w = new BinaryWriter(96);
    w.writeByte(VERSION).writeString(viewId).writeVarInt(viewVersion);
    w.writeVarInt(dimensions.size());
    dimensions.forEach((k, v) -> w.writeString(k).writeString(v));
    w.writeVarLong(sizeMs)
        .writeVarLong(advanceMs)
        .writeVarLong(nextEnd)
        .writeVarLong(timerAt)
        .writeVarInt(emptyEvaluations)
        .writeVarLong(lateSinceEmit)
        .writeVarLong(minBucketStart)
        .writeVarLong(maxBucketStart);
    w.writeVarInt(revisions.size());
    revisions.forEach((e, r) -> w.writeVarLong(e).writeVarInt(r));
    return w.toByteArray();
  }

  static SeriesState decode(byte[] bytes) {
    BinaryReader r = new BinaryReader(bytes);
    int version = r.readByte();
    if (version != VERSION) {
      throw new IllegalStateException("unknown series state version " + version);
    }
    SeriesState s = new SeriesState();
    s.viewId = r.readString();
    s.viewVersion = r.readVarInt();
    int n = r.readVarInt();
    s.dimensions = new TreeMap<>();
    for (int i = 0; i < n; i++) {
      s.dimensions.put(r.readString(), r.readString());
    }
    s.sizeMs = r.readVarLong();
    s.advanceMs = r.readVarLong();
    s.nextEnd = r.readVarLong();
    s.timerAt = r.readVarLong();
    s.emptyEvaluations = r.readVarInt();
    s.lateSinceEmit = r.readVarLong();
    s.minBucketStart = r.readVarLong();
    s.maxBucketStart = r.readVarLong();
    n = r.readVarInt();
    for (int i = 0; i < n; i++) {
      s.revisions.put(r.readVarLong(), r.readVarInt());
    }
    return s;
  }
}

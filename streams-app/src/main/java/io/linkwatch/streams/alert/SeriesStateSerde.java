package io.linkwatch.streams.alert;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * A compact binary form of {@link SeriesState} for the series store and its changelog. Internal to
 * the alert stage (never on a user-facing topic), so a hand-written format with a leading version
 * byte is cheaper than an Avro schema; a future format reads version 1 and upgrades it.
 */
final class SeriesStateSerde implements Serde<SeriesState> {

  /** 2 added shownWindowEnd, 3 lastEvaluatedAt, at the end; older formats are still read. */
  private static final byte FORMAT = 3;

  @Override
  public Serializer<SeriesState> serializer() {
    return (topic, s) -> s == null ? null : write(s);
  }

  @Override
  public Deserializer<SeriesState> deserializer() {
    return (topic, bytes) -> bytes == null ? null : read(bytes);
  }

  static byte[] write(SeriesState s) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(256);
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      out.writeByte(FORMAT);
      out.writeInt(s.ruleVersion);
      out.writeLong(s.lastWindowEnd);
      out.writeByte(s.phase.ordinal());
      out.writeLong(s.pendingSince);
      out.writeInt(s.cleanCount);
      out.writeLong(s.firstCleanAt);
      writeString(out, s.alertId);
      out.writeLong(s.sequence);
      out.writeLong(s.firedTime);
      out.writeLong(s.firstWindowEnd);
      out.writeBoolean(s.flapping);
      writeString(out, s.scope);
      writeBytes(out, s.lastAlert);
      writeString(out, s.closedAlertId);
      out.writeLong(s.closedSequence);
      out.writeLong(s.closedFirstWindowEnd);
      out.writeLong(s.closedLastWindowEnd);
      out.writeLong(s.closedFiredTime);
      writeString(out, s.closedScope);
      out.writeInt(s.recent.size());
      for (SeriesState.Evaluation e : s.recent) {
        out.writeLong(e.windowStart);
        out.writeLong(e.windowEnd);
        out.writeDouble(e.value);
        out.writeLong(e.count);
        out.writeByte(e.verdict.ordinal());
        out.writeDouble(e.lower);
        out.writeDouble(e.upper);
      }
      out.writeInt(s.flapEdges.size());
      for (long t : s.flapEdges) {
        out.writeLong(t);
      }
      out.writeInt(s.baseline.size());
      for (double v : s.baseline) {
        out.writeDouble(v);
      }
      out.writeInt(s.baselineSignature);
      out.writeInt(s.sourceScopes.size());
      for (String scope : s.sourceScopes) {
        writeString(out, scope);
      }
      out.writeLong(s.shownWindowEnd);
      out.writeLong(s.lastEvaluatedAt);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }

  static SeriesState read(byte[] bytes) {
    try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes))) {
      byte format = in.readByte();
      if (format < 1 || format > FORMAT) {
        throw new SerializationException("unknown alert series state format " + format);
      }
      SeriesState s = new SeriesState();
      s.ruleVersion = in.readInt();
      s.lastWindowEnd = in.readLong();
      s.phase = SeriesState.Phase.values()[in.readByte()];
      s.pendingSince = in.readLong();
      s.cleanCount = in.readInt();
      s.firstCleanAt = in.readLong();
      s.alertId = readString(in);
      s.sequence = in.readLong();
      s.firedTime = in.readLong();
      s.firstWindowEnd = in.readLong();
      s.flapping = in.readBoolean();
      s.scope = readString(in);
      s.lastAlert = readBytes(in);
      s.closedAlertId = readString(in);
      s.closedSequence = in.readLong();
      s.closedFirstWindowEnd = in.readLong();
      s.closedLastWindowEnd = in.readLong();
      s.closedFiredTime = in.readLong();
      s.closedScope = readString(in);
      int n = in.readInt();
      for (int i = 0; i < n; i++) {
        SeriesState.Evaluation e = new SeriesState.Evaluation();
        e.windowStart = in.readLong();
        e.windowEnd = in.readLong();
        e.value = in.readDouble();
        e.count = in.readLong();
        e.verdict = SeriesState.Verdict.values()[in.readByte()];
        e.lower = in.readDouble();
        e.upper = in.readDouble();
        s.recent.add(e);
      }
      n = in.readInt();
      for (int i = 0; i < n; i++) {
        s.flapEdges.add(in.readLong());
      }
      n = in.readInt();
      for (int i = 0; i < n; i++) {
        s.baseline.add(in.readDouble());
      }
      s.baselineSignature = in.readInt();
      n = in.readInt();
      for (int i = 0; i < n; i++) {
        s.sourceScopes.add(readString(in));
      }
      if (format >= 2) {
        s.shownWindowEnd = in.readLong();
      }
      if (format >= 3) {
        s.lastEvaluatedAt = in.readLong();
      }
      return s;
    } catch (IOException e) {
      throw new SerializationException("corrupt alert series state", e);
    }
  }

  static void writeString(DataOutputStream out, String s) throws IOException {
    out.writeBoolean(s != null);
    if (s != null) {
      out.writeUTF(s);
    }
  }

  static String readString(DataInputStream in) throws IOException {
    return in.readBoolean() ? in.readUTF() : null;
  }

  static void writeBytes(DataOutputStream out, byte[] b) throws IOException {
    out.writeInt(b == null ? -1 : b.length);
    if (b != null) {
      out.write(b);
    }
  }

  static byte[] readBytes(DataInputStream in) throws IOException {
    int n = in.readInt();
    if (n < 0) {
      return null;
    }
    byte[] b = new byte[n];
    in.readFully(b);
    return b;
  }
}

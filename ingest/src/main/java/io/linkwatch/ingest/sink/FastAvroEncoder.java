package io.linkwatch.ingest.sink;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.apache.avro.LogicalType;
import org.apache.avro.LogicalTypes;
import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.generic.IndexedRecord;

/**
 * Avro single-object encoding of one generated record type, compiled from its schema once: each
 * field gets a writer that knows its position, its type and, for a {@code ["null", X]} union, which
 * branch is null, so no per-record lookup by name happens (Avro's generic writer resolves every
 * union branch by schema name, a third of the ingest thread's time).
 *
 * <p>It writes exactly what the shared serde writes ({@code C3 01}, the CRC-64-AVRO fingerprint,
 * the binary body): {@link KafkaEventSink} checks that on a sample at start-up and keeps the serde
 * when they differ, and a test compares them on random events. Schemas it cannot compile (unions of
 * more than null and one type, arrays, fixed, ...) make {@link #compile} return {@code null}.
 *
 * <p>Not thread-safe: one per sending thread.
 */
final class FastAvroEncoder {

  private interface FieldWriter {
    void write(Object value, FastAvroEncoder out);
  }

  private final FieldWriter root;
  private final byte[] header = new byte[10];
  private byte[] buf = new byte[1024];
  private int pos;

  private FastAvroEncoder(Schema schema, FieldWriter root) {
    this.root = root;
    long fingerprint = SchemaNormalization.parsingFingerprint64(schema);
    header[0] = (byte) 0xC3;
    header[1] = (byte) 0x01;
    for (int i = 0; i < 8; i++) {
      header[2 + i] = (byte) (fingerprint >>> (8 * i));
    }
  }

  /** An encoder of the record schema, or {@code null} when it uses what this cannot write. */
  static FastAvroEncoder compile(Schema schema) {
    FieldWriter w = writer(schema);
    return w == null ? null : new FastAvroEncoder(schema, w);
  }

  /** The single-object encoding of the record. */
  byte[] encode(IndexedRecord record) {
    pos = 0;
    ensure(header.length);
    System.arraycopy(header, 0, buf, 0, header.length);
    pos = header.length;
    root.write(record, this);
    return Arrays.copyOf(buf, pos);
  }

  private static FieldWriter writer(Schema s) {
    LogicalType logical = s.getLogicalType();
    switch (s.getType()) {
      case RECORD -> {
        List<FieldWriter> fields = new ArrayList<>();
        for (Schema.Field f : s.getFields()) {
          FieldWriter fw = writer(f.schema());
          if (fw == null) {
            return null;
          }
          fields.add(fw);
        }
        FieldWriter[] ws = fields.toArray(FieldWriter[]::new);
        return (v, out) -> {
          IndexedRecord r = (IndexedRecord) v;
          for (int i = 0; i < ws.length; i++) {
            ws[i].write(r.get(i), out);
          }
        };
      }
      case UNION -> {
        List<Schema> types = s.getTypes();
        if (types.size() != 2) {
          return null;
        }
        int nullIndex = types.get(0).getType() == Schema.Type.NULL ? 0 : 1;
        Schema other = types.get(1 - nullIndex);
        if (other.getType() == Schema.Type.NULL) {
          return null;
        }
        FieldWriter w = writer(other);
        if (w == null) {
          return null;
        }
        int valueIndex = 1 - nullIndex;
        return (v, out) -> {
          if (v == null) {
            out.writeLong(nullIndex);
          } else {
            out.writeLong(valueIndex);
            w.write(v, out);
          }
        };
      }
      case STRING -> {
        return (v, out) -> out.writeString(v.toString());
      }
      case INT -> {
        return (v, out) -> out.writeLong(((Number) v).intValue());
      }
      case LONG -> {
        if (logical instanceof LogicalTypes.TimestampMillis) {
          return (v, out) ->
              out.writeLong(v instanceof Instant i ? i.toEpochMilli() : ((Number) v).longValue());
        }
        if (logical != null) {
          return null;
        }
        return (v, out) -> out.writeLong(((Number) v).longValue());
      }
      case BOOLEAN -> {
        return (v, out) -> out.writeByte(((Boolean) v) ? 1 : 0);
      }
      case DOUBLE -> {
        return (v, out) -> out.writeDouble(((Number) v).doubleValue());
      }
      case ENUM -> {
        List<String> symbols = s.getEnumSymbols();
        return (v, out) -> {
          int ordinal = ((Enum<?>) v).ordinal();
          // generated enums follow the schema's order; check it all the same
          if (ordinal >= symbols.size() || !symbols.get(ordinal).equals(((Enum<?>) v).name())) {
            ordinal = symbols.indexOf(((Enum<?>) v).name());
          }
          out.writeLong(ordinal);
        };
      }
      case MAP -> {
        FieldWriter values = writer(s.getValueType());
        if (values == null) {
          return null;
        }
        return (v, out) -> {
          Map<?, ?> m = (Map<?, ?>) v;
          if (!m.isEmpty()) {
            out.writeLong(m.size());
            for (Map.Entry<?, ?> e : m.entrySet()) {
              out.writeString(e.getKey().toString());
              values.write(e.getValue(), out);
            }
          }
          out.writeLong(0);
        };
      }
      case BYTES -> {
        return (v, out) -> {
          ByteBuffer b = ((ByteBuffer) v).duplicate();
          out.writeLong(b.remaining());
          out.ensure(b.remaining());
          b.get(out.buf, out.pos, b.remaining());
          out.pos += ((ByteBuffer) v).remaining();
        };
      }
      default -> {
        return null;
      }
    }
  }

  private void ensure(int n) {
    if (pos + n > buf.length) {
      buf = Arrays.copyOf(buf, Math.max(buf.length * 2, pos + n));
    }
  }

  private void writeByte(int b) {
    ensure(1);
    buf[pos++] = (byte) b;
  }

  /** Zig-zag varint, as Avro writes int and long. */
  private void writeLong(long n) {
    ensure(10);
    long v = (n << 1) ^ (n >> 63);
    while ((v & ~0x7FL) != 0) {
      buf[pos++] = (byte) ((v & 0x7F) | 0x80);
      v >>>= 7;
    }
    buf[pos++] = (byte) v;
  }

  private void writeDouble(double d) {
    ensure(8);
    long bits = Double.doubleToRawLongBits(d);
    for (int i = 0; i < 8; i++) {
      buf[pos++] = (byte) (bits >>> (8 * i));
    }
  }

  private void writeString(String s) {
    int n = s.length();
    int start = pos;
    // ASCII, the common case, is copied as it is checked; anything else is encoded as UTF-8
    writeLong(n);
    ensure(n);
    int at = pos;
    for (int i = 0; i < n; i++) {
      char c = s.charAt(i);
      if (c >= 0x80) {
        pos = start;
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        writeLong(b.length);
        ensure(b.length);
        System.arraycopy(b, 0, buf, pos, b.length);
        pos += b.length;
        return;
      }
      buf[at + i] = (byte) c;
    }
    pos = at + n;
  }
}

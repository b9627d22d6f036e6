package io.linkwatch.streams.alert;

import io.linkwatch.avro.Alert;
import io.linkwatch.schemas.serde.AvroSerdes;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Binary form of an {@link Envelope} on the internal inhibition topic and in the buffer store. The
 * alert inside is Avro single-object encoded whatever the configured encoding, so that the internal
 * topic never registers schemas and old writer schemas stay resolvable across upgrades.
 */
final class EnvelopeSerde implements Serde<Envelope> {

  private static final byte FORMAT = 1;
  private final Serde<Alert> alerts = AvroSerdes.singleObject().valueSerde(Alert.class);

  @Override
  public Serializer<Envelope> serializer() {
    return (topic, e) -> e == null ? null : write(e);
  }

  @Override
  public Deserializer<Envelope> deserializer() {
    return (topic, bytes) -> bytes == null ? null : read(bytes);
  }

  byte[] write(Envelope e) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(256);
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      out.writeByte(FORMAT);
      out.writeByte(e.kind().ordinal());
      out.writeInt(e.upstream());
      out.writeLong(e.watermark());
      out.writeUTF(e.scope());
      SeriesStateSerde.writeBytes(
          out, e.alert() == null ? null : alerts.serializer().serialize("", e.alert()));
      out.writeInt(e.targetRuleIds().size());
      for (String id : e.targetRuleIds()) {
        out.writeUTF(id);
      }
    } catch (IOException ex) {
      throw new UncheckedIOException(ex);
    }
    return bytes.toByteArray();
  }

  Envelope read(byte[] bytes) {
    try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes))) {
      byte format = in.readByte();
      if (format != FORMAT) {
        throw new SerializationException("unknown alert envelope format " + format);
      }
      Envelope.Kind kind = Envelope.Kind.values()[in.readByte()];
      int upstream = in.readInt();
      long watermark = in.readLong();
      String scope = in.readUTF();
      byte[] alert = SeriesStateSerde.readBytes(in);
      int n = in.readInt();
      List<String> targets = new ArrayList<>(n);
      for (int i = 0; i < n; i++) {
        targets.add(in.readUTF());
      }
      return new Envelope(
          kind,
          upstream,
          watermark,
          scope,
          alert == null ? null : alerts.deserializer().deserialize("", alert),
          targets);
    } catch (IOException ex) {
      throw new SerializationException("corrupt alert envelope", ex);
    }
  }
}

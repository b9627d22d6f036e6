package io.linkwatch.streams.app;

import io.linkwatch.avro.DeadLetter;
import io.linkwatch.avro.DeadLetterReason;
import io.linkwatch.avro.DeadLetterStage;
import io.linkwatch.avro.Provenance;
import io.linkwatch.avro.SourceKind;
import io.linkwatch.schemas.serde.AvroSerdes;
import io.linkwatch.streams.config.StreamsAppConfig;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.streams.errors.DeserializationExceptionHandler;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.apache.kafka.streams.errors.ProcessingExceptionHandler;
import org.apache.kafka.streams.errors.ProductionExceptionHandler;
import org.apache.kafka.streams.processor.api.Record;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The three error layers of the streams role, each writing a {@link DeadLetter} (stage STREAMS, raw
 * bytes, provenance: source topic, partition, offset, and the processor) to the dead-letter topic
 * in the same transaction as the task's output, then continuing; or failing the task when the
 * policy says {@code fail}. Nothing is skipped without a trace.
 */
public final class DeadLetters {

  private static final Logger LOG = LoggerFactory.getLogger(DeadLetters.class);

  private DeadLetters() {}

  /** Shared configuration of the handlers. */
  abstract static class Base {
    String topic = "linkwatch.ingest.deadletter.v1";
    boolean fail;
    Serializer<DeadLetter> serializer;

    void configure(Map<String, ?> configs, String policyKey, String dfltPolicy) {
      Object t = configs.get(StreamsAppConfig.DEADLETTER_TOPIC);
      if (t != null) {
        topic = t.toString();
      }
      Object p = configs.get(policyKey);
      fail = "fail".equals(p == null ? dfltPolicy : p.toString());
      serializer = AvroSerdes.fromConfig(configs).valueSerde(DeadLetter.class).serializer();
    }

    List<ProducerRecord<byte[], byte[]>> letter(
        ErrorHandlerContext c,
        DeadLetterReason reason,
        String what,
        Exception e,
        byte[] key,
        byte[] raw) {
      String source = c.topic() == null ? "streams" : c.topic();
      DeadLetter letter =
          DeadLetter.newBuilder()
              .setTime(Instant.ofEpochMilli(System.currentTimeMillis()))
              .setStage(DeadLetterStage.STREAMS)
              .setReasonCode(reason)
              .setReason(
                  what
                      + " at "
                      + source
                      + "-"
                      + c.partition()
                      + "@"
                      + c.offset()
                      + (c.processorNodeId() == null ? "" : " in " + c.processorNodeId())
                      + ": "
                      + e.getMessage())
              .setDetail(e.getClass().getName() + ": " + e.getMessage())
              .setRaw(ByteBuffer.wrap(raw == null ? new byte[0] : raw))
              .setContentType("avro/binary")
              .setProvenance(
                  Provenance.newBuilder()
                      .setSourceKind(SourceKind.KAFKA)
                      .setSource(source)
                      .setPartition(c.partition())
                      .setPosition(c.offset())
                      .setIngestTime(Instant.ofEpochMilli(System.currentTimeMillis()))
                      .build())
              .build();
      LOG.warn(
          "Dead-lettered a record of {}-{} at offset {} ({}): {}",
          source,
          c.partition(),
          c.offset(),
          reason,
          e.toString());
      ProducerRecord<byte[], byte[]> r =
          new ProducerRecord<>(
              topic,
              null,
              source.getBytes(StandardCharsets.UTF_8),
              serializer.serialize(topic, letter));
      r.headers().add("linkwatch.dlq.reason", reason.name().getBytes(StandardCharsets.UTF_8));
      r.headers().add("linkwatch.dlq.topic", source.getBytes(StandardCharsets.UTF_8));
      r.headers()
          .add(
              "linkwatch.dlq.partition",
              Integer.toString(c.partition()).getBytes(StandardCharsets.UTF_8));
      r.headers()
          .add("linkwatch.dlq.offset", Long.toString(c.offset()).getBytes(StandardCharsets.UTF_8));
      return List.of(r);
    }
  }

  /** Input that cannot be deserialized. */
  public static final class Deserialization extends Base
      implements DeserializationExceptionHandler {
    @Override
    public void configure(Map<String, ?> configs) {
      configure(configs, StreamsAppConfig.ON_DESERIALIZATION_ERROR, "deadletter");
    }

    @Override
    public Response handleError(
        ErrorHandlerContext c, ConsumerRecord<byte[], byte[]> record, Exception e) {
      List<ProducerRecord<byte[], byte[]>> dlq =
          letter(
              c,
              DeadLetterReason.DESERIALIZATION_ERROR,
              "cannot deserialize",
              e,
              record.key(),
              record.value());
      return fail ? Response.fail(dlq) : Response.resume(dlq);
    }
  }

  /** A record whose processing throws. */
  public static final class Processing extends Base implements ProcessingExceptionHandler {
    @Override
    public void configure(Map<String, ?> configs) {
      configure(configs, StreamsAppConfig.ON_PROCESSING_ERROR, "deadletter");
    }

    @Override
    public Response handleError(ErrorHandlerContext c, Record<?, ?> record, Exception e) {
      List<ProducerRecord<byte[], byte[]>> dlq =
          letter(
              c,
              DeadLetterReason.PROCESSING_ERROR,
              "processing failed",
              e,
              c.sourceRawKey(),
              c.sourceRawValue());
      return fail ? Response.fail(dlq) : Response.resume(dlq);
    }
  }

  /** A result that cannot be written. */
  public static final class Production extends Base implements ProductionExceptionHandler {
    @Override
    public void configure(Map<String, ?> configs) {
      configure(configs, StreamsAppConfig.ON_PRODUCTION_ERROR, "fail");
    }

    @Override
    public Response handleError(
        ErrorHandlerContext c, ProducerRecord<byte[], byte[]> record, Exception e) {
      if (fail) {
        return Response.fail();
      }
      return Response.resume(
          letter(
              c,
              DeadLetterReason.PRODUCTION_ERROR,
              "cannot write to " + record.topic(),
              e,
              record.key(),
              record.value()));
    }

    @Override
    public Response handleSerializationError(
        ErrorHandlerContext c,
        ProducerRecord record,
        Exception e,
        SerializationExceptionOrigin origin) {
      if (fail) {
        return Response.fail();
      }
      return Response.resume(
          letter(
              c,
              DeadLetterReason.PRODUCTION_ERROR,
              "cannot serialize the " + origin + " for " + record.topic(),
              e,
              null,
              null));
    }
  }
}

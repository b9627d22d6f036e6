package io.linkwatch.sink.delivery;

import io.linkwatch.avro.DeadLetter;
import io.linkwatch.avro.DeadLetterReason;
import io.linkwatch.avro.DeadLetterStage;
import io.linkwatch.avro.Provenance;
import io.linkwatch.avro.SourceKind;
import io.linkwatch.schemas.topic.Topic;
import java.nio.ByteBuffer;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * Writes transitions the sink gave up on to the sink's dead-letter topic (key = receiver), with the
 * alert record's raw bytes, where it was read (topic, partition, offset), the receiver, the
 * attempts made and the last error. Waits for the broker's acknowledgement: the offset of the alert
 * is committed only once its dead letter is safe.
 */
final class DeadLetters {

  private final Producer<String, DeadLetter> producer;
  private final Topic<String, DeadLetter> topic;
  private final String sourceTopic;
  private final Clock clock;
  private final Duration ackTimeout;

  DeadLetters(
      Producer<String, DeadLetter> producer,
      Topic<String, DeadLetter> topic,
      String sourceTopic,
      Clock clock,
      Duration ackTimeout) {
    this.producer = producer;
    this.topic = topic;
    this.sourceTopic = sourceTopic;
    this.clock = clock;
    this.ackTimeout = ackTimeout;
  }

  /**
   * Writes one dead letter per item and waits until all are acknowledged.
   *
   * @throws DeadLetterException when the topic did not take them (the caller keeps the items and
   *     tries again later: nothing is committed meanwhile)
   */
  void write(
      String receiver,
      List<Item> items,
      DeadLetterReason code,
      String reason,
      String detail,
      Integer attempts)
      throws DeadLetterException {
    List<Future<RecordMetadata>> acks = new ArrayList<>();
    for (Item item : items) {
      DeadLetter dl =
          DeadLetter.newBuilder()
              .setTime(clock.instant())
              .setStage(DeadLetterStage.SINK)
              .setReasonCode(code)
              .setReason(reason)
              .setDetail(detail)
              .setRaw(ByteBuffer.wrap(item.raw()))
              .setContentType("application/vnd.linkwatch.alert+avro")
              .setProvenance(
                  Provenance.newBuilder()
                      .setSourceKind(SourceKind.KAFKA)
                      .setSource(sourceTopic)
                      .setPartition(item.partition().partition())
                      .setPosition(item.offset())
                      .setIngestTime(clock.instant())
                      .build())
              .setTarget(receiver)
              .setAttempts(attempts)
              .build();
      RecordHeaders headers = new RecordHeaders();
      headers.add("linkwatch.receiver", receiver.getBytes(java.nio.charset.StandardCharsets.UTF_8));
      headers.add(
          "linkwatch.source",
          (sourceTopic + "/" + item.partition().partition() + "@" + item.offset())
              .getBytes(java.nio.charset.StandardCharsets.UTF_8));
      acks.add(producer.send(new ProducerRecord<>(topic.name(), null, receiver, dl, headers)));
    }
    producer.flush();
    for (Future<RecordMetadata> ack : acks) {
      try {
        ack.get(ackTimeout.toMillis(), TimeUnit.MILLISECONDS);
      } catch (ExecutionException e) {
        throw new DeadLetterException(
            "cannot write to dead-letter topic " + topic.name() + ": " + e.getCause().getMessage(),
            e.getCause());
      } catch (TimeoutException e) {
        throw new DeadLetterException(
            "no acknowledgement from dead-letter topic " + topic.name() + " within " + ackTimeout,
            e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new DeadLetterException("interrupted while writing dead letters", e);
      }
    }
  }

  /** The dead-letter topic could not be written. */
  static final class DeadLetterException extends Exception {
    DeadLetterException(String message, Throwable cause) {
      super(message, cause);
    }
  }
}

package io.linkwatch.ingest.sim;

import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * Produces the simulation as the raw export, the way diagnostic settings stream it to Event Hubs:
 * one message per envelope (or PT1H line, or row) on {@code insights-logs-<category>}, and the Arc
 * agent lines on {@value #AGENT_TOPIC} keyed by machine (as a log shipper would send them). The
 * Kafka source reads them back.
 */
final class KafkaRawOutput extends RenderingOutput {

  /** Topic of the agent log lines. */
  static final String AGENT_TOPIC = "arc-agent-logs";

  private final Producer<byte[], byte[]> producer;
  private final Set<String> topics = new TreeSet<>();
  private final AtomicReference<Exception> failure = new AtomicReference<>();

  KafkaRawOutput(
      SimOptions.Format format, String tenantId, Pacer pacer, Producer<byte[], byte[]> producer) {
    super(format, tenantId, pacer);
    this.producer = producer;
  }

  /** The raw topic of a category, as diagnostic settings name their event hubs. */
  static String topicOf(String category) {
    return "insights-logs-" + category.toLowerCase(Locale.ROOT);
  }

  @Override
  void writeAzure(SimRecord first, String text) {
    String topic = topicOf(first.category);
    topics.add(topic);
    send(new ProducerRecord<>(topic, null, text.getBytes(StandardCharsets.UTF_8)));
  }

  @Override
  void writeAgent(SimRecord line) {
    topics.add(AGENT_TOPIC);
    send(
        new ProducerRecord<>(
            AGENT_TOPIC,
            line.machine.getBytes(StandardCharsets.UTF_8),
            line.agentLine.getBytes(StandardCharsets.UTF_8)));
  }

  private void send(ProducerRecord<byte[], byte[]> record) {
    Exception e = failure.get();
    if (e != null) {
      throw new IllegalStateException("the broker refused simulated records: " + e.getMessage(), e);
    }
    producer.send(
        record,
        (md, ex) -> {
          if (ex != null) {
            failure.compareAndSet(null, ex);
          }
        });
  }

  /** The topics written to. */
  Set<String> topics() {
    return topics;
  }

  @Override
  public void close() {
    flushOpen();
    producer.flush();
    Exception e = failure.get();
    if (e != null) {
      throw new IllegalStateException("the broker refused simulated records: " + e.getMessage(), e);
    }
  }
}

package io.linkwatch.ingest.source.kafka;

import io.linkwatch.avro.DeadLetterReason;
import io.linkwatch.ingest.IngestException;
import io.linkwatch.ingest.parse.AgentLogParser;
import io.linkwatch.ingest.parse.AzureLogParser;
import io.linkwatch.ingest.parse.DeadLetters;
import io.linkwatch.ingest.parse.Origin;
import io.linkwatch.ingest.sink.KafkaEventSink;
import io.linkwatch.ingest.source.Progress;
import io.linkwatch.ingest.source.Summary;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.regex.Pattern;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.FencedInstanceIdException;
import org.apache.kafka.common.errors.InvalidProducerEpochException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.header.Header;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Consumes the raw diagnostic-settings export from Kafka topics (Azure Event Hubs speaks the Kafka
 * protocol: this is how a real deployment reads its stream) and puts the parsed records on the
 * event topics. Input: messages of {@code insights-logs-<category>} holding {@code
 * {"records":[...]}} envelopes (or PT1H lines, or Log Analytics rows), and agent log lines keyed by
 * machine. Output: the event and dead-letter topics, each dead letter positioned by topic,
 * partition and offset.
 *
 * <p>Exactly once when the raw topics live on the cluster of the event topics: each poll is one
 * Kafka transaction holding the events, the dead letters and the consumed offsets ({@code
 * sendOffsetsToTransaction} with the consumer's group metadata, KIP-447), so a crash or a rebalance
 * neither loses nor repeats a record for a {@code read_committed} reader. A failed transaction is
 * aborted and the batch read again. When the raw topics are on another cluster (Event Hubs), a
 * transaction cannot span both: the source then runs at least once (offsets committed after the
 * broker acknowledged the batch), and the stable event ids let the topology drop the repeats.
 */
public final class KafkaSource {

  private static final Logger LOG = LoggerFactory.getLogger(KafkaSource.class);
  private static final int MAX_ABORTS_IN_A_ROW = 5;

  /**
   * @param topics topics to read, or empty to use {@code pattern}
   * @param pattern pattern of the topics to read
   * @param exactlyOnce one transaction per poll (needs a transactional producer)
   * @param poll longest wait of one poll
   * @param idleTimeout return after this long without a record, or {@code null} to run until
   *     stopped
   */
  public record Options(
      List<String> topics,
      Pattern pattern,
      boolean exactlyOnce,
      Duration poll,
      Duration idleTimeout) {}

  private final Options options;
  private final Consumer<byte[], byte[]> consumer;
  private final Producer<byte[], byte[]> producer;
  private final KafkaEventSink sink;
  private final AzureLogParser azure;
  private final AgentLogParser agent;
  private final DeadLetters deadLetters;
  private final Progress progress;
  private long messages;
  private long bytes;

  public KafkaSource(
      Options options,
      Consumer<byte[], byte[]> consumer,
      Producer<byte[], byte[]> producer,
      KafkaEventSink sink,
      AzureLogParser azure,
      AgentLogParser agent,
      int maxDeadLetterRawBytes,
      Progress progress) {
    this.options = options;
    this.consumer = consumer;
    this.producer = producer;
    this.sink = sink;
    this.azure = azure;
    this.agent = agent;
    this.deadLetters = new DeadLetters(maxDeadLetterRawBytes);
    this.progress = progress;
  }

  /**
   * Consumes until {@code stopRequested} says so (or the idle timeout passes).
   *
   * @throws IngestException when the producer was fenced (another instance with the same
   *     transactional id), credentials were refused, or the broker kept refusing the records
   */
  public Summary run(BooleanSupplier stopRequested) {
    long started = System.nanoTime();
    if (options.exactlyOnce()) {
      producer.initTransactions();
    }
    Listener listener = new Listener();
    if (options.topics().isEmpty()) {
      consumer.subscribe(options.pattern(), listener);
    } else {
      consumer.subscribe(options.topics(), listener);
    }
    LOG.info(
        "reading {} {}",
        options.topics().isEmpty() ? "topics matching" : "topics",
        options.topics().isEmpty() ? options.pattern() : options.topics());
    long lastRecord = System.nanoTime();
    int abortsInARow = 0;
    try {
      while (!stopRequested.getAsBoolean()) {
        ConsumerRecords<byte[], byte[]> records = consumer.poll(options.poll());
        if (records.isEmpty()) {
          if (consumer.assignment().isEmpty()) {
            // still joining the group (a rebalance waits for a dead member's session to end):
            // idle means no record while partitions are ours
            lastRecord = System.nanoTime();
          }
          if (options.idleTimeout() != null
              && System.nanoTime() - lastRecord > options.idleTimeout().toNanos()) {
            LOG.info("no record for {}: stopping", options.idleTimeout());
            break;
          }
          report();
          continue;
        }
        lastRecord = System.nanoTime();
        if (options.exactlyOnce()) {
          if (transaction(records)) {
            abortsInARow = 0;
          } else if (++abortsInARow >= MAX_ABORTS_IN_A_ROW) {
            throw new IngestException(
                "the broker refused "
                    + abortsInARow
                    + " transactions in a row; stopping without committing (the batch will be"
                    + " read again on restart)");
          }
        } else {
          handle(records);
          sink.flush();
          consumer.commitSync(nextOffsets(records));
        }
        report();
      }
    } catch (ProducerFencedException
        | InvalidProducerEpochException
        | FencedInstanceIdException e) {
      throw new IngestException(
          "another ingest instance took over this transactional id ("
              + e.getMessage()
              + "): give each instance its own ingest.kafka.transactional.id",
          e);
    } catch (AuthenticationException | AuthorizationException e) {
      throw new IngestException("Kafka refused the credentials: " + e.getMessage(), e);
    } finally {
      report();
    }
    return Summary.of(
        messages, bytes, sink.metrics(), Duration.ofNanos(System.nanoTime() - started));
  }

  /** One poll in one transaction: events, dead letters and offsets, or none of them. */
  private boolean transaction(ConsumerRecords<byte[], byte[]> records) {
    producer.beginTransaction();
    try {
      handle(records);
      producer.sendOffsetsToTransaction(nextOffsets(records), consumer.groupMetadata());
      producer.commitTransaction();
      return true;
    } catch (ProducerFencedException
        | InvalidProducerEpochException
        | FencedInstanceIdException e) {
      throw e;
    } catch (KafkaException e) {
      LOG.warn(
          "transaction of {} records aborted ({}); reading them again",
          records.count(),
          e.toString());
      producer.abortTransaction();
      sink.clearFailure();
      for (TopicPartition tp : records.partitions()) {
        consumer.seek(tp, records.records(tp).get(0).offset());
      }
      return false;
    }
  }

  private void handle(ConsumerRecords<byte[], byte[]> records) {
    for (ConsumerRecord<byte[], byte[]> r : records) {
      messages++;
      Origin origin = Origin.kafka(r.topic(), r.partition(), r.offset());
      byte[] value = r.value();
      long t0 = System.nanoTime();
      if (value == null || value.length == 0) {
        sink.deadLetter(
            r.topic(),
            deadLetters.create(
                DeadLetterReason.MALFORMED_JSON,
                "empty message (null or no bytes) [" + origin.describe() + "]",
                null,
                new byte[0],
                0,
                0,
                DeadLetters.CONTENT_JSON,
                origin.toProvenance(System.currentTimeMillis()),
                System.currentTimeMillis()));
        continue;
      }
      bytes += value.length;
      if (isAgentLine(value)) {
        String machine = machineOf(r);
        if (machine == null) {
          sink.deadLetter(
              r.topic(),
              deadLetters.create(
                  DeadLetterReason.MISSING_FIELD,
                  "an agent log line needs the machine name as its record key (or a 'machine'"
                      + " header) ["
                      + origin.describe()
                      + "]",
                  null,
                  value,
                  0,
                  value.length,
                  DeadLetters.CONTENT_TEXT,
                  origin.toProvenance(System.currentTimeMillis()),
                  System.currentTimeMillis()));
        } else {
          agent.parseLines(value, 0, value.length, machine, "azcmagent.log", origin, sink);
        }
      } else {
        azure.parsePayload(value, 0, value.length, origin, sink);
      }
      sink.metrics().recordParse(System.nanoTime() - t0);
    }
  }

  private static boolean isAgentLine(byte[] value) {
    int i = 0;
    while (i < value.length && (value[i] == ' ' || value[i] == '\n' || value[i] == '\r')) {
      i++;
    }
    return i + 5 <= value.length
        && value[i] == 't'
        && value[i + 1] == 'i'
        && value[i + 2] == 'm'
        && value[i + 3] == 'e'
        && value[i + 4] == '=';
  }

  private static String machineOf(ConsumerRecord<byte[], byte[]> r) {
    if (r.key() != null && r.key().length > 0) {
      return new String(r.key(), StandardCharsets.UTF_8);
    }
    Header h = r.headers().lastHeader("machine");
    return h == null || h.value() == null ? null : new String(h.value(), StandardCharsets.UTF_8);
  }

  private static Map<TopicPartition, OffsetAndMetadata> nextOffsets(
      ConsumerRecords<byte[], byte[]> records) {
    Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
    for (TopicPartition tp : records.partitions()) {
      List<ConsumerRecord<byte[], byte[]>> rs = records.records(tp);
      offsets.put(tp, new OffsetAndMetadata(rs.get(rs.size() - 1).offset() + 1));
    }
    return offsets;
  }

  private void report() {
    progress.update(bytes, -1, Progress.status("messages", messages, sink.metrics()));
  }

  /** Logs assignments: an operator sees which partitions this instance reads. */
  private static final class Listener implements ConsumerRebalanceListener {
    @Override
    public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
      if (!partitions.isEmpty()) {
        LOG.info("partitions revoked: {}", partitions);
      }
    }

    @Override
    public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
      if (!partitions.isEmpty()) {
        LOG.info("partitions assigned: {}", partitions);
      }
    }
  }
}

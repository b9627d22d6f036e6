package io.linkwatch.ingest.sink;

import io.linkwatch.avro.AgentEvent;
import io.linkwatch.avro.ConnectionEvent;
import io.linkwatch.avro.DeadLetter;
import io.linkwatch.avro.DeadLetterReason;
import io.linkwatch.avro.Provenance;
import io.linkwatch.avro.ProvisioningEvent;
import io.linkwatch.ingest.IngestException;
import io.linkwatch.ingest.parse.DeadLetters;
import io.linkwatch.ingest.parse.ParseOutput;
import io.linkwatch.ingest.sink.IngestMetrics.EventType;
import io.linkwatch.schemas.serde.AvroSerdes;
import io.linkwatch.schemas.topic.Topics;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.apache.avro.Schema;
import org.apache.avro.generic.IndexedRecord;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.Serializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes what the parsers produce to the event topics and the ingest dead-letter topic (DESIGN.md
 * "Topics"): {@code ConnectionEvent} to the connections topic keyed {@code <hub>/<deviceId>},
 * {@code ProvisioningEvent} to the provisioning topic keyed {@code <dps>/<registrationId>}, {@code
 * AgentEvent} to the agent topic keyed by machine, and {@code DeadLetter} to the dead-letter topic
 * keyed by source name, with its provenance and reason repeated as headers ({@code
 * linkwatch.dlq.*}) so that a tool that cannot read Avro still sees why.
 *
 * <p>The record timestamp of an event is its event time. Sends are asynchronous; a {@link Batch}
 * tracks the acknowledgements of a group of records (an HTTP request), {@link #flush()} waits for
 * all of them and reports a failed send as an {@link IngestException}, so that a source never saves
 * a checkpoint past a record the broker did not take.
 */
public final class KafkaEventSink implements ParseOutput, AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(KafkaEventSink.class);

  /** Header names of a dead letter. */
  public static final String H_REASON_CODE = "linkwatch.dlq.reason.code";

  public static final String H_REASON = "linkwatch.dlq.reason";
  public static final String H_SOURCE_KIND = "linkwatch.dlq.source.kind";
  public static final String H_SOURCE = "linkwatch.dlq.source";
  public static final String H_PARTITION = "linkwatch.dlq.partition";
  public static final String H_POSITION = "linkwatch.dlq.position";
  public static final String H_RECORD_INDEX = "linkwatch.dlq.record.index";
  public static final String H_REQUEST_ID = "linkwatch.dlq.request.id";

  // room for the record overhead (key, headers, batch header) below max.request.size
  private static final int RECORD_OVERHEAD = 4096;

  private final Producer<byte[], byte[]> producer;
  private final IngestMetrics metrics;
  private final String connectionsTopic;
  private final String provisioningTopic;
  private final String agentTopic;
  private final String deadLetterTopic;
  private final Serializer<ConnectionEvent> connections;
  private final Serializer<ProvisioningEvent> provisioning;
  private final Serializer<AgentEvent> agents;
  private final Serializer<DeadLetter> deadLetters;
  private final Encoding<ConnectionEvent> connectionBytes;
  private final Encoding<ProvisioningEvent> provisioningBytes;
  private final Encoding<AgentEvent> agentBytes;
  private final int maxValueBytes;
  private final DeadLetters tooLarge;
  private final AtomicReference<Exception> failure = new AtomicReference<>();
  private final AtomicLong unacknowledged = new AtomicLong();
  private volatile long retentionMs = -1;
  private final java.util.concurrent.atomic.AtomicBoolean warnedOld =
      new java.util.concurrent.atomic.AtomicBoolean();

  /**
   * @param producer a producer of byte arrays (the sink serializes, so that it can measure)
   * @param topics the typed topics: names and value serdes
   * @param metrics the source's meters
   * @param maxRequestBytes the producer's max.request.size: an event that would exceed it is
   *     dead-lettered as TOO_LARGE instead of failing the producer
   */
  public KafkaEventSink(
      Producer<byte[], byte[]> producer,
      Topics topics,
      IngestMetrics metrics,
      int maxRequestBytes) {
    this.producer = producer;
    this.metrics = metrics;
    this.connectionsTopic = topics.connections().name();
    this.provisioningTopic = topics.provisioning().name();
    this.agentTopic = topics.agent().name();
    this.deadLetterTopic = topics.ingestDeadLetter().name();
    this.connections = topics.connections().valueSerde().serializer();
    this.provisioning = topics.provisioning().valueSerde().serializer();
    this.agents = topics.agent().valueSerde().serializer();
    this.deadLetters = topics.ingestDeadLetter().valueSerde().serializer();
    boolean fast = topics.serdes().encoding() == AvroSerdes.Encoding.SINGLE_OBJECT;
    this.connectionBytes =
        new Encoding<>(connectionsTopic, connections, ConnectionEvent.getClassSchema(), fast);
    this.provisioningBytes =
        new Encoding<>(provisioningTopic, provisioning, ProvisioningEvent.getClassSchema(), fast);
    this.agentBytes = new Encoding<>(agentTopic, agents, AgentEvent.getClassSchema(), fast);
    this.maxValueBytes = Math.max(1024, maxRequestBytes - RECORD_OVERHEAD);
    this.tooLarge = new DeadLetters(Math.max(0, maxValueBytes / 2));
  }

  @Override
  public void connection(String key, ConnectionEvent event) {
    prepareConnection(key, event, this::sendNow);
  }

  @Override
  public void provisioning(String key, ProvisioningEvent event) {
    prepareProvisioning(key, event, this::sendNow);
  }

  @Override
  public void agent(String key, AgentEvent event) {
    prepareAgent(key, event, this::sendNow);
  }

  @Override
  public void deadLetter(String key, DeadLetter deadLetter) {
    prepareDeadLetter(key, deadLetter, this::sendNow);
  }

  /**
   * An event or dead letter encoded and ready to send: what a parsing thread hands to the thread
   * that sends, so that encoding runs in parallel and sending stays in order.
   */
  public record Prepared(
      EventType type, ProducerRecord<byte[], byte[]> record, DeadLetterReason reason) {}

  /**
   * A {@link ParseOutput} that encodes (in the calling thread) into {@code into}, for {@link
   * #send}.
   */
  public ParseOutput preparing(List<Prepared> into) {
    return new ParseOutput() {
      @Override
      public void connection(String key, ConnectionEvent event) {
        prepareConnection(key, event, into::add);
      }

      @Override
      public void provisioning(String key, ProvisioningEvent event) {
        prepareProvisioning(key, event, into::add);
      }

      @Override
      public void agent(String key, AgentEvent event) {
        prepareAgent(key, event, into::add);
      }

      @Override
      public void deadLetter(String key, DeadLetter deadLetter) {
        prepareDeadLetter(key, deadLetter, into::add);
      }
    };
  }

  /** Sends a record prepared by {@link #preparing}. */
  public void send(Prepared prepared) {
    send(prepared, null);
  }

  private void sendNow(Prepared p) {
    send(p, null);
  }

  /** A group of records whose acknowledgements are awaited together (one HTTP request). */
  public Batch batch() {
    return new Batch();
  }

  /**
   * Waits until the broker has acknowledged every record sent so far.
   *
   * @throws IngestException when a send failed: nothing after the last checkpoint may be assumed
   *     stored
   */
  public void flush() {
    producer.flush();
    Exception e = failure.get();
    if (e != null) {
      throw new IngestException(
          "the broker did not accept every record ("
              + e.getClass().getSimpleName()
              + ": "
              + e.getMessage()
              + "); nothing after the last checkpoint is assumed stored",
          e);
    }
  }

  /**
   * Warns, once, when an event is older than the retention of the event topics: its record
   * timestamp is its event time, so the broker deletes it as soon as its segment rolls.
   */
  public void warnBeyondRetention(long retentionMs) {
    this.retentionMs = retentionMs;
  }

  /** The first failed send, or {@code null}. */
  public Exception failure() {
    return failure.get();
  }

  /** Forgets a failed send whose records will be sent again (an aborted transaction). */
  public void clearFailure() {
    failure.set(null);
  }

  /** Records sent and not yet acknowledged (or failed). */
  public long unacknowledged() {
    return unacknowledged.get();
  }

  public IngestMetrics metrics() {
    return metrics;
  }

  @Override
  public void close() {
    producer.close();
  }

  private void prepareConnection(String key, ConnectionEvent e, Consumer<Prepared> emit) {
    prepareEvent(
        EventType.CONNECTION,
        connectionsTopic,
        key,
        e.getTime(),
        connectionBytes.encode(e),
        e.getProvenance(),
        emit);
  }

  private void prepareProvisioning(String key, ProvisioningEvent e, Consumer<Prepared> emit) {
    prepareEvent(
        EventType.PROVISIONING,
        provisioningTopic,
        key,
        e.getTime(),
        provisioningBytes.encode(e),
        e.getProvenance(),
        emit);
  }

  private void prepareAgent(String key, AgentEvent e, Consumer<Prepared> emit) {
    prepareEvent(
        EventType.AGENT,
        agentTopic,
        key,
        e.getTime(),
        agentBytes.encode(e),
        e.getProvenance(),
        emit);
  }

  private void prepareEvent(
      EventType type,
      String topic,
      String key,
      Instant time,
      byte[] value,
      Provenance provenance,
      Consumer<Prepared> emit) {
    if (value.length > maxValueBytes) {
      // the event would be refused by the producer and stop the source: keep it as a dead letter
      DeadLetter dl =
          tooLarge.create(
              DeadLetterReason.TOO_LARGE,
              "the "
                  + type.tag()
                  + " event is "
                  + value.length
                  + " bytes, over the producer's max.request.size; raise max.request.size (and the"
                  + " topic's max.message.bytes) to keep such records",
              null,
              value,
              0,
              value.length,
              "avro/binary",
              provenance,
              System.currentTimeMillis());
      prepareDeadLetter(provenance.getSource(), dl, emit);
      return;
    }
    long timestamp = time.toEpochMilli();
    long retention = retentionMs;
    if (retention > 0
        && timestamp < System.currentTimeMillis() - retention
        && warnedOld.compareAndSet(false, true)) {
      LOG.warn(
          "event time {} is older than the retention of the event topics ({} h): the broker"
              + " deletes such records as soon as their segment rolls (their timestamp is their"
              + " event time); give the topics a longer retention.ms to keep historical data",
          time,
          retention / 3_600_000L);
    }
    emit.accept(
        new Prepared(
            type,
            new ProducerRecord<>(
                topic, null, timestamp, key.getBytes(StandardCharsets.UTF_8), value),
            null));
  }

  private void prepareDeadLetter(String key, DeadLetter dl, Consumer<Prepared> emit) {
    RecordHeaders headers = new RecordHeaders();
    header(headers, H_REASON_CODE, dl.getReasonCode().name());
    header(headers, H_REASON, dl.getReason());
    Provenance p = dl.getProvenance();
    header(headers, H_SOURCE_KIND, p.getSourceKind().name());
    header(headers, H_SOURCE, p.getSource());
    header(headers, H_PARTITION, p.getPartition());
    header(headers, H_POSITION, p.getPosition());
    header(headers, H_RECORD_INDEX, p.getRecordIndex());
    header(headers, H_REQUEST_ID, p.getRequestId());
    byte[] value = deadLetters.serialize(deadLetterTopic, dl);
    emit.accept(
        new Prepared(
            EventType.DEAD_LETTER,
            new ProducerRecord<>(
                deadLetterTopic,
                null,
                dl.getTime().toEpochMilli(),
                key.getBytes(StandardCharsets.UTF_8),
                value,
                headers),
            dl.getReasonCode()));
  }

  private static void header(RecordHeaders headers, String name, Object value) {
    if (value != null) {
      headers.add(name, value.toString().getBytes(StandardCharsets.UTF_8));
    }
  }

  private void send(Prepared prepared, Batch batch) {
    EventType type = prepared.type();
    metrics.recordIn();
    if (prepared.reason() != null) {
      metrics.recordDeadLetter(prepared.reason());
    }
    unacknowledged.incrementAndGet();
    if (batch != null) {
      batch.pending.incrementAndGet();
    }
    Callback callback =
        (metadata, e) -> {
          unacknowledged.decrementAndGet();
          if (e == null) {
            metrics.recordOut(type);
          } else {
            metrics.recordProducerError(type, e);
            failure.compareAndSet(null, e);
          }
          if (batch != null) {
            batch.acknowledged(type, e);
          }
        };
    try {
      producer.send(prepared.record(), callback);
    } catch (KafkaException e) {
      callback.onCompletion(null, e);
    }
  }

  /** Records sent on behalf of one request, and the moment the broker has them all. */
  public final class Batch implements ParseOutput {

    private final AtomicInteger pending = new AtomicInteger(1); // 1 until sealed
    private final AtomicInteger events = new AtomicInteger();
    private final AtomicInteger deadLettered = new AtomicInteger();
    private final AtomicReference<Exception> error = new AtomicReference<>();
    private final CompletableFuture<Void> done = new CompletableFuture<>();

    private Batch() {}

    @Override
    public void connection(String key, ConnectionEvent event) {
      prepareConnection(key, event, this::send);
    }

    @Override
    public void provisioning(String key, ProvisioningEvent event) {
      prepareProvisioning(key, event, this::send);
    }

    @Override
    public void agent(String key, AgentEvent event) {
      prepareAgent(key, event, this::send);
    }

    @Override
    public void deadLetter(String key, DeadLetter deadLetter) {
      prepareDeadLetter(key, deadLetter, this::send);
    }

    /** Sends a record prepared by {@link KafkaEventSink#preparing} as part of this batch. */
    public void send(Prepared prepared) {
      KafkaEventSink.this.send(prepared, this);
    }

    /** Whether every record of the sealed batch was acknowledged (or failed). */
    public boolean isDone() {
      return done.isDone();
    }

    /** No more records will be added; completion can now be reached. */
    public Batch seal() {
      release();
      return this;
    }

    /**
     * Waits for the broker to acknowledge every record of the batch.
     *
     * @return {@code true} when all were acknowledged in time (see {@link #error()})
     */
    public boolean await(long timeoutMs) throws InterruptedException {
      try {
        done.get(timeoutMs, TimeUnit.MILLISECONDS);
        return true;
      } catch (java.util.concurrent.TimeoutException e) {
        return false;
      } catch (java.util.concurrent.ExecutionException e) {
        return true;
      }
    }

    /** Runs {@code action} once every record of the sealed batch is acknowledged (or failed). */
    public void whenDone(Runnable action) {
      done.whenComplete((v, e) -> action.run());
    }

    /** The first failed send of the batch, or {@code null}. */
    public Exception error() {
      return error.get();
    }

    /** Events acknowledged. */
    public int events() {
      return events.get();
    }

    /** Dead letters acknowledged. */
    public int deadLettered() {
      return deadLettered.get();
    }

    private void acknowledged(EventType type, Exception e) {
      if (e != null) {
        error.compareAndSet(null, e);
      } else if (type == EventType.DEAD_LETTER) {
        deadLettered.incrementAndGet();
      } else {
        events.incrementAndGet();
      }
      release();
    }

    private void release() {
      if (pending.decrementAndGet() == 0) {
        done.complete(null);
      }
    }
  }

  /**
   * The bytes of one event type: the {@link FastAvroEncoder} when the topics use single-object
   * encoding, checked against the topic's serde on the first records (and given up, with a warning,
   * on the first difference); the serde otherwise.
   */
  private static final class Encoding<T extends SpecificRecord> {
    private static final int CHECKED = 1000;

    private final String topic;
    private final Serializer<T> serde;
    private final ThreadLocal<FastAvroEncoder> fast;
    private final AtomicLong checked = new AtomicLong();
    private volatile boolean useFast;

    Encoding(String topic, Serializer<T> serde, Schema schema, boolean singleObject) {
      this.topic = topic;
      this.serde = serde;
      this.fast = ThreadLocal.withInitial(() -> FastAvroEncoder.compile(schema));
      this.useFast = singleObject && FastAvroEncoder.compile(schema) != null;
    }

    byte[] encode(T record) {
      if (!useFast) {
        return serde.serialize(topic, record);
      }
      byte[] bytes = fast.get().encode((IndexedRecord) record);
      if (checked.get() < CHECKED && checked.incrementAndGet() <= CHECKED) {
        byte[] reference = serde.serialize(topic, record);
        if (!Arrays.equals(bytes, reference)) {
          useFast = false;
          LOG.warn(
              "the compiled Avro encoder of {} differs from the serde: using the serde (slower)",
              record.getSchema().getFullName());
          return reference;
        }
      }
      return bytes;
    }
  }

  /** Convenience for tests and tools: the raw bytes of a dead letter. */
  public static byte[] raw(DeadLetter dl) {
    ByteBuffer b = dl.getRaw().duplicate();
    byte[] out = new byte[b.remaining()];
    b.get(out);
    return out;
  }
}

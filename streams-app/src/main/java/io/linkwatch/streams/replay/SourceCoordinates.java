package io.linkwatch.streams.replay;

import java.io.File;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.streams.StreamsMetrics;
import org.apache.kafka.streams.processor.Cancellable;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.Punctuator;
import org.apache.kafka.streams.processor.StateStore;
import org.apache.kafka.streams.processor.TaskId;
import org.apache.kafka.streams.processor.api.FixedKeyProcessorSupplier;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.ProcessorSupplier;
import org.apache.kafka.streams.processor.api.ProcessorWrapper;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.apache.kafka.streams.processor.api.WrappedFixedKeyProcessorSupplier;
import org.apache.kafka.streams.processor.api.WrappedProcessorSupplier;
import org.apache.kafka.streams.state.StoreBuilder;

/**
 * Gives the topology the coordinates (partition, offset) of the original input records while a
 * replay feeds them through a {@code TopologyTestDriver}, which knows one partition and numbers
 * offsets itself.
 *
 * <p>Each replayed record carries its original partition and offset in the header {@value #HEADER}.
 * This {@link ProcessorWrapper} ({@code processor.wrapper.class}) wraps linkwatch's own processors:
 * while one of them processes a record that carries the header, {@link
 * ProcessorContext#recordMetadata()} answers the original coordinates. The correlators cite those
 * as evidence, so the replayed incidents and alerts name the live offsets, as the live run does.
 * Kafka's own DSL processors are left unwrapped (some of them need the runtime's context class).
 */
public final class SourceCoordinates implements ProcessorWrapper {

  /** Header of a copied record: original partition (4 bytes) and offset (8 bytes), big-endian. */
  public static final String HEADER = "linkwatch.replay.source";

  /** The header value for a record of {@code partition} at {@code offset}. */
  public static byte[] encode(int partition, long offset) {
    return ByteBuffer.allocate(12).putInt(partition).putLong(offset).array();
  }

  @Override
  public <KIn, VIn, KOut, VOut>
      WrappedProcessorSupplier<KIn, VIn, KOut, VOut> wrapProcessorSupplier(
          String processorName, ProcessorSupplier<KIn, VIn, KOut, VOut> supplier) {
    return new WrappedProcessorSupplier<>() {
      @Override
      public Processor<KIn, VIn, KOut, VOut> get() {
        Processor<KIn, VIn, KOut, VOut> inner = supplier.get();
        return ours(inner) ? new CoordinatesProcessor<>(inner) : inner;
      }

      @Override
      public Set<StoreBuilder<?>> stores() {
        return supplier.stores();
      }
    };
  }

  @Override
  public <KIn, VIn, VOut>
      WrappedFixedKeyProcessorSupplier<KIn, VIn, VOut> wrapFixedKeyProcessorSupplier(
          String processorName, FixedKeyProcessorSupplier<KIn, VIn, VOut> supplier) {
    return ProcessorWrapper.asWrappedFixedKey(supplier);
  }

  private static boolean ours(Processor<?, ?, ?, ?> processor) {
    return processor.getClass().getName().startsWith("io.linkwatch.");
  }

  /** The original coordinates a header carries, or null. */
  static RecordMetadata decode(Headers headers, String topic) {
    Header h = headers.lastHeader(HEADER);
    if (h == null || h.value() == null || h.value().length != 12) {
      return null;
    }
    ByteBuffer b = ByteBuffer.wrap(h.value());
    return new Coordinates(topic, b.getInt(), b.getLong());
  }

  private record Coordinates(String topic, int partition, long offset) implements RecordMetadata {}

  /** A processor whose context answers the original coordinates of the record it processes. */
  private static final class CoordinatesProcessor<KIn, VIn, KOut, VOut>
      implements Processor<KIn, VIn, KOut, VOut> {

    private final Processor<KIn, VIn, KOut, VOut> inner;
    private ProcessorContext<KOut, VOut> context;
    private RecordMetadata current;

    CoordinatesProcessor(Processor<KIn, VIn, KOut, VOut> inner) {
      this.inner = inner;
    }

    @Override
    public void init(ProcessorContext<KOut, VOut> context) {
      this.context = context;
      inner.init(new Context());
    }

    @Override
    public void process(Record<KIn, VIn> record) {
      RecordMetadata m = context.recordMetadata().orElse(null);
      current = m == null ? null : decode(record.headers(), m.topic());
      try {
        inner.process(record);
      } finally {
        current = null;
      }
    }

    @Override
    public void close() {
      inner.close();
    }

    /** The real context, but for {@link #recordMetadata()} while a copied record is processed. */
    private final class Context implements ProcessorContext<KOut, VOut> {

      @Override
      public Optional<RecordMetadata> recordMetadata() {
        return current != null ? Optional.of(current) : context.recordMetadata();
      }

      @Override
      public <K extends KOut, V extends VOut> void forward(Record<K, V> record) {
        context.forward(record);
      }

      @Override
      public <K extends KOut, V extends VOut> void forward(Record<K, V> record, String childName) {
        context.forward(record, childName);
      }

      @Override
      public String applicationId() {
        return context.applicationId();
      }

      @Override
      public TaskId taskId() {
        return context.taskId();
      }

      @Override
      public Serde<?> keySerde() {
        return context.keySerde();
      }

      @Override
      public Serde<?> valueSerde() {
        return context.valueSerde();
      }

      @Override
      public File stateDir() {
        return context.stateDir();
      }

      @Override
      public StreamsMetrics metrics() {
        return context.metrics();
      }

      @Override
      public <S extends StateStore> S getStateStore(String name) {
        return context.getStateStore(name);
      }

      @Override
      public Cancellable schedule(Duration interval, PunctuationType type, Punctuator callback) {
        return context.schedule(interval, type, callback);
      }

      @Override
      public Cancellable schedule(
          Instant startTime, Duration interval, PunctuationType type, Punctuator callback) {
        return context.schedule(startTime, interval, type, callback);
      }

      @Override
      public void commit() {
        context.commit();
      }

      @Override
      public Map<String, Object> appConfigs() {
        return context.appConfigs();
      }

      @Override
      public Map<String, Object> appConfigsWithPrefix(String prefix) {
        return context.appConfigsWithPrefix(prefix);
      }

      @Override
      public long currentSystemTimeMs() {
        return context.currentSystemTimeMs();
      }

      @Override
      public long currentStreamTimeMs() {
        return context.currentStreamTimeMs();
      }
    }
  }
}

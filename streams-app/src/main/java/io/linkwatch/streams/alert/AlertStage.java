package io.linkwatch.streams.alert;

import io.linkwatch.avro.Alert;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Utils;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Repartitioned;
import org.apache.kafka.streams.processor.StreamPartitioner;
import org.apache.kafka.streams.state.Stores;

/**
 * The alert stage: turns the window engine's {@link WindowResult}s into stateful alert transitions.
 *
 * <pre>
 *  WindowResult (key: series key) ──> alert-evaluate [linkwatch-alert-series]
 *        │ DIRECT ─────────────────────────────────────────────────────────────┐
 *        │ TARGET / SOURCE / TICK                                               │
 *        └─> linkwatch-alert-inhibition (repartition, key: scope; ticks to all) │
 *              └─> alert-inhibit [linkwatch-alert-inhibition-buffer, -state] ──>┴─> Alert (key: fingerprint)
 * </pre>
 *
 * Input: results keyed by {@link WindowResult#seriesKey()}, in window order per series, on the
 * partition that owns the series; the global rule store {@link AlertStageSettings#ruleStoreName()}
 * must be in the same topology. Output: {@link Alert} transitions keyed by fingerprint (the series
 * key), to be written to the alerts topic. Every store, processor and the internal topic are named.
 */
public final class AlertStage {

  private AlertStage() {}

  public static KStream<String, Alert> build(
      StreamsBuilder builder, KStream<String, WindowResult> results, AlertStageSettings settings) {
    builder.addStateStore(
        Stores.keyValueStoreBuilder(
            Stores.persistentKeyValueStore(AlertStageSettings.SERIES_STORE),
            Serdes.String(),
            new SeriesStateSerde()));
    builder.addStateStore(
        Stores.keyValueStoreBuilder(
            Stores.persistentKeyValueStore(AlertStageSettings.INHIBITION_BUFFER_STORE),
            Serdes.String(),
            new EnvelopeSerde()));
    builder.addStateStore(
        Stores.keyValueStoreBuilder(
            Stores.persistentKeyValueStore(AlertStageSettings.INHIBITION_STATE_STORE),
            Serdes.String(),
            Serdes.ByteArray()));

    KStream<String, Envelope> evaluated =
        results.process(
            () -> new SeriesEvaluator(settings),
            Named.as("alert-evaluate"),
            AlertStageSettings.SERIES_STORE);

    KStream<String, Alert> direct =
        evaluated
            .filter((k, e) -> e.kind() == Envelope.Kind.DIRECT, Named.as("alert-direct"))
            .mapValues(Envelope::alert, Named.as("alert-direct-value"));

    KStream<String, Alert> judged =
        evaluated
            .filter((k, e) -> e.kind() != Envelope.Kind.DIRECT, Named.as("alert-to-inhibition"))
            .repartition(
                Repartitioned.<String, Envelope>as(AlertStageSettings.INHIBITION_TOPIC)
                    .withKeySerde(Serdes.String())
                    .withValueSerde(new EnvelopeSerde())
                    .withStreamPartitioner(new ScopePartitioner()))
            .process(
                () -> new InhibitionProcessor(settings),
                Named.as("alert-inhibit"),
                AlertStageSettings.INHIBITION_BUFFER_STORE,
                AlertStageSettings.INHIBITION_STATE_STORE);

    AlertMetrics metrics = new AlertMetrics(settings.meterRegistry());
    return direct
        .merge(judged, Named.as("alert-merge"))
        .peek((k, alert) -> metrics.transition(alert), Named.as("alert-metrics"));
  }

  /** Scopes hash like the default partitioner; watermark ticks go to every partition. */
  static final class ScopePartitioner implements StreamPartitioner<String, Envelope> {
    @Override
    public Optional<Set<Integer>> partitions(
        String topic, String key, Envelope value, int numPartitions) {
      if (value != null && value.watermarkOnly()) {
        return Optional.of(IntStream.range(0, numPartitions).boxed().collect(Collectors.toSet()));
      }
      byte[] bytes = Serdes.String().serializer().serialize(topic, key == null ? "" : key);
      return Optional.of(Set.of(Utils.toPositive(Utils.murmur2(bytes)) % numPartitions));
    }
  }
}

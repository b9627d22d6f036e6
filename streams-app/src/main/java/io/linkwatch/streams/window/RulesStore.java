package io.linkwatch.streams.window;

import io.linkwatch.avro.AlertRule;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.ProcessorSupplier;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;

/**
 * The global store of alert rules, {@value #STORE}: a {@code KeyValueStore<String, AlertRule>}
 * keyed by rule id, fed from the compacted rules topic (a tombstone deletes the rule). Every task
 * of the topology reads it: the window engine for the rule views, the alert stage for the rule
 * itself.
 */
public final class RulesStore {

  /** The name of the global store (a contract with the alert stage). */
  public static final String STORE = "linkwatch-alert-rules";

  private RulesStore() {}

  /** The store: persistent, not logged (the compacted topic is its changelog). */
  public static StoreBuilder<KeyValueStore<String, AlertRule>> builder(Serde<AlertRule> serde) {
    return Stores.keyValueStoreBuilder(
            Stores.persistentKeyValueStore(STORE), Serdes.String(), serde)
        .withLoggingDisabled();
  }

  /** The processor that keeps the store in step with the topic and announces changes. */
  public static ProcessorSupplier<String, AlertRule, Void, Void> updater(RuleChanges changes) {
    return () ->
        new Processor<>() {
          private KeyValueStore<String, AlertRule> store;

          @Override
          public void init(ProcessorContext<Void, Void> context) {
            store = context.getStateStore(STORE);
          }

          @Override
          public void process(Record<String, AlertRule> record) {
            if (record.key() == null) {
              return;
            }
            if (record.value() == null) {
              store.delete(record.key());
            } else {
              store.put(record.key(), record.value());
            }
            changes.changed();
          }
        };
  }
}

package io.linkwatch.streams.window;

import io.linkwatch.avro.AlertRule;
import io.linkwatch.streams.config.StreamsSettings;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * A task's view of the views in force: reads the rules from the global store {@value
 * RulesStore#STORE} and rebuilds its {@link ViewRegistry} when the rules change. Rule changes take
 * effect without a restart; at startup the global store is fully restored before any task runs, so
 * a replay with the same rules sees the same views from its first record.
 */
public final class ViewLookup {

  private final StreamsSettings settings;
  private final RuleChanges changes;
  private KeyValueStore<String, AlertRule> rules;
  private long seen = -1;
  private ViewRegistry registry;

  public ViewLookup(StreamsSettings settings, RuleChanges changes) {
    this.settings = settings;
    this.changes = changes;
  }

  public void init(ProcessorContext<?, ?> context) {
    rules = context.getStateStore(RulesStore.STORE);
    seen = -1;
  }

  ViewRegistry registry() {
    long current = changes.current();
    if (registry == null || current != seen) {
      List<AlertRule> all = new ArrayList<>();
      if (rules != null) {
        try (KeyValueIterator<String, AlertRule> it = rules.all()) {
          while (it.hasNext()) {
            KeyValue<String, AlertRule> kv = it.next();
            if (kv.value != null) {
              all.add(kv.value);
            }
          }
        }
      }
      registry = ViewRegistry.build(settings, all);
      seen = current;
    }
    return registry;
  }
}

package io.linkwatch.ingest.parse;

import io.linkwatch.avro.AgentEvent;
import io.linkwatch.avro.ConnectionEvent;
import io.linkwatch.avro.DeadLetter;
import io.linkwatch.avro.ProvisioningEvent;
import java.util.Arrays;

/**
 * What a unit produced, held until the whole unit has parsed: a unit that turns out to be broken
 * half-way is dead-lettered as a whole, and none of its records may have been emitted already.
 */
final class Pending {

  private static final byte CONNECTION = 1;
  private static final byte PROVISIONING = 2;
  private static final byte AGENT = 3;
  private static final byte DEAD_LETTER = 4;

  private byte[] kinds = new byte[16];
  private String[] keys = new String[16];
  private Object[] values = new Object[16];
  private int size;

  void clear() {
    Arrays.fill(keys, 0, size, null);
    Arrays.fill(values, 0, size, null);
    size = 0;
  }

  void connection(String key, ConnectionEvent e) {
    add(CONNECTION, key, e);
  }

  void provisioning(String key, ProvisioningEvent e) {
    add(PROVISIONING, key, e);
  }

  void agent(String key, AgentEvent e) {
    add(AGENT, key, e);
  }

  void deadLetter(String key, DeadLetter d) {
    add(DEAD_LETTER, key, d);
  }

  /** Hands everything to the output in order, then forgets it; returns how many there were. */
  int flushTo(ParseOutput out) {
    int n = size;
    for (int i = 0; i < n; i++) {
      switch (kinds[i]) {
        case CONNECTION -> out.connection(keys[i], (ConnectionEvent) values[i]);
        case PROVISIONING -> out.provisioning(keys[i], (ProvisioningEvent) values[i]);
        case AGENT -> out.agent(keys[i], (AgentEvent) values[i]);
        default -> out.deadLetter(keys[i], (DeadLetter) values[i]);
      }
    }
    clear();
    return n;
  }

  private void add(byte kind, String key, Object value) {
    if (size == kinds.length) {
      kinds = Arrays.copyOf(kinds, size * 2);
      keys = Arrays.copyOf(keys, size * 2);
      values = Arrays.copyOf(values, size * 2);
    }
    kinds[size] = kind;
    keys[size] = key;
    values[size] = value;
    size++;
  }
}

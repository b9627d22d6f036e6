package io.linkwatch.streams.window;

import java.util.concurrent.atomic.AtomicLong;

/**
 * A change counter the rules global-store processor bumps on every rule update or deletion, so that
 * the stream tasks of the same topology rebuild their view registry from the global store (the
 * store is the truth; this only says "look again"). One per built topology.
 */
public final class RuleChanges {

  private final AtomicLong changes = new AtomicLong();

  void changed() {
    changes.incrementAndGet();
  }

  long current() {
    return changes.get();
  }
}

package io.linkwatch.ingest.sim;

import java.util.SplittableRandom;

/** Deterministic GUIDs from the simulator's random streams. */
final class Ids {

  private Ids() {}

  static String uuid(SplittableRandom r) {
    return new java.util.UUID(
            (r.nextLong() & ~0xF000L) | 0x4000L,
            (r.nextLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L)
        .toString();
  }
}

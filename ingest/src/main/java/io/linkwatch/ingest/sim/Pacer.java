package io.linkwatch.ingest.sim;

/**
 * Paces the simulator's output: at {@code speed} simulated seconds per second of wall-clock time (1
 * = live), and at most {@code rate} records per second. Zero for either means no limit.
 */
final class Pacer {

  private final double speed;
  private final double rate;
  private long wallStart = -1;
  private long firstArrival;
  private long count;

  Pacer(double speed, double rate) {
    this.speed = speed;
    this.rate = rate;
  }

  static Pacer none() {
    return new Pacer(0, 0);
  }

  void await(long arrivalMillis) {
    if (speed <= 0 && rate <= 0) {
      return;
    }
    long now = System.nanoTime();
    if (wallStart < 0) {
      wallStart = now;
      firstArrival = arrivalMillis;
    }
    long target = now;
    if (speed > 0) {
      target = Math.max(target, wallStart + (long) ((arrivalMillis - firstArrival) * 1e6 / speed));
    }
    if (rate > 0) {
      target = Math.max(target, wallStart + (long) (count * 1e9 / rate));
    }
    count++;
    long wait = target - now;
    if (wait > 0) {
      try {
        Thread.sleep(wait / 1_000_000L, (int) (wait % 1_000_000L));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while pacing the simulation", e);
      }
    }
  }
}

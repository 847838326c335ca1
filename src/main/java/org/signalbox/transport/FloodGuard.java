package org.signalbox.transport;

/**
 * Tells sustained flooding from a burst: PROTOCOL.md allows a 1008 close only when more than 10 x
 * {@code burst} frames were dropped within 10 s. Counts drops in fixed 10 s windows that start at
 * the first drop. Not thread-safe, like {@link TokenBucket}.
 */
final class FloodGuard {

  static final long WINDOW_NANOS = 10_000_000_000L;
  static final int DROPS_PER_BURST = 10;

  private final long limit;
  private long windowStart;
  private long drops;

  FloodGuard(int burst) {
    this.limit = (long) DROPS_PER_BURST * burst;
  }

  /**
   * Records one dropped frame.
   *
   * @return true when this drop makes the flooding sustained
   */
  boolean dropped(long nowNanos) {
    if (drops == 0 || nowNanos - windowStart > WINDOW_NANOS) {
      windowStart = nowNanos;
      drops = 0;
    }
    return ++drops > limit;
  }
}

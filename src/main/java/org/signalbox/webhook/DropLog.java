package org.signalbox.webhook;

import java.util.function.LongSupplier;

/**
 * Decides when dropped events are logged (PORTAL.md: once per minute, with the count since the
 * last line), so that a flood of events into a full queue gives one line a minute, not one per
 * event. Thread-safe: one lock around two fields, held for an addition.
 */
final class DropLog {

  private final LongSupplier nanoTime;
  private final long intervalNanos;
  private long unlogged;
  private long lastLogNanos;
  private boolean logged;

  /**
   * @param nanoTime a monotonic clock, {@code System::nanoTime} in service
   * @param intervalNanos the least time between two lines
   */
  DropLog(LongSupplier nanoTime, long intervalNanos) {
    this.nanoTime = nanoTime;
    this.intervalNanos = intervalNanos;
  }

  /**
   * Counts {@code n} more drops.
   *
   * @return the drops to log now (these and those held back since the last line), or 0 when the
   *     last line is less than an interval old
   */
  synchronized long add(long n) {
    unlogged += n;
    long now = nanoTime.getAsLong();
    if (unlogged == 0 || (logged && now - lastLogNanos < intervalNanos)) {
      return 0;
    }
    logged = true;
    lastLogNanos = now;
    return take();
  }

  /** The drops held back and not yet logged, now counted as logged: for a last line at stop. */
  synchronized long flush() {
    return take();
  }

  private long take() {
    long n = unlogged;
    unlogged = 0;
    return n;
  }
}

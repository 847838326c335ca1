package org.signalbox.webhook;

import java.util.function.DoubleSupplier;

/**
 * When an undelivered event is tried again (PORTAL.md): the n-th retry waits 2^(n−1) s, at most 5
 * min, varied by up to ±50 % so that receivers coming back from an outage are not hit by every
 * node's retries at the same instant. The cap applies to the nominal delay; jitter is added after
 * it, so capped retries still spread over 150–450 s instead of bunching at 300 s.
 * Thread-safe when its random source is.
 */
public final class Backoff {

  static final long FIRST_DELAY_MS = 1_000;
  /** Reached at the 10th retry (2^9 s = 512 s is past it). */
  static final long MAX_DELAY_MS = 5 * 60_000;
  /** Each delay is its nominal value times a factor in [1 − JITTER, 1 + JITTER). */
  static final double JITTER = 0.5;

  private static final long HOUR_MS = 3_600_000;

  private final long giveUpAfterMs;
  private final DoubleSupplier random;

  /**
   * @param retryHours {@code webhookRetryHours}; 0 means an event is never retried
   * @param random uniform values in [0, 1), as {@code Random::nextDouble}
   */
  public Backoff(long retryHours, DoubleSupplier random) {
    if (retryHours < 0) {
      throw new IllegalArgumentException("retryHours < 0: " + retryHours);
    }
    this.giveUpAfterMs = Math.multiplyExact(retryHours, HOUR_MS);
    this.random = random;
  }

  /** The wait before retry {@code retry} (1 for the first retry), in ms. */
  public long delayMs(int retry) {
    if (retry < 1) {
      throw new IllegalArgumentException("retry < 1: " + retry);
    }
    // Shifting by 30 or more would overflow long arithmetic long after the cap is reached.
    long nominal = retry > 30 ? MAX_DELAY_MS : Math.min(MAX_DELAY_MS, FIRST_DELAY_MS << (retry - 1));
    double factor = 1 + JITTER * (2 * random.getAsDouble() - 1);
    return Math.round(nominal * factor);
  }

  /** How long after its first attempt an event is given up: {@code webhookRetryHours}. */
  public long giveUpAfterMs() {
    return giveUpAfterMs;
  }
}

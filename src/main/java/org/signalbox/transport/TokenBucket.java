package org.signalbox.transport;

/**
 * The per-connection rate limit of PROTOCOL.md: {@code burst} frames at once, refilled at {@code
 * perSecond}; it starts full. Not thread-safe: a container delivers one connection's frames one at
 * a time.
 */
final class TokenBucket {

  private static final long NANOS_PER_SECOND = 1_000_000_000L;

  private final long capacity;
  /** Nanoseconds it takes to earn one token. */
  private final long nanosPerToken;

  /** Tokens available, scaled by {@code nanosPerToken} so refill needs no division. */
  private long balanceNanos;

  private long lastNanos;

  TokenBucket(int burst, int perSecond, long nowNanos) {
    this.capacity = burst;
    this.nanosPerToken = Math.max(1, NANOS_PER_SECOND / perSecond);
    this.balanceNanos = capacity * nanosPerToken;
    this.lastNanos = nowNanos;
  }

  /** Takes one token if there is one. */
  boolean tryTake(long nowNanos) {
    long elapsed = nowNanos - lastNanos;
    lastNanos = nowNanos;
    balanceNanos = Math.min(capacity * nanosPerToken, balanceNanos + Math.max(0, elapsed));
    if (balanceNanos < nanosPerToken) {
      return false;
    }
    balanceNanos -= nanosPerToken;
    return true;
  }
}

package org.signalbox.transport;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * Live connections per client address, bounded by {@code maxConnectionsPerAddress} (0: no limit).
 * Every successful {@link #tryAcquire} is paired with exactly one {@link #release} when that
 * connection ends; an address whose count falls to zero is forgotten, so the map holds only the
 * addresses that are connected now.
 */
public final class AddressCounts {

  private final int max;
  private final ConcurrentMap<String, Integer> live = new ConcurrentHashMap<>();

  public AddressCounts(int max) {
    this.max = max;
  }

  /** Takes a slot for {@code address}; false when it already has {@code max}. Null: not counted. */
  public boolean tryAcquire(String address) {
    if (max == 0 || address == null) {
      return true;
    }
    boolean[] taken = {false};
    live.compute(address, (a, n) -> {
      int count = n == null ? 0 : n;
      if (count >= max) {
        return n;
      }
      taken[0] = true;
      return count + 1;
    });
    return taken[0];
  }

  /** Gives back a slot taken by {@link #tryAcquire}. */
  public void release(String address) {
    if (max == 0 || address == null) {
      return;
    }
    live.computeIfPresent(address, (a, n) -> n <= 1 ? null : n - 1);
  }

  /** Whether a new connection from {@code address} would be refused now (a hint: it may race). */
  public boolean full(String address) {
    if (max == 0 || address == null) {
      return false;
    }
    Integer n = live.get(address);
    return n != null && n >= max;
  }

  /** The live connections of {@code address}. */
  public int count(String address) {
    Integer n = address == null ? null : live.get(address);
    return n == null ? 0 : n;
  }
}

package org.signalbox.transport;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class FloodGuardTest {

  private static final long SECOND = 1_000_000_000L;

  @Test
  void tripsOnlyPastTenBurstsWithinTenSeconds() {
    FloodGuard guard = new FloodGuard(2);
    for (int i = 0; i < 20; i++) {
      assertFalse(guard.dropped(i));
    }
    assertTrue(guard.dropped(21));
  }

  @Test
  void dropsSpreadOverTimeNeverTrip() {
    // One drop a second is at most 11 per 10 s window, below the limit of 20.
    FloodGuard slow = new FloodGuard(2);
    for (int i = 0; i < 100; i++) {
      assertFalse(slow.dropped(i * SECOND), "drop " + i);
    }
  }
}

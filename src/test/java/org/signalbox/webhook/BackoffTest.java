package org.signalbox.webhook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

class BackoffTest {

  /** PORTAL.md: 2^(n−1) s, at most 5 min, for retries 1 to 12. */
  private static final long[] NOMINAL_MS = {
    1_000, 2_000, 4_000, 8_000, 16_000, 32_000, 64_000, 128_000, 256_000, 300_000, 300_000,
    300_000
  };

  private static final double LOWEST = 0.0;
  private static final double HIGHEST = Math.nextDown(1.0);

  @Test
  void withoutJitterTheNthRetryWaitsTwoToTheNMinusOneSecondsUpToFiveMinutes() {
    Backoff middle = new Backoff(24, () -> 0.5);
    for (int n = 1; n <= 12; n++) {
      assertEquals(NOMINAL_MS[n - 1], middle.delayMs(n), "retry " + n);
    }
  }

  @Test
  void jitterReachesHalfAndOneAndAHalfOfEachDelay() {
    Backoff low = new Backoff(24, () -> LOWEST);
    Backoff high = new Backoff(24, () -> HIGHEST);
    for (int n = 1; n <= 12; n++) {
      assertEquals(NOMINAL_MS[n - 1] / 2, low.delayMs(n), "retry " + n);
      assertEquals(NOMINAL_MS[n - 1] * 3 / 2, high.delayMs(n), "retry " + n);
    }
  }

  @Test
  void randomDelaysStayWithinFiftyPercentAndUseTheWholeRange() {
    Random random = new Random(42);
    Backoff backoff = new Backoff(24, random::nextDouble);
    for (int n = 1; n <= 12; n++) {
      long nominal = NOMINAL_MS[n - 1];
      long min = Long.MAX_VALUE;
      long max = Long.MIN_VALUE;
      for (int i = 0; i < 1_000; i++) {
        long delay = backoff.delayMs(n);
        assertTrue(delay >= nominal / 2 && delay <= nominal * 3 / 2, "retry " + n + ": " + delay);
        min = Math.min(min, delay);
        max = Math.max(max, delay);
      }
      assertTrue(min < nominal * 0.55, "retry " + n + " never near −50 %: " + min);
      assertTrue(max > nominal * 1.45, "retry " + n + " never near +50 %: " + max);
    }
  }

  @Test
  void theCapHoldsForLateRetriesWithoutOverflow() {
    Backoff high = new Backoff(24, () -> HIGHEST);
    for (int n : new int[] {10, 31, 63, 64, 1_000, Integer.MAX_VALUE}) {
      assertEquals(450_000, high.delayMs(n), "retry " + n);
    }
  }

  @Test
  void retriesAreCountedFromOne() {
    Backoff backoff = new Backoff(24, () -> 0.5);
    assertThrows(IllegalArgumentException.class, () -> backoff.delayMs(0));
  }

  @Test
  void eventsAreGivenUpAfterWebhookRetryHours() {
    assertEquals(86_400_000, new Backoff(24, () -> 0.5).giveUpAfterMs());
    assertEquals(3_600_000, new Backoff(1, () -> 0.5).giveUpAfterMs());
    assertEquals(0, new Backoff(0, () -> 0.5).giveUpAfterMs(), "0 hours: never retried");
    assertThrows(IllegalArgumentException.class, () -> new Backoff(-1, () -> 0.5));
  }
}

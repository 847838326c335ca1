package org.signalbox.transport;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class TokenBucketTest {

  private static final long SECOND = 1_000_000_000L;

  @Test
  void startsFullAndRefillsAtTheRate() {
    TokenBucket bucket = new TokenBucket(3, 2, 0);
    assertTrue(bucket.tryTake(0));
    assertTrue(bucket.tryTake(0));
    assertTrue(bucket.tryTake(0));
    assertFalse(bucket.tryTake(0));
    assertFalse(bucket.tryTake(SECOND / 2 - 1));
    assertTrue(bucket.tryTake(SECOND / 2));
    assertFalse(bucket.tryTake(SECOND / 2));
  }

  @Test
  void neverHoldsMoreThanTheBurst() {
    TokenBucket bucket = new TokenBucket(2, 100, 0);
    long later = 3600 * SECOND;
    assertTrue(bucket.tryTake(later));
    assertTrue(bucket.tryTake(later));
    assertFalse(bucket.tryTake(later));
  }
}

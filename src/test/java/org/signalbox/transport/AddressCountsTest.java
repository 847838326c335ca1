package org.signalbox.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class AddressCountsTest {

  @Test
  void eachAddressHasItsOwnBoundAndReleasedSlotsComeBack() {
    AddressCounts counts = new AddressCounts(2);
    assertTrue(counts.tryAcquire("a"));
    assertTrue(counts.tryAcquire("a"));
    assertTrue(counts.full("a"));
    assertFalse(counts.tryAcquire("a"));
    assertTrue(counts.tryAcquire("b"));
    counts.release("a");
    assertEquals(1, counts.count("a"));
    assertTrue(counts.tryAcquire("a"));
    counts.release("a");
    counts.release("a");
    counts.release("a"); // one too many is harmless
    assertEquals(0, counts.count("a"));
    assertTrue(counts.tryAcquire("a"));
  }

  @Test
  void zeroMeansNoLimitAndAnUnknownAddressIsNotCounted() {
    AddressCounts unlimited = new AddressCounts(0);
    for (int i = 0; i < 1000; i++) {
      assertTrue(unlimited.tryAcquire("a"));
    }
    assertFalse(unlimited.full("a"));
    AddressCounts one = new AddressCounts(1);
    assertTrue(one.tryAcquire(null));
    assertTrue(one.tryAcquire(null));
  }

  @Test
  void racingAcquiresNeverPassTheBound() throws Exception {
    AddressCounts counts = new AddressCounts(5);
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try {
      CountDownLatch go = new CountDownLatch(1);
      List<Future<Boolean>> results = new ArrayList<>();
      for (int i = 0; i < 64; i++) {
        results.add(pool.submit(() -> {
          go.await();
          return counts.tryAcquire("a");
        }));
      }
      go.countDown();
      int taken = 0;
      for (Future<Boolean> r : results) {
        taken += r.get(10, TimeUnit.SECONDS) ? 1 : 0;
      }
      assertEquals(5, taken);
      assertEquals(5, counts.count("a"));
    } finally {
      pool.shutdownNow();
    }
  }
}

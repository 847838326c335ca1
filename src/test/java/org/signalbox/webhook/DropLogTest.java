package org.signalbox.webhook;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class DropLogTest {

  private static final long MINUTE = TimeUnit.MINUTES.toNanos(1);

  private final AtomicLong now = new AtomicLong(5_000);
  private final DropLog log = new DropLog(now::get, MINUTE);

  @Test
  void theFirstDropIsLoggedAtOnce() {
    assertEquals(3, log.add(3));
  }

  @Test
  void dropsWithinAMinuteOfTheLastLineAreHeldAndThenLoggedTogether() {
    assertEquals(1, log.add(1));
    now.addAndGet(MINUTE - 1);
    assertEquals(0, log.add(2));
    assertEquals(0, log.add(4));
    now.addAndGet(1);
    assertEquals(2 + 4 + 5, log.add(5));
    assertEquals(0, log.add(1), "a minute from the second line, not the first");
  }

  @Test
  void heldDropsAreFlushedAtStop() {
    log.add(1);
    log.add(7);
    assertEquals(7, log.flush());
    assertEquals(0, log.flush());
  }
}

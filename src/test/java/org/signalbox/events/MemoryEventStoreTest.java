package org.signalbox.events;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.signalbox.spi.RoomEvent;

/**
 * A single node's queue of room events: per room in order, announced once, the head held until
 * delivered or given up, a retry waiting for its time, and a bound past which the node's oldest
 * events are dropped and counted (PORTAL.md, {@code webhookQueue}).
 */
class MemoryEventStoreTest {

  private final AtomicLong dropped = new AtomicLong();
  private final AtomicInteger wakes = new AtomicInteger();

  private static RoomEvent started(String room, int n) {
    return new RoomEvent.RoomStarted("msg_" + room + n, room, n);
  }

  private static EventStore.Settlement announced(long through, boolean drop) {
    return new EventStore.Settlement(through, EventStore.Head.NONE, 0, 0, Set.of(), 0, drop);
  }

  @Test
  void eventsAreAnnouncedOnceInOrderAndLeaveWhenNothingDeliversThem() {
    MemoryEventStore store = new MemoryEventStore(100, dropped::addAndGet, wakes::incrementAndGet);
    for (int i = 0; i < 3; i++) {
      store.emit(started("a", i));
    }
    assertEquals(3, wakes.get(), "the pump is woken by each event");
    assertEquals(List.of("a"), store.due(0, 10));
    EventStore.Claim claim = store.claim("a", 0);
    assertEquals(List.of("msg_a0", "msg_a1", "msg_a2"),
        claim.fresh().stream().map(s -> s.event().id()).toList());
    assertNull(store.claim("a", 0), "claimed once at a time");
    assertEquals(List.of(), store.due(0, 10), "a claimed room is not due");
    store.settle(claim, announced(claim.fresh().get(2).seq(), true));
    assertEquals(0, store.size());
    assertEquals(List.of(), store.due(0, 10));
  }

  @Test
  void theHeadWaitsForItsRetryWhileLaterEventsAreStillAnnounced() {
    MemoryEventStore store = new MemoryEventStore(100, dropped::addAndGet, () -> {});
    store.emit(started("a", 0));
    EventStore.Claim first = store.claim("a", 1_000);
    assertEquals("msg_a0", first.head().event().id());
    store.settle(first, new EventStore.Settlement(first.fresh().get(0).seq(),
        EventStore.Head.RETRY, 1, 1_000, Set.of(0), 2_000, false));
    assertEquals(List.of(), store.due(1_500, 10), "nothing due before the retry");
    assertEquals(2_000, store.nextRetryAt());
    store.emit(started("a", 1));
    EventStore.Claim fresh = store.claim("a", 1_500);
    assertNotNull(fresh);
    assertNull(fresh.head(), "the head is not attempted before its time");
    assertEquals(List.of("msg_a1"), fresh.fresh().stream().map(s -> s.event().id()).toList());
    store.settle(fresh, announced(fresh.fresh().get(0).seq(), false));
    EventStore.Claim retry = store.claim("a", 2_000);
    assertEquals("msg_a0", retry.head().event().id());
    assertEquals(1, retry.attempts());
    assertEquals(Set.of(0), retry.done());
    assertEquals(List.of(), retry.fresh(), "announced once only");
    store.settle(retry, new EventStore.Settlement(-1, EventStore.Head.FINISHED, 0, 0, Set.of(),
        0, false));
    EventStore.Claim next = store.claim("a", 2_000);
    assertEquals("msg_a1", next.head().event().id(), "then the next, in order");
    assertEquals(0, next.attempts());
  }

  @Test
  void pastTheBoundTheNodesOldestEventsAreDroppedAndCounted() {
    MemoryEventStore store = new MemoryEventStore(3, dropped::addAndGet, () -> {});
    store.emit(started("a", 0));
    store.emit(started("b", 0));
    store.emit(started("a", 1));
    store.emit(started("b", 1));
    store.emit(started("a", 2));
    assertEquals(3, store.size());
    assertEquals(2, dropped.get());
    List<String> left = new ArrayList<>();
    for (String room : List.of("a", "b")) {
      store.claim(room, 0).fresh().forEach(s -> left.add(s.event().id()));
    }
    assertEquals(List.of("msg_a1", "msg_a2", "msg_b1"), left, "the two oldest went");
  }

  @Test
  void anEventBeingDeliveredIsNotDropped() {
    MemoryEventStore store = new MemoryEventStore(2, dropped::addAndGet, () -> {});
    store.emit(started("a", 0));
    EventStore.Claim working = store.claim("a", 0);
    store.emit(started("b", 0));
    store.emit(started("b", 1));
    assertEquals(1, dropped.get(), "the oldest event not being delivered went");
    store.settle(working, new EventStore.Settlement(working.fresh().get(0).seq(),
        EventStore.Head.FINISHED, 0, 0, Set.of(), 0, false));
    assertEquals(List.of("msg_b1"),
        store.claim("b", 0).fresh().stream().map(s -> s.event().id()).toList());
  }
}

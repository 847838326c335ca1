package org.signalbox.events;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.LongConsumer;
import org.signalbox.spi.RoomEvent;

/**
 * The events of a single node, in memory: one queue per room, at most {@code capacity} events in
 * all (PORTAL.md's {@code webhookQueue}); past it the oldest event of the node is dropped and
 * counted. Lost on restart, as PORTAL.md says.
 *
 * <p>Every method holds this object's monitor briefly and never calls out under it but to wake
 * the pump, so {@link #emit} may be called under a room's lock.
 */
public final class MemoryEventStore implements EventStore {

  private final int capacity;
  private final LongConsumer dropped;
  private final Runnable wake;

  // All guarded by this.
  private final Map<String, RoomQueue> rooms = new HashMap<>();
  private long nextSeq;
  private int held;

  /**
   * @param dropped told how many events were dropped, outside the monitor's critical path
   * @param wake told that an event arrived
   */
  public MemoryEventStore(int capacity, LongConsumer dropped, Runnable wake) {
    this.capacity = capacity;
    this.dropped = dropped;
    this.wake = wake;
  }

  private static final class RoomQueue {
    final ArrayDeque<Stored> events = new ArrayDeque<>();
    long announcedThrough = -1;
    int attempts;
    long firstAttemptAt;
    Set<Integer> done = Set.of();
    long retryAt;
    boolean claimed;

    boolean hasFresh() {
      return !events.isEmpty() && events.peekLast().seq() > announcedThrough;
    }
  }

  /** Queues an event; called under its room's lock, so it only queues and wakes the pump. */
  public void emit(RoomEvent event) {
    long drops = 0;
    synchronized (this) {
      RoomQueue queue = rooms.computeIfAbsent(event.room(), r -> new RoomQueue());
      queue.events.add(new Stored(nextSeq++, event));
      held++;
      while (held > capacity && dropOldest()) {
        drops++;
      }
    }
    if (drops > 0) {
      dropped.accept(drops);
    }
    wake.run();
  }

  // Caller holds the monitor. The node's oldest event is the head of some room's queue; one the
  // pump is working on is left alone (it is about to leave anyway).
  private boolean dropOldest() {
    RoomQueue oldest = null;
    for (RoomQueue q : rooms.values()) {
      if (!q.claimed && !q.events.isEmpty()
          && (oldest == null || q.events.peekFirst().seq() < oldest.events.peekFirst().seq())) {
        oldest = q;
      }
    }
    if (oldest == null) {
      return false;
    }
    oldest.events.pollFirst();
    oldest.attempts = 0;
    oldest.firstAttemptAt = 0;
    oldest.done = Set.of();
    oldest.retryAt = 0;
    held--;
    return true;
  }

  @Override
  public synchronized List<String> due(long now, int max) {
    List<String> due = new ArrayList<>();
    for (Map.Entry<String, RoomQueue> e : rooms.entrySet()) {
      RoomQueue q = e.getValue();
      if (!q.claimed && !q.events.isEmpty() && (q.hasFresh() || q.retryAt <= now)) {
        due.add(e.getKey());
        if (due.size() == max) {
          break;
        }
      }
    }
    return due;
  }

  @Override
  public synchronized long nextRetryAt() {
    long next = Long.MAX_VALUE;
    for (RoomQueue q : rooms.values()) {
      if (!q.claimed && !q.events.isEmpty()) {
        next = Math.min(next, q.retryAt);
      }
    }
    return next;
  }

  @Override
  public synchronized Claim claim(String room, long now) {
    RoomQueue q = rooms.get(room);
    if (q == null || q.claimed || q.events.isEmpty()) {
      return null;
    }
    List<Stored> fresh = new ArrayList<>();
    for (Stored s : q.events) {
      if (s.seq() > q.announcedThrough) {
        fresh.add(s);
      }
    }
    Stored head = q.retryAt <= now ? q.events.peekFirst() : null;
    if (fresh.isEmpty() && head == null) {
      return null;
    }
    q.claimed = true;
    return new Claim(room, fresh, head, q.attempts, q.firstAttemptAt, q.done, null);
  }

  @Override
  public synchronized void settle(Claim claim, Settlement s) {
    RoomQueue q = rooms.get(claim.room());
    if (q == null) {
      return;
    }
    q.claimed = false;
    q.announcedThrough = Math.max(q.announcedThrough, s.announcedThrough());
    switch (s.head()) {
      case FINISHED -> {
        Stored first = q.events.peekFirst();
        if (first != null && claim.head() != null && first.seq() == claim.head().seq()) {
          q.events.pollFirst();
          held--;
        }
        q.attempts = 0;
        q.firstAttemptAt = 0;
        q.done = Set.of();
        q.retryAt = 0;
      }
      case RETRY -> {
        q.attempts = s.attempts();
        q.firstAttemptAt = s.firstAttemptAt();
        q.done = s.done();
        q.retryAt = s.retryAt();
      }
      case NONE -> { }
    }
    if (s.dropAnnounced()) {
      while (!q.events.isEmpty() && q.events.peekFirst().seq() <= q.announcedThrough) {
        q.events.pollFirst();
        held--;
      }
    }
    if (q.events.isEmpty()) {
      rooms.remove(claim.room());
    }
  }

  /** Events held now. */
  public synchronized int size() {
    return held;
  }
}

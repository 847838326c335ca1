package org.signalbox.events;

import java.lang.System.Logger.Level;
import java.time.Clock;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import org.signalbox.spi.RoomEvent;
import org.signalbox.spi.RoomListener;

/**
 * Moves room events from their {@link EventStore} to the in-process listeners (metrics, the
 * portal's {@link RoomListener}s) and then to the {@link EventDelivery} (webhooks), one event at
 * a time per room and in each room's order: the next event of a room is not sent before the
 * previous one was delivered or given up (PORTAL.md). Rooms are independent: a room waiting for
 * a retry holds back only its own later events. Every event goes to every receiver, so one
 * failing receiver holds back the rooms whose events it fails.
 *
 * <p>One thread claims due rooms and calls the listeners (never under a room's lock); attempts
 * run asynchronously in the delivery, and their outcome settles the claim from the delivery's
 * thread.
 */
public final class EventPump {

  private static final System.Logger LOG = System.getLogger(EventPump.class.getName());

  /** Rooms claimed per round. */
  private static final int BATCH = 64;

  private final EventStore store;
  private final List<RoomListener> listeners;
  private final EventDelivery delivery;
  private final Clock clock;
  /** Longest wait between rounds: other nodes' events are found by looking (a cluster). */
  private final long pollMs;
  private final Thread thread;
  private final Object signal = new Object();
  /** Rooms with an attempt in flight: claimed, not yet settled. */
  private final Set<String> attempting = ConcurrentHashMap.newKeySet();
  private volatile boolean running = true;
  // Guarded by signal.
  private boolean woken;

  public EventPump(EventStore store, List<RoomListener> listeners, EventDelivery delivery,
      Clock clock, long pollMs, ThreadFactory threads) {
    this.store = store;
    this.listeners = List.copyOf(listeners);
    this.delivery = delivery;
    this.clock = clock;
    this.pollMs = pollMs;
    this.thread = threads.newThread(this::run);
  }

  public void start() {
    thread.start();
  }

  /** Something arrived: look now rather than at the next poll. */
  public void wake() {
    synchronized (signal) {
      woken = true;
      signal.notifyAll();
    }
  }

  /** Stops the thread and waits for it briefly; undelivered events stay in the store. */
  public void stop() {
    running = false;
    wake();
    try {
      thread.join(TimeUnit.SECONDS.toMillis(2));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    delivery.stop();
  }

  private void run() {
    while (running) {
      try {
        round();
      } catch (RuntimeException e) {
        // The store may be unreachable for a while (a cluster's Redis); try again next round.
        LOG.log(Level.DEBUG, () -> "event round failed: " + e);
      }
      awaitWork();
    }
  }

  private void awaitWork() {
    long next = store.nextRetryAt();
    long wait = next == Long.MAX_VALUE ? pollMs : Math.max(1, Math.min(pollMs, next - clock.millis()));
    synchronized (signal) {
      if (!woken && running) {
        try {
          signal.wait(wait);
        } catch (InterruptedException e) {
          running = false;
          Thread.currentThread().interrupt();
        }
      }
      woken = false;
    }
  }

  private void round() {
    long now = clock.millis();
    for (String room : store.due(now, BATCH)) {
      if (!running || attempting.contains(room)) {
        continue;
      }
      EventStore.Claim claim = store.claim(room, now);
      if (claim != null) {
        work(claim);
      }
    }
  }

  private void work(EventStore.Claim claim) {
    long announced = -1;
    for (EventStore.Stored stored : claim.fresh()) {
      announce(stored.event());
      announced = stored.seq();
    }
    EventStore.Stored head = claim.head();
    if (!delivery.enabled() || head == null) {
      store.settle(claim, new EventStore.Settlement(announced, EventStore.Head.NONE,
          claim.attempts(), claim.firstAttemptAt(), claim.done(), 0, !delivery.enabled()));
      if (!claim.fresh().isEmpty()) {
        wake();
      }
      return;
    }
    long firstAttemptAt = claim.firstAttemptAt() == 0 ? clock.millis() : claim.firstAttemptAt();
    long through = announced;
    attempting.add(claim.room());
    delivery.attempt(head.event(), claim.done()).whenComplete((done, failure) -> {
      try {
        store.settle(claim, outcome(claim, through, firstAttemptAt,
            failure == null ? done : claim.done()));
      } catch (RuntimeException e) {
        // Not settled: a cluster's lease runs out and another attempt follows; here it stays.
        LOG.log(Level.DEBUG, () -> "settling the events of room '" + claim.room() + "' failed: "
            + e);
      } finally {
        attempting.remove(claim.room());
        wake();
      }
    });
  }

  private EventStore.Settlement outcome(
      EventStore.Claim claim, long announced, long firstAttemptAt, Set<Integer> done) {
    if (done.size() >= delivery.urlCount()) {
      delivery.sent();
      return new EventStore.Settlement(
          announced, EventStore.Head.FINISHED, 0, 0, Set.of(), 0, false);
    }
    long now = clock.millis();
    int attempts = claim.attempts() + 1;
    if (now - firstAttemptAt >= delivery.giveUpAfterMs()) {
      delivery.failed();
      LOG.log(Level.WARNING, () -> "webhook event " + claim.head().event().id() + " ("
          + claim.head().event().type() + ", room '" + claim.room() + "') given up after "
          + attempts + " attempts");
      return new EventStore.Settlement(
          announced, EventStore.Head.FINISHED, 0, 0, Set.of(), 0, false);
    }
    delivery.retried();
    return new EventStore.Settlement(announced, EventStore.Head.RETRY, attempts, firstAttemptAt,
        done, now + delivery.retryDelayMs(attempts), false);
  }

  private void announce(RoomEvent event) {
    for (RoomListener listener : listeners) {
      try {
        listener.onEvent(event);
      } catch (RuntimeException e) {
        LOG.log(Level.WARNING, "room listener " + listener.getClass().getName() + " failed on "
            + event.type() + " of room '" + event.room() + "'", e);
      }
    }
  }
}

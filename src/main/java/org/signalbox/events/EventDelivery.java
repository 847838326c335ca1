package org.signalbox.events;

import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.signalbox.spi.RoomEvent;

/**
 * Where the pump sends each event after the listeners: the webhooks (PORTAL.md), or nowhere. One
 * event at a time per room; the pump keeps the order, the retries' state and the queue.
 */
public interface EventDelivery {

  /** Delivers nothing: no webhook is configured. */
  EventDelivery NONE = new EventDelivery() {
    @Override
    public boolean enabled() {
      return false;
    }

    @Override
    public int urlCount() {
      return 0;
    }

    @Override
    public CompletableFuture<Set<Integer>> attempt(RoomEvent event, Set<Integer> done) {
      return CompletableFuture.completedFuture(done);
    }

    @Override
    public long retryDelayMs(int retry) {
      return 0;
    }

    @Override
    public long giveUpAfterMs() {
      return 0;
    }
  };

  boolean enabled();

  /** How many receivers each event goes to; an event is delivered when each answered 2xx. */
  int urlCount();

  /**
   * Sends {@code event} to every receiver whose index is not in {@code done}.
   *
   * @return completes, never exceptionally, with the indexes that have now answered 2xx ({@code
   *     done} included)
   */
  CompletableFuture<Set<Integer>> attempt(RoomEvent event, Set<Integer> done);

  /** How long to wait before the {@code retry}-th retry (1 for the first). */
  long retryDelayMs(int retry);

  /** How long after its first attempt an event is given up. */
  long giveUpAfterMs();

  /** Counts an event delivered to every receiver. */
  default void sent() {}

  /** Counts a failed attempt that will be retried. */
  default void retried() {}

  /** Counts an event given up. */
  default void failed() {}

  /** Counts events dropped from a full queue. */
  default void dropped(long count) {}

  /** Stops what it started; called once when the node stops. */
  default void stop() {}
}

package org.signalbox.events;

import java.util.List;
import java.util.Set;
import org.signalbox.spi.RoomEvent;

/**
 * The queue of room events that wait for the listeners and the webhooks, one ordered queue per
 * room: in memory on a single node ({@link MemoryEventStore}), in Redis for a cluster. Work on a
 * room is claimed by one pump at a time, so each event is handed to the listeners once and each
 * delivery attempt is made by one node.
 */
public interface EventStore {

  /** Rooms with work that is due at {@code now}: events to announce, or a delivery to attempt. */
  List<String> due(long now, int max);

  /**
   * Claims the room's due work for this pump until it is {@linkplain #settle settled} (in a
   * cluster, for a lease at most).
   *
   * @return null when there is nothing due or another pump holds the room
   */
  Claim claim(String room, long now);

  /** Records what the pump did with a claim, and releases it. */
  void settle(Claim claim, Settlement settlement);

  /**
   * When the next retry is due (ms), for a store whose events only this node produces; {@code
   * Long.MAX_VALUE} when unknown (a cluster's store is looked at every poll).
   */
  default long nextRetryAt() {
    return Long.MAX_VALUE;
  }

  /** Releases what the store holds. */
  default void stop() {}

  /**
   * A claimed room's work.
   *
   * @param fresh events not yet handed to the listeners, oldest first
   * @param head the oldest undelivered event when its next attempt is due, else null
   * @param attempts attempts made at {@code head} so far
   * @param firstAttemptAt when the first of those was made (ms), 0 before any
   * @param done the receivers that already answered {@code head} with 2xx
   */
  record Claim(
      String room,
      List<Stored> fresh,
      Stored head,
      int attempts,
      long firstAttemptAt,
      Set<Integer> done,
      String lease) {
    public Claim {
      fresh = List.copyOf(fresh);
      done = Set.copyOf(done);
    }
  }

  /** An event with its place in its room's queue. */
  record Stored(long seq, RoomEvent event) {}

  /**
   * What became of a claim.
   *
   * @param announcedThrough the seq of the last fresh event handed to the listeners, or -1
   * @param head what became of the head: {@link Head#NONE} when nothing was attempted
   * @param retryAt with {@link Head#RETRY}, when the next attempt is due (ms)
   * @param dropAnnounced true when nothing delivers events (no webhooks): announced events leave
   *     the queue at once
   */
  record Settlement(
      long announcedThrough,
      Head head,
      int attempts,
      long firstAttemptAt,
      Set<Integer> done,
      long retryAt,
      boolean dropAnnounced) {
    public Settlement {
      done = Set.copyOf(done);
    }
  }

  /** The outcome of an attempt at a claim's head. */
  enum Head {
    NONE,
    /** Every receiver answered 2xx, or the event was given up: it leaves the queue. */
    FINISHED,
    /** Some receiver failed: try again at {@code retryAt}. */
    RETRY
  }
}

package org.signalbox.room;

import jakarta.json.JsonValue;

/**
 * The room's view of the connection that currently serves a peer. Called with the room's lock
 * held, so implementations must not block and must not call back into the room.
 */
public interface Link {

  /**
   * Queues an encoded frame for the client, in call order.
   *
   * @return false when the connection takes no more frames (closing, or its queue overflowed)
   */
  boolean offer(String frame);

  /** The peer moved to another connection by a resume: close this one with 1000. */
  void replaced();

  /**
   * A relay this connection's peer sent earlier turned out undeliverable (a cluster learns that
   * after the fact): answer the sender with an {@code error}. Any thread; must not block.
   */
  default void undelivered(String to, Delivery delivery, JsonValue ref) {}
}

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
   * The portal ended this membership (PORTAL.md: removed, or the room closed): queue {@code
   * left}, the encoded {@code left} frame with its reason, and serve no room any more; the
   * connection stays open. Called under the room's lock: must not block.
   */
  void ended(String left);

  /**
   * A relay this connection's peer sent earlier turned out undeliverable (a cluster learns that
   * after the fact): answer the sender with an {@code error}. Any thread; must not block.
   */
  default void undelivered(String to, Delivery delivery, JsonValue ref) {}
}

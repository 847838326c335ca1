package org.signalbox.room;

import jakarta.json.JsonValue;
import java.util.List;
import org.signalbox.config.Transport;

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
   * Closes with 1001 without changing the membership (whoever calls it already did): the client
   * resumes, here or on another node. Must not block.
   */
  void goingAway(String why);

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

  /** The binding that carries this connection, as the admin API shows it. */
  default Transport transport() {
    return Transport.WEBSOCKET;
  }

  /**
   * Takes back the relays and room events queued for the client that it has not confirmed, in
   * order, so that a resume delivers them (the HTTP binding keeps every frame until the client
   * acknowledges it). Called under the room's lock when the connection is lost or replaced;
   * afterwards the connection will not deliver them. A WebSocket confirms nothing: empty.
   */
  default List<String> takeUnconfirmed() {
    return List.of();
  }
}

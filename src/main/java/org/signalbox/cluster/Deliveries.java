package org.signalbox.cluster;

import jakarta.json.JsonValue;
import java.util.List;
import org.signalbox.protocol.ProtocolException;
import org.signalbox.room.Delivery;
import org.signalbox.room.Peer;

/**
 * The one path a relay takes from its sender to its recipients. The default, {@link
 * LocalDeliveries}, reaches the peers of this node; a multi-node bus plugs in here, so the
 * endpoint and the router never know where a peer lives.
 */
public interface Deliveries {

  /**
   * Relays an encoded frame from {@code sender} to peer {@code to} of the sender's room.
   *
   * @throws ProtocolException {@code unknown-peer} when {@code to} is not another peer of that room
   */
  Delivery toPeer(Peer sender, String to, String frame, JsonValue ref) throws ProtocolException;

  /**
   * Relays an encoded frame to every other peer of the sender's room.
   *
   * @return the ids of peers in their resume grace whose buffer was full
   */
  List<String> toRoom(Peer sender, String frame);
}

package org.signalbox.room;

import jakarta.json.JsonValue;
import java.util.List;
import org.signalbox.protocol.LeaveReason;
import org.signalbox.protocol.ProtocolException;

/**
 * One peer's membership of one room, as the connection that serves it sees it: the one path its
 * relays take and the way its membership ends. A single node keeps the room in memory ({@link
 * Peer}); a cluster keeps it in the shared store, so the connection never knows where the other
 * peers live.
 */
public interface Member {

  String id();

  String roomName();

  /**
   * Relays an encoded frame to peer {@code to} of this room. A cluster may find out later that the
   * frame could not be delivered; it then tells the sender's {@link Link#undelivered}.
   *
   * @throws ProtocolException {@code unknown-peer} when {@code to} is not another peer of the room
   */
  Delivery relay(String to, String frame, JsonValue ref) throws ProtocolException;

  /**
   * Relays an encoded frame to every other peer of the room. A cluster reports full buffers it
   * finds later through the sender's {@link Link#undelivered}, with {@code ref}.
   *
   * @return the ids of peers in their resume grace whose buffer was full
   */
  List<String> broadcast(String frame, JsonValue ref);

  /**
   * Ends the membership if {@code link} still serves it (a connection replaced by a resume
   * changes nothing).
   *
   * @return true when the peer left
   */
  boolean leave(Link link, LeaveReason reason);

  /** {@code link} was lost without a close frame: the resume grace begins, silently. */
  void lose(Link link);
}

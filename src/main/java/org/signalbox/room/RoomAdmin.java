package org.signalbox.room;

import java.util.List;
import java.util.Optional;

/**
 * What the admin API sees and does (PORTAL.md), cluster-wide: any node answers for every room.
 * Implemented by each {@link Membership}; in a cluster the answers come from the shared store.
 */
public interface RoomAdmin {

  /** {@link PeerState#transport} of a peer served over the WebSocket binding. */
  String WEBSOCKET = "websocket";

  /** Every room with at least one peer, by room name. */
  List<Summary> rooms();

  /** The room and its peers, oldest first; empty when the room has no peer. */
  Optional<Detail> room(String name);

  /**
   * Removes a peer (one in its grace too, with its buffer): it gets {@code left} {@code removed}
   * and stays connected outside the room; the others get {@code peer-left} {@code removed}.
   *
   * @return false when the peer is not in the room
   */
  boolean remove(String room, String peerId);

  /**
   * Ends the room: every peer gets {@code left} {@code closed}; no {@code peer-left} is sent.
   *
   * @return false when the room has no peer
   */
  boolean close(String room);

  /**
   * Queues an encoded {@code message} frame (from {@code "@server"}) for peer {@code to} of the
   * room, or for every peer of it when {@code to} is null. A peer in its grace gets it in its
   * buffer, within the buffer's bounds.
   *
   * @return false when the room has no peer, or {@code to} is not one of them
   */
  boolean message(String room, String to, String frame);

  /** A row of {@code GET /admin/rooms}. */
  record Summary(String room, int peers, long createdAt) {}

  /** {@code GET /admin/rooms/{room}}. */
  record Detail(String room, long createdAt, List<PeerState> peers) {
    public Detail {
      peers = List.copyOf(peers);
    }
  }

  /**
   * One peer of {@link Detail}.
   *
   * @param grace true while its connection is lost and it keeps its place
   * @param transport {@code websocket} or {@code http}
   */
  record PeerState(String peerId, String name, long joinedAt, boolean grace, String transport) {}
}

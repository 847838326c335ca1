package org.signalbox.room;

import jakarta.json.JsonValue;
import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.ScheduledFuture;
import org.signalbox.protocol.LeaveReason;
import org.signalbox.protocol.PeerInfo;
import org.signalbox.protocol.ProtocolException;

/**
 * One member of one room. Its identity is fixed; everything else is guarded by its room's lock
 * and changed only by {@link Room}.
 */
public final class Peer implements Member {

  enum State {
    /** Served by a live connection. */
    ACTIVE,
    /** Lost without a close frame; keeps its place and buffers relays until resumed or expired. */
    GRACE,
    /** Left for good. */
    GONE
  }

  private final String id;
  private final String name;
  private final Room room;

  // Guarded by room.
  Link link;
  State state = State.ACTIVE;
  String resumeToken;
  final ArrayDeque<String> buffer = new ArrayDeque<>();
  ScheduledFuture<?> graceTimer;
  long graceEpoch;

  Peer(String id, String name, Room room, Link link) {
    this.id = id;
    this.name = name;
    this.room = room;
    this.link = link;
  }

  @Override
  public String id() {
    return id;
  }

  @Override
  public String roomName() {
    return room.name();
  }

  @Override
  public Delivery relay(String to, String frame, JsonValue ref) throws ProtocolException {
    return room.relay(this, to, frame, ref);
  }

  @Override
  public List<String> broadcast(String frame, JsonValue ref) {
    return room.broadcast(this, frame);
  }

  @Override
  public boolean leave(Link link, LeaveReason reason) {
    return room.leave(this, link, reason);
  }

  @Override
  public void lose(Link link) {
    room.lose(this, link);
  }

  public String name() {
    return name;
  }

  public Room room() {
    return room;
  }

  PeerInfo info() {
    return new PeerInfo(id, name);
  }

  /** Queues a relay, or buffers it during the grace. Caller holds the room's lock. */
  Delivery deliver(String frame, int bufferLimit) {
    switch (state) {
      case ACTIVE:
        return link.offer(frame) ? Delivery.SENT : Delivery.GONE;
      case GRACE:
        if (buffer.size() >= bufferLimit) {
          return Delivery.BUFFER_FULL;
        }
        buffer.add(frame);
        return Delivery.BUFFERED;
      default:
        return Delivery.GONE;
    }
  }

  @Override
  public String toString() {
    return "Peer[" + id + " in " + room.name() + "]";
  }
}

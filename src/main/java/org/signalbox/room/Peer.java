package org.signalbox.room;

import jakarta.json.JsonValue;
import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.ScheduledFuture;
import org.signalbox.config.Transport;
import org.signalbox.protocol.LeaveReason;
import org.signalbox.protocol.PeerInfo;
import org.signalbox.protocol.ProtocolException;
import org.signalbox.protocol.Utf8;

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
  /** The token's sub or the container's principal, or null in open mode: who may resume it. */
  private final String identity;
  private final Room room;
  /** When it joined, in ms since the epoch. */
  private final long joinedAt;

  // Guarded by room.
  Link link;
  /** The binding of the last connection that served it, kept through the grace. */
  Transport transport;
  State state = State.ACTIVE;
  String resumeToken;
  final ArrayDeque<String> buffer = new ArrayDeque<>();
  /** UTF-8 bytes of the frames in {@link #buffer}. */
  long bufferBytes;
  ScheduledFuture<?> graceTimer;
  long graceEpoch;

  Peer(String id, String name, String identity, Room room, Link link, long joinedAt) {
    this.joinedAt = joinedAt;
    this.id = id;
    this.name = name;
    this.identity = identity;
    this.room = room;
    this.link = link;
    this.transport = link.transport();
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

  String identity() {
    return identity;
  }

  public Room room() {
    return room;
  }

  PeerInfo info() {
    return new PeerInfo(id, name);
  }

  /** As the admin API shows it. Caller holds the room's lock. */
  RoomAdmin.PeerState state() {
    return new RoomAdmin.PeerState(id, name, joinedAt, state == State.GRACE,
        transport.wire());
  }

  /**
   * Queues a relay, or buffers it during the grace within {@code limit} frames and {@code
   * byteLimit} UTF-8 bytes. Caller holds the room's lock.
   */
  Delivery deliver(String frame, int limit, long byteLimit) {
    switch (state) {
      case ACTIVE:
        return link.offer(frame) ? Delivery.SENT : Delivery.GONE;
      case GRACE:
        if (buffer.size() >= limit) {
          return Delivery.BUFFER_FULL;
        }
        long bytes = Utf8.length(frame);
        if (bufferBytes + bytes > byteLimit) {
          return Delivery.BUFFER_FULL;
        }
        buffer.add(frame);
        bufferBytes += bytes;
        return Delivery.BUFFERED;
      default:
        return Delivery.GONE;
    }
  }

  /** Empties the grace buffer. Caller holds the room's lock. */
  void clearBuffer() {
    buffer.clear();
    bufferBytes = 0;
  }

  @Override
  public String toString() {
    return "Peer[" + id + " in " + room.name() + "]";
  }
}

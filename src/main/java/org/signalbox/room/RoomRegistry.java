package org.signalbox.room;

import jakarta.json.JsonValue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import org.signalbox.config.Settings;
import org.signalbox.protocol.ErrorCode;
import org.signalbox.protocol.Inbound;
import org.signalbox.protocol.OutboundCodec;
import org.signalbox.protocol.ProtocolException;

/**
 * The rooms of a single node, in memory, and the index of live resume tokens. The maps are
 * concurrent; a room's own state is guarded by the room (see {@link Room}). A room leaves the map
 * when its last member leaves, under its own lock, and a join that meets such a disposed room
 * retries with a new one.
 */
public final class RoomRegistry implements Membership {

  private final Settings settings;
  private final OutboundCodec codec;
  private final ScheduledExecutorService timers;
  private final Ids ids;
  private final ConcurrentHashMap<String, Room> rooms = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, Peer> byResumeToken = new ConcurrentHashMap<>();

  public RoomRegistry(
      Settings settings, OutboundCodec codec, ScheduledExecutorService timers, Ids ids) {
    this.settings = settings;
    this.codec = codec;
    this.timers = timers;
    this.ids = ids;
  }

  @Override
  public Peer join(Inbound.Join join, Admission admission, Link link, JsonValue ref)
      throws ProtocolException {
    if (join.resume() != null) {
      Peer previous = byResumeToken.get(join.resume());
      // A token for another room counts as unknown (PROTOCOL.md): join afresh.
      if (previous != null && previous.room().name().equals(join.room())) {
        Peer resumed = previous.room().resume(previous, join.resume(), admission, link, ref);
        if (resumed != null) {
          return resumed;
        }
      }
    }
    if (!admission.freshAllowed()) {
      throw new ProtocolException(
          ErrorCode.UNAUTHORIZED, "token refused: expired, and there is no peer to resume", ref);
    }
    while (true) {
      Room room = rooms.computeIfAbsent(join.room(), n -> new Room(n, this));
      Peer peer = room.add(admission, link, ref);
      if (peer != null) {
        return peer;
      }
    }
  }

  @Override
  public int roomCount() {
    return rooms.size();
  }

  @Override
  public int peerCount() {
    return rooms.values().stream().mapToInt(Room::size).sum();
  }

  @Override
  public long bufferedBytes() {
    return rooms.values().stream().mapToLong(Room::bufferedBytes).sum();
  }

  Settings settings() {
    return settings;
  }

  OutboundCodec codec() {
    return codec;
  }

  ScheduledExecutorService timers() {
    return timers;
  }

  // Called under the room's lock.
  String issueToken(Peer peer) {
    forgetToken(peer);
    String token = ids.resumeToken();
    peer.resumeToken = token;
    byResumeToken.put(token, peer);
    return token;
  }

  // Called under the room's lock.
  void forgetToken(Peer peer) {
    if (peer.resumeToken != null) {
      byResumeToken.remove(peer.resumeToken, peer);
      peer.resumeToken = null;
    }
  }

  // Called under the room's lock, once the room is empty.
  void dispose(Room room) {
    rooms.remove(room.name(), room);
  }
}

package org.signalbox.room;

import jakarta.json.JsonValue;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import org.signalbox.config.Settings;
import org.signalbox.protocol.ErrorCode;
import org.signalbox.protocol.Inbound;
import org.signalbox.protocol.OutboundCodec;
import org.signalbox.protocol.ProtocolException;
import org.signalbox.spi.RoomEvent;

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
  private final RoomEventSink events;
  private final Clock clock;
  private final ConcurrentHashMap<String, Room> rooms = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, Peer> byResumeToken = new ConcurrentHashMap<>();

  public RoomRegistry(
      Settings settings, OutboundCodec codec, ScheduledExecutorService timers, Ids ids,
      RoomEventSink events, Clock clock) {
    this.settings = settings;
    this.codec = codec;
    this.timers = timers;
    this.ids = ids;
    this.events = events;
    this.clock = clock;
  }

  /** Rooms whose events nobody looks at: for tests and benchmarks. */
  public RoomRegistry(
      Settings settings, OutboundCodec codec, ScheduledExecutorService timers, Ids ids) {
    this(settings, codec, timers, ids, RoomEventSink.NONE, Clock.systemUTC());
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
    Admission fresh = admission.forFreshJoin(join.room(), ref);
    while (true) {
      Room room = rooms.computeIfAbsent(join.room(), n -> new Room(n, this));
      Peer peer = room.add(fresh, link, ref);
      if (peer != null) {
        return peer;
      }
    }
  }

  @Override
  public List<Summary> rooms() {
    List<Summary> list = new ArrayList<>(rooms.size());
    for (Room room : rooms.values()) {
      room.summary().ifPresent(list::add);
    }
    list.sort(Comparator.comparing(Summary::room));
    return list;
  }

  @Override
  public Optional<Detail> room(String name) {
    Room room = rooms.get(name);
    return room == null ? Optional.empty() : room.detail();
  }

  @Override
  public boolean remove(String room, String peerId) {
    Room r = rooms.get(room);
    return r != null && r.removeByPortal(peerId);
  }

  @Override
  public boolean close(String room) {
    Room r = rooms.get(room);
    return r != null && r.close();
  }

  @Override
  public boolean message(String room, String to, String frame) {
    Room r = rooms.get(room);
    return r != null && r.fromServer(to, frame);
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

  long now() {
    return clock.millis();
  }

  String eventId() {
    return ids.eventId();
  }

  // Called under the room's lock.
  void emit(RoomEvent event) {
    events.emit(event);
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

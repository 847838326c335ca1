package org.signalbox.room;

import jakarta.json.JsonValue;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.signalbox.protocol.ErrorCode;
import org.signalbox.protocol.LeaveReason;
import org.signalbox.protocol.Outbound;
import org.signalbox.protocol.PeerInfo;
import org.signalbox.protocol.ProtocolException;
import org.signalbox.spi.RoomEvent;

/**
 * One room: its members in join order, their resume grace and buffers. All state is guarded by
 * this object's monitor, and every frame to a member is queued while holding it. That single lock
 * is what makes membership events reach every member in the same order, makes {@code
 * joined.peers} plus later events equal the room, and keeps each sender's relays in order across
 * a resume. Nothing under the lock blocks: queuing a frame never waits for the network.
 *
 * <p>The room is also where its events (PORTAL.md) happen: each is handed to the registry's event
 * sink under the lock, so the events of one room are in the order the room changed.
 */
public final class Room {

  private final String name;
  private final RoomRegistry registry;

  // Guarded by this. Insertion order is join order: joined.peers is "oldest first".
  private final LinkedHashMap<String, Peer> members = new LinkedHashMap<>();
  // Guarded by this. A disposed room is out of the registry; a join that finds one retries.
  private boolean disposed;
  // Guarded by this. When the first member joined, in ms since the epoch; 0 before that.
  private long createdAt;

  Room(String name, RoomRegistry registry) {
    this.name = name;
    this.registry = registry;
  }

  public String name() {
    return name;
  }

  /**
   * Adds a new peer and answers {@code joined}.
   *
   * @return the peer, or null when this room was disposed meanwhile (the caller retries)
   */
  synchronized Peer add(Admission admission, Link link, JsonValue ref)
      throws ProtocolException {
    if (disposed) {
      return null;
    }
    if (members.size() >= registry.settings().maxRoomSize()) {
      throw new ProtocolException(
          ErrorCode.ROOM_FULL,
          "room '" + name + "' has " + registry.settings().maxRoomSize() + " peers",
          ref);
    }
    long now = registry.now();
    Peer peer =
        new Peer(admission.peerId(), admission.name(), admission.identity(), this, link, now);
    List<PeerInfo> others = infosExcept(peer);
    if (members.isEmpty()) {
      createdAt = now;
      registry.emit(new RoomEvent.RoomStarted(registry.eventId(), name, now));
    }
    members.put(peer.id(), peer);
    link.offer(joined(peer, others, false, admission, ref));
    broadcastEvent(peer, new Outbound.PeerJoined(name, peer.info()));
    registry.emit(new RoomEvent.PeerJoined(
        registry.eventId(), name, now, peer.id(), peer.name(), admission.identity()));
    return peer;
  }

  /**
   * Moves {@code peer} to {@code link} if {@code token} is still its current resume token and
   * the admission is of the same identity, then sends {@code joined} and the buffered relays in
   * order.
   *
   * @return the peer, or null when the token is stale or the identity differs (the caller joins
   *     afresh)
   */
  synchronized Peer resume(
      Peer peer, String token, Admission admission, Link link, JsonValue ref) {
    if (peer.state == Peer.State.GONE
        || !token.equals(peer.resumeToken)
        || !admission.mayResume(peer.identity())) {
      return null;
    }
    Link previous = peer.link;
    // What the previous connection had not confirmed came before anything buffered since.
    List<String> unconfirmed = previous == null ? List.of() : previous.takeUnconfirmed();
    cancelGrace(peer);
    peer.link = link;
    peer.transport = link.transport();
    peer.state = Peer.State.ACTIVE;
    link.offer(joined(peer, infosExcept(peer), true, admission, ref));
    for (String frame : unconfirmed) {
      link.offer(frame);
    }
    for (String frame : peer.buffer) {
      link.offer(frame);
    }
    peer.clearBuffer();
    if (previous != null) {
      previous.replaced();
    }
    registry.emit(new RoomEvent.PeerResumed(registry.eventId(), name, registry.now(), peer.id()));
    return peer;
  }

  /**
   * Ends {@code peer}'s membership if {@code link} still serves it (a connection replaced by a
   * resume changes nothing).
   *
   * @return true when the peer left
   */
  public synchronized boolean leave(Peer peer, Link link, LeaveReason reason) {
    if (peer.state == Peer.State.GONE || peer.link != link) {
      return false;
    }
    remove(peer, reason);
    return true;
  }

  /**
   * {@code peer}'s connection was lost without a close frame: keep its place for the grace,
   * silently, and buffer relays to it.
   */
  public synchronized void lose(Peer peer, Link link) {
    if (peer.state != Peer.State.ACTIVE || peer.link != link) {
      return;
    }
    long grace = registry.settings().resumeGraceMs();
    if (grace <= 0) {
      remove(peer, LeaveReason.TIMEOUT);
      return;
    }
    long epoch = peer.graceEpoch + 1;
    ScheduledFuture<?> timer;
    try {
      timer = registry.timers().schedule(() -> expire(peer, epoch), grace, TimeUnit.MILLISECONDS);
    } catch (RejectedExecutionException stopping) {
      // The node is stopping (an undeploy raced this drop): there is no grace left to give.
      remove(peer, LeaveReason.TIMEOUT);
      return;
    }
    peer.link = null;
    peer.state = Peer.State.GRACE;
    peer.graceEpoch = epoch;
    peer.graceTimer = timer;
    // PROTOCOL.md, HTTP binding: frames the client never confirmed go first into the buffer, so
    // that a resume delivers them ahead of later relays; past the buffer's bounds they are lost,
    // as a relay to a full buffer is.
    int bufferLimit = registry.settings().resumeBuffer();
    long byteLimit = registry.settings().resumeBufferBytes();
    for (String frame : link.takeUnconfirmed()) {
      peer.deliver(frame, bufferLimit, byteLimit);
    }
    registry.emit(new RoomEvent.PeerLost(registry.eventId(), name, registry.now(), peer.id()));
  }

  /** Relays {@code frame} from {@code from} to the member {@code to}. */
  public synchronized Delivery relay(Peer from, String to, String frame, JsonValue ref)
      throws ProtocolException {
    Peer target = members.get(to);
    if (target == null || target == from || from.state == Peer.State.GONE) {
      throw new ProtocolException(
          ErrorCode.UNKNOWN_PEER, "'" + to + "' is not another peer of this room", ref);
    }
    return target.deliver(
        frame, registry.settings().resumeBuffer(), registry.settings().resumeBufferBytes());
  }

  /**
   * Relays {@code frame} to every member but {@code from}.
   *
   * @return the ids of members in their grace whose buffer was full
   */
  public synchronized List<String> broadcast(Peer from, String frame) {
    List<String> missed = List.of();
    int bufferLimit = registry.settings().resumeBuffer();
    long byteLimit = registry.settings().resumeBufferBytes();
    for (Peer p : members.values()) {
      if (p != from && p.deliver(frame, bufferLimit, byteLimit) == Delivery.BUFFER_FULL) {
        if (missed.isEmpty()) {
          missed = new ArrayList<>();
        }
        missed.add(p.id());
      }
    }
    return missed;
  }

  // The epoch tells a timer of an earlier grace (resumed, then lost again) from the current one.
  private synchronized void expire(Peer peer, long epoch) {
    if (peer.state == Peer.State.GRACE && peer.graceEpoch == epoch) {
      remove(peer, LeaveReason.TIMEOUT);
    }
  }

  /**
   * Removes the member {@code peerId} for the portal: it gets {@code left} {@code removed} and
   * stays connected, the others {@code peer-left} {@code removed}.
   *
   * @return false when it is not a member
   */
  synchronized boolean removeByPortal(String peerId) {
    Peer peer = members.get(peerId);
    if (peer == null) {
      return false;
    }
    endLink(peer, LeaveReason.REMOVED);
    remove(peer, LeaveReason.REMOVED);
    return true;
  }

  /**
   * Ends the room for the portal: every member gets {@code left} {@code closed}, none a {@code
   * peer-left}.
   *
   * @return false when the room has no member (any more)
   */
  synchronized boolean close() {
    if (members.isEmpty()) {
      return false;
    }
    for (Peer peer : List.copyOf(members.values())) {
      endLink(peer, LeaveReason.CLOSED);
      forget(peer);
      members.remove(peer.id());
      registry.emit(new RoomEvent.PeerLeft(
          registry.eventId(), name, registry.now(), peer.id(), LeaveReason.CLOSED.wire()));
    }
    finish();
    return true;
  }

  /**
   * Queues a frame from the portal for member {@code to}, or every member when null; members in
   * their grace get it in their buffers, within bounds.
   *
   * @return false when {@code to} is not a member or the room is empty
   */
  synchronized boolean fromServer(String to, String frame) {
    int bufferLimit = registry.settings().resumeBuffer();
    long byteLimit = registry.settings().resumeBufferBytes();
    if (to != null) {
      Peer target = members.get(to);
      if (target == null) {
        return false;
      }
      target.deliver(frame, bufferLimit, byteLimit);
      return true;
    }
    for (Peer p : members.values()) {
      p.deliver(frame, bufferLimit, byteLimit);
    }
    return !members.isEmpty();
  }

  /** The room as the admin API shows it, or empty once it has no member. */
  synchronized Optional<RoomAdmin.Detail> detail() {
    if (members.isEmpty()) {
      return Optional.empty();
    }
    List<RoomAdmin.PeerState> peers = new ArrayList<>(members.size());
    for (Peer p : members.values()) {
      peers.add(p.state());
    }
    return Optional.of(new RoomAdmin.Detail(name, createdAt, peers));
  }

  /** Its row in the admin API's list, or empty once it has no member. */
  synchronized Optional<RoomAdmin.Summary> summary() {
    return members.isEmpty()
        ? Optional.empty()
        : Optional.of(new RoomAdmin.Summary(name, members.size(), createdAt));
  }

  // Caller holds the lock. A member served now gets its left; one in its grace has no
  // connection to tell, and its resume will find it gone (a fresh join).
  private void endLink(Peer peer, LeaveReason reason) {
    if (peer.state == Peer.State.ACTIVE) {
      peer.link.ended(registry.codec().encode(new Outbound.Left(name, reason, null)));
    }
  }

  // Caller holds the lock.
  private void remove(Peer peer, LeaveReason reason) {
    forget(peer);
    members.remove(peer.id());
    broadcastEvent(peer, new Outbound.PeerLeft(name, peer.id(), reason));
    registry.emit(new RoomEvent.PeerLeft(
        registry.eventId(), name, registry.now(), peer.id(), reason.wire()));
    if (members.isEmpty()) {
      finish();
    }
  }

  // Caller holds the lock.
  private void forget(Peer peer) {
    cancelGrace(peer);
    peer.state = Peer.State.GONE;
    peer.link = null;
    peer.clearBuffer();
    registry.forgetToken(peer);
  }

  // Caller holds the lock; the room has no member left.
  private void finish() {
    long now = registry.now();
    registry.emit(
        new RoomEvent.RoomFinished(registry.eventId(), name, now, Math.max(0, now - createdAt)));
    disposed = true;
    registry.dispose(this);
  }

  // Caller holds the lock. Events go to live members only: PROTOCOL.md says membership events
  // during a grace are not replayed; the resumed peer gets the room as joined.peers instead.
  private void broadcastEvent(Peer subject, Outbound event) {
    String frame = registry.codec().encode(event);
    for (Peer p : members.values()) {
      if (p != subject && p.state == Peer.State.ACTIVE) {
        p.link.offer(frame);
      }
    }
  }

  // Caller holds the lock.
  private String joined(
      Peer peer, List<PeerInfo> others, boolean resumed, Admission admission, JsonValue ref) {
    String token = registry.issueToken(peer);
    return registry.codec().encode(new Outbound.Joined(
        name, peer.id(), peer.name(), others, token, resumed, admission.iceServersFor(peer.id()),
        ref));
  }

  // Caller holds the lock.
  private List<PeerInfo> infosExcept(Peer peer) {
    List<PeerInfo> infos = new ArrayList<>(members.size());
    for (Peer p : members.values()) {
      if (p != peer) {
        infos.add(p.info());
      }
    }
    return infos;
  }

  private static void cancelGrace(Peer peer) {
    if (peer.graceTimer != null) {
      peer.graceTimer.cancel(false);
      peer.graceTimer = null;
    }
  }

  /** UTF-8 bytes buffered for members in their grace. */
  synchronized long bufferedBytes() {
    long bytes = 0;
    for (Peer p : members.values()) {
      bytes += p.bufferBytes;
    }
    return bytes;
  }

  /** Members, peers in their grace included. */
  synchronized int size() {
    return members.size();
  }
}

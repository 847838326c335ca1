package org.signalbox.room;

import jakarta.json.JsonValue;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.signalbox.protocol.ErrorCode;
import org.signalbox.protocol.LeaveReason;
import org.signalbox.protocol.Outbound;
import org.signalbox.protocol.PeerInfo;
import org.signalbox.protocol.ProtocolException;

/**
 * One room: its members in join order, their resume grace and buffers. All state is guarded by
 * this object's monitor, and every frame to a member is queued while holding it. That single lock
 * is what makes membership events reach every member in the same order, makes {@code
 * joined.peers} plus later events equal the room, and keeps each sender's relays in order across
 * a resume. Nothing under the lock blocks: queuing a frame never waits for the network.
 */
public final class Room {

  private final String name;
  private final RoomRegistry registry;

  // Guarded by this. Insertion order is join order: joined.peers is "oldest first".
  private final LinkedHashMap<String, Peer> members = new LinkedHashMap<>();
  // Guarded by this. A disposed room is out of the registry; a join that finds one retries.
  private boolean disposed;

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
    Peer peer = new Peer(admission.peerId(), admission.name(), admission.identity(), this, link);
    List<PeerInfo> others = infosExcept(peer);
    members.put(peer.id(), peer);
    link.offer(joined(peer, others, false, admission, ref));
    broadcastEvent(peer, new Outbound.PeerJoined(name, peer.info()));
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
    cancelGrace(peer);
    peer.link = link;
    peer.state = Peer.State.ACTIVE;
    link.offer(joined(peer, infosExcept(peer), true, admission, ref));
    for (String frame : peer.buffer) {
      link.offer(frame);
    }
    peer.clearBuffer();
    if (previous != null) {
      previous.replaced();
    }
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

  // Caller holds the lock.
  private void remove(Peer peer, LeaveReason reason) {
    cancelGrace(peer);
    peer.state = Peer.State.GONE;
    peer.link = null;
    peer.clearBuffer();
    registry.forgetToken(peer);
    members.remove(peer.id());
    broadcastEvent(peer, new Outbound.PeerLeft(name, peer.id(), reason));
    if (members.isEmpty()) {
      disposed = true;
      registry.dispose(this);
    }
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

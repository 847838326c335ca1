package org.signalbox.cluster;

import jakarta.json.JsonValue;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.signalbox.protocol.ErrorCode;
import org.signalbox.protocol.LeaveReason;
import org.signalbox.protocol.ProtocolException;
import org.signalbox.room.Admission;
import org.signalbox.room.Delivery;
import org.signalbox.room.Link;
import org.signalbox.room.Member;

/**
 * One connection's membership of a cluster room: the handle its connection holds, and its entry
 * among the room replica's locals once its {@code joined} was sent. Identified in Redis by the
 * resume token its join issued: a leave or a loss from a connection the member no longer uses
 * (a resume moved it) matches no longer and changes nothing.
 */
final class ClusterMember implements Member {

  private final RedisMembership cluster;
  final ClusterRoom room;
  final String token;
  /** Who the join admitted: its identity is stored in Redis; it gives joined.iceServers. */
  final Admission admission;
  final Link link;
  /** This connection's relays in flight to Redis. */
  final InFlight.Share share = new InFlight.Share();
  /** The {@code id} of the join that made this member, for its {@code joined}'s {@code ref}. */
  final JsonValue ref;
  /**
   * Relays from this node's peers are queued on the link directly. Not for a member that a resume
   * moved here: relays to it issued through Redis before the move may still be on their way back
   * to this node, and a direct one must not overtake them.
   */
  final boolean direct;
  private final AtomicBoolean released = new AtomicBoolean();
  /** Known at once for a fresh join; for a resume, from Redis's answer or the resume event. */
  private volatile String id;

  ClusterMember(RedisMembership cluster, ClusterRoom room, String id, String token,
      Admission admission, Link link, JsonValue ref, boolean direct) {
    this.ref = ref;
    this.admission = admission;
    this.cluster = cluster;
    this.room = room;
    this.id = id;
    this.token = token;
    this.link = link;
    this.direct = direct;
  }

  void identify(String peerId) {
    id = peerId;
  }

  @Override
  public String id() {
    return id;
  }

  @Override
  public String roomName() {
    return room.name;
  }

  @Override
  public Delivery relay(String to, String frame, JsonValue ref) throws ProtocolException {
    synchronized (room) {
      if (room.locals.get(id) != this || to.equals(id) || !room.members.contains(to)) {
        throw new ProtocolException(
            ErrorCode.UNKNOWN_PEER, "'" + to + "' is not another peer of this room", ref);
      }
      ClusterMember target = room.locals.get(to);
      if (target != null && target.direct) {
        return target.link.offer(frame) ? Delivery.SENT : Delivery.GONE;
      }
      return cluster.relay(this, to, frame, ref);
    }
  }

  @Override
  public List<String> broadcast(String frame, JsonValue ref) {
    synchronized (room) {
      if (room.locals.get(id) != this) {
        return List.of();
      }
      List<String> done = new ArrayList<>(room.locals.size());
      done.add(id);
      for (ClusterMember m : room.locals.values()) {
        if (m != this && m.direct) {
          m.link.offer(frame);
          done.add(m.id);
        }
      }
      if (!room.allLocal() || done.size() < room.locals.size()) {
        cluster.broadcast(this, done, frame, ref);
      }
    }
    return List.of();
  }

  @Override
  public boolean leave(Link from, LeaveReason reason) {
    return end(() -> cluster.leave(this, reason));
  }

  @Override
  public void lose(Link from) {
    end(() -> cluster.lose(this, from.takeUnconfirmed()));
  }

  /**
   * Takes this member's link out of the replica and issues {@code script} (its leave or loss)
   * under the room's monitor, so that every later relay to it from this node is issued after
   * that script and finds it gone or in its grace. Then gives up its share of the interest.
   */
  private boolean end(Runnable script) {
    if (released.get()) {
      return false;
    }
    cluster.forgetPending(token);
    synchronized (room) {
      if (room.locals.get(id) == this) {
        room.locals.remove(id);
      }
      script.run();
    }
    return release();
  }

  /** Gives up this member's share of the room's interest; true the first time. */
  boolean release() {
    if (released.compareAndSet(false, true)) {
      cluster.release(room);
      return true;
    }
    return false;
  }

  @Override
  public String toString() {
    return "ClusterMember[" + id + " in " + room.name + "]";
  }
}

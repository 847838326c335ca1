package org.signalbox.room;

import jakarta.json.JsonValue;
import org.signalbox.events.EventStore;
import org.signalbox.protocol.Inbound;
import org.signalbox.protocol.ProtocolException;

/**
 * The rooms as this node serves them: in memory for a single node ({@link RoomRegistry}), in the
 * cluster's shared store otherwise. Chosen once at start by configuration.
 */
public interface Membership extends RoomAdmin {

  /**
   * Joins {@code join.room()}: resumes the peer of {@code join.resume()} when that token is live,
   * for this room and for the same identity ({@link Admission#mayResume}), else joins afresh as
   * {@code admission.peerId()}. Answers {@code joined} through {@code link}.
   *
   * @throws ProtocolException {@code unauthorized} when the join cannot resume and the admission
   *     allows only a resume; {@code room-full}
   * @throws Unavailable when the shared store cannot be reached
   */
  Member join(Inbound.Join join, Admission admission, Link link, JsonValue ref)
      throws ProtocolException;

  /** An {@code open}-mode join that hands out no ICE servers: for tests and benchmarks. */
  default Member join(Inbound.Join join, String peerId, String name, Link link, JsonValue ref)
      throws ProtocolException {
    return join(join, Admission.open(peerId, name), link, ref);
  }

  /** Rooms with at least one member on this node. */
  int roomCount();

  /** Members of those rooms served by this node, peers in their resume grace included. */
  int peerCount();

  /**
   * UTF-8 bytes this node holds for peers in their resume grace. A cluster keeps those buffers in
   * its shared store, not on the node, and reports 0.
   */
  default long bufferedBytes() {
    return 0;
  }

  /** False while the node cannot serve joins or relays (its cluster store is unreachable). */
  default boolean available() {
    return true;
  }

  /**
   * Where this membership's room events wait for the listeners and webhooks, when it keeps them
   * itself (a cluster, in its shared store); null when it feeds the node's own queue.
   */
  default EventStore events() {
    return null;
  }

  /** Releases what the membership holds; called once when the node stops. */
  default void stop() {}

  /** The shared store cannot be reached now; the client should try again later (1013). */
  final class Unavailable extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public Unavailable(String message) {
      super(message, null, false, false);
    }
  }
}

package org.signalbox.spi;

/**
 * What happened in a room, as PORTAL.md's webhook table names it. Each event is produced once per
 * cluster, by whatever made the change, and carries an id that stays the same on every delivery
 * attempt ({@code webhook-id}).
 *
 * <p>Every event has the room, the time it happened ({@code at}, ms since the epoch) and its id.
 */
public sealed interface RoomEvent {

  /** Unique per event; the same on every delivery of it. */
  String id();

  String room();

  /** When it happened, in ms since the epoch. */
  long at();

  /** The webhook {@code type}: {@code room.started}, {@code peer.joined}, … */
  String type();

  /** A peer joined an empty room. */
  record RoomStarted(String id, String room, long at) implements RoomEvent {
    @Override
    public String type() {
      return "room.started";
    }
  }

  /**
   * A fresh join (not a resume).
   *
   * @param identity the token's {@code sub} or the container's principal; null in open mode
   */
  record PeerJoined(String id, String room, long at, String peerId, String name, String identity)
      implements RoomEvent {
    @Override
    public String type() {
      return "peer.joined";
    }
  }

  /** A peer's connection was lost and its resume grace began. */
  record PeerLost(String id, String room, long at, String peerId) implements RoomEvent {
    @Override
    public String type() {
      return "peer.lost";
    }
  }

  /** A peer resumed within its grace. */
  record PeerResumed(String id, String room, long at, String peerId) implements RoomEvent {
    @Override
    public String type() {
      return "peer.resumed";
    }
  }

  /**
   * A peer left for good.
   *
   * @param reason {@code left}, {@code disconnected}, {@code timeout}, {@code removed} or {@code
   *     closed}
   */
  record PeerLeft(String id, String room, long at, String peerId, String reason)
      implements RoomEvent {
    @Override
    public String type() {
      return "peer.left";
    }
  }

  /** The last peer of the room left for good, {@code durationMs} after it started. */
  record RoomFinished(String id, String room, long at, long durationMs) implements RoomEvent {
    @Override
    public String type() {
      return "room.finished";
    }
  }
}

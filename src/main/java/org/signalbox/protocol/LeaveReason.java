package org.signalbox.protocol;

/** Why a peer left its room for good: {@code peer-left.reason}. */
public enum LeaveReason {
  /** It sent {@code leave} or closed its socket with a close frame. */
  LEFT("left"),
  /** The server closed it for a policy reason or a server-started close (1003, 1008, 1009, 1011). */
  DISCONNECTED("disconnected"),
  /** It was lost without a close frame and did not resume within the grace. */
  TIMEOUT("timeout"),
  /** The portal removed it (PORTAL.md, admin API). */
  REMOVED("removed"),
  /**
   * The portal closed its room: its own {@code left} and the {@code peer.left} event say so; no
   * {@code peer-left} is sent for a closed room.
   */
  CLOSED("closed");

  private final String wire;

  LeaveReason(String wire) {
    this.wire = wire;
  }

  public String wire() {
    return wire;
  }

  /** The reason named {@code wire}, as a cluster node wrote it. */
  public static LeaveReason fromWire(String wire) {
    for (LeaveReason r : values()) {
      if (r.wire.equals(wire)) {
        return r;
      }
    }
    throw new IllegalArgumentException("no leave reason '" + wire + "'");
  }
}

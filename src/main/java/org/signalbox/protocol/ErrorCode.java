package org.signalbox.protocol;

/**
 * The {@code error.code} values of PROTOCOL.md. The declaration order is the order in which the
 * checks run, which is why a frame that fails several gets the first.
 */
public enum ErrorCode {
  RATE_LIMITED("rate-limited"),
  BAD_MESSAGE("bad-message"),
  NOT_JOINED("not-joined"),
  ALREADY_JOINED("already-joined"),
  UNAUTHORIZED("unauthorized"),
  ROOM_FULL("room-full"),
  UNKNOWN_PEER("unknown-peer"),
  UNDELIVERABLE("undeliverable");

  private final String wire;

  ErrorCode(String wire) {
    this.wire = wire;
  }

  /** The spelling on the wire, for example {@code bad-message}. */
  public String wire() {
    return wire;
  }
}

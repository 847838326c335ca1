package org.signalbox.protocol;

import jakarta.json.JsonValue;
import java.util.List;

/**
 * A server-to-client message (PROTOCOL.md, Messages). {@code ref} fields are the {@code id} of the
 * message being answered, or null.
 */
public sealed interface Outbound {

  record Welcome(
      String peerId, List<IceServer> iceServers, long heartbeatMs, Limits limits, int protocol)
      implements Outbound {}

  /** @param iceServers the whole list with fresh TURN credentials, or null to leave it out */
  record Joined(
      String room,
      String peerId,
      String name,
      List<PeerInfo> peers,
      String resumeToken,
      boolean resumed,
      List<IceServer> iceServers,
      JsonValue ref)
      implements Outbound {}

  record PeerJoined(String room, PeerInfo peer) implements Outbound {}

  record PeerLeft(String room, String peerId, LeaveReason reason) implements Outbound {}

  /**
   * @param reason null when it answers the peer's own {@code leave}; {@code removed} or {@code
   *     closed} when the portal ended the membership (PORTAL.md)
   */
  record Left(String room, LeaveReason reason, JsonValue ref) implements Outbound {

    /** The answer to a {@code leave}. */
    public Left(String room, JsonValue ref) {
      this(room, null, ref);
    }
  }

  record SignalRelay(String from, JsonText data) implements Outbound {}

  /** @param to the recipient's id when the message was sent to it alone, else null */
  record MessageRelay(String from, JsonText data, String to) implements Outbound {}

  record Pong(JsonValue ref) implements Outbound {}

  record Error(ErrorCode code, String message, JsonValue ref) implements Outbound {}

  /** One entry of {@code RTCConfiguration.iceServers}; username and credential may be null. */
  record IceServer(List<String> urls, String username, String credential) {}

  /** The numbers a client needs to stay within the server's limits. */
  record Limits(
      int maxMessageBytes,
      int maxRoomSize,
      int messagesPerSecond,
      int burst,
      long resumeGraceMs) {}
}

package org.signalbox.protocol;

/** A valid client-to-server message (PROTOCOL.md, Messages), after decoding and field checks. */
public sealed interface Inbound {

  /**
   * @param name the trimmed display name, or null when absent
   * @param token the JWT for token mode, or null
   * @param resume the last {@code resumeToken}, or null
   */
  record Join(String room, String name, String token, String resume) implements Inbound {}

  record Leave() implements Inbound {}

  /** Relay {@code data} (always an object, as sent) to peer {@code to}. */
  record Signal(String to, JsonText data) implements Inbound {}

  /** Relay {@code data} (any JSON as sent, null included) to {@code to}, or to the room when to is null. */
  record Message(String to, JsonText data) implements Inbound {}

  record Ping() implements Inbound {}
}

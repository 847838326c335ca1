package org.signalbox.transport;

import java.util.List;

/**
 * The {@code type} of an encoded server frame, for the metrics: frames from a room arrive here
 * already encoded (one encoding serves every recipient), and the encoder writes {@code type}
 * first, so it is read off the front of the text instead of parsing it again. Known types are
 * matched in place, so counting a frame allocates nothing.
 */
final class OutboundTypes {

  private static final String PREFIX = "{\"type\":\"";

  /** Every type the server sends, hottest first. */
  private static final List<String> KNOWN = List.of("signal", "message", "peer-joined",
      "peer-left", "pong", "error", "joined", "welcome", "left");

  private OutboundTypes() {}

  static String of(String frame) {
    if (!frame.startsWith(PREFIX)) {
      return "other";
    }
    int at = PREFIX.length();
    for (String type : KNOWN) {
      if (frame.startsWith(type, at) && frame.length() > at + type.length()
          && frame.charAt(at + type.length()) == '"') {
        return type;
      }
    }
    return "other";
  }
}

package org.signalbox.transport;

/**
 * The {@code type} of an encoded server frame, for the metrics: frames from a room arrive here
 * already encoded (one encoding serves every recipient), and the encoder writes {@code type}
 * first, so it is read off the front of the text instead of parsing it again.
 */
final class OutboundTypes {

  private static final String PREFIX = "{\"type\":\"";

  private OutboundTypes() {}

  static String of(String frame) {
    if (!frame.startsWith(PREFIX)) {
      return "other";
    }
    int end = frame.indexOf('"', PREFIX.length());
    return end < 0 ? "other" : frame.substring(PREFIX.length(), end);
  }
}

package org.signalbox.bench.load;

/**
 * What the bench relays: SDP-like offers and answers of about 1.1 KiB and trickled ICE candidates,
 * shaped like the browser client's {@code data}. Each carries the sender's index {@code f}, a kind
 * {@code k} and a sequence number {@code n} first, so the receiver accounts for it cheaply.
 */
final class Payloads {

  static final byte[] SENDER = Frames.ascii("{\"f\":");
  /** Ten digits in a string, so a prepared frame's number can be rewritten in place. */
  static final byte[] SEQUENCE = Frames.ascii(",\"n\":\"");
  static final int SEQUENCE_DIGITS = 10;
  static final byte[] KIND = Frames.ascii("\"k\":\"");

  private static final String SDP;

  static {
    StringBuilder sdp =
        new StringBuilder(
            "v=0\\r\\no=- 4611731400430051336 2 IN IP4 127.0.0.1\\r\\ns=-\\r\\nt=0 0\\r\\n"
                + "a=group:BUNDLE 0\\r\\na=extmap-allow-mixed\\r\\na=msid-semantic: WMS\\r\\n"
                + "m=application 9 UDP/DTLS/SCTP webrtc-datachannel\\r\\nc=IN IP4 0.0.0.0\\r\\n"
                + "a=ice-ufrag:Xq3f\\r\\na=ice-pwd:Zc1vO9SnRkCEN1bMpnqGx7Ti\\r\\n"
                + "a=ice-options:trickle\\r\\na=fingerprint:sha-256 ");
    for (int i = 0; i < 32; i++) {
      sdp.append(String.format("%02X", (i * 37 + 11) & 0xFF)).append(i < 31 ? ":" : "\\r\\n");
    }
    sdp.append("a=setup:actpass\\r\\na=mid:0\\r\\na=sctp-port:5000\\r\\na=max-message-size:262144\\r\\n");
    while (sdp.length() < 960) {
      sdp.append("a=candidate:1 1 udp 2122260223 127.0.0.1 50000 typ host generation 0\\r\\n");
    }
    SDP = sdp.toString();
  }

  private static final String CANDIDATE =
      "\"candidate\":{\"candidate\":\"candidate:842163049 1 udp 1677729535 127.0.0.1 50000 typ "
          + "srflx raddr 0.0.0.0 rport 0 generation 0 ufrag Xq3f network-cost 999\","
          + "\"sdpMid\":\"0\",\"sdpMLineIndex\":0,\"usernameFragment\":\"Xq3f\"}}";

  private Payloads() {}

  /** An offer ({@code k} "o") or answer ("a"). */
  static String description(int sender, long sequence, char kind) {
    String type = kind == 'a' ? "answer" : "offer";
    return "{\"f\":" + sender + ",\"n\":\"" + digits(sequence) + "\",\"k\":\"" + kind
        + "\",\"description\":{\"type\":\"" + type + "\",\"sdp\":\"" + SDP + "\"}}";
  }

  /** A trickled candidate ({@code k} "c"). */
  static String candidate(int sender, long sequence) {
    return "{\"f\":" + sender + ",\"n\":\"" + digits(sequence) + "\",\"k\":\"c\"," + CANDIDATE;
  }

  private static String digits(long sequence) {
    return String.format("%010d", sequence);
  }

  /** Writes {@code sequence} over the ten digits at {@code at}. */
  static void rewrite(byte[] frame, int at, long sequence) {
    for (int i = SEQUENCE_DIGITS - 1; i >= 0; i--) {
      frame[at + i] = (byte) ('0' + sequence % 10);
      sequence /= 10;
    }
  }
}

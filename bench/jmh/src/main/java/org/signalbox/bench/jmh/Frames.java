package org.signalbox.bench.jmh;

/**
 * Client frames as the browser client sends them (webapp/js/signaling.js, webrtc-room.js): the
 * sizes and shapes matter more than the values, because parsing cost follows the text.
 */
final class Frames {

  /** A peer id as {@code Ids.peerId()} makes them: 16 random bytes, base64url, 22 chars. */
  static final String PEER_ID = "q3Zt9xW0bKcN4fLr8YvJ2A";

  static final String ROOM = "standup-42";

  /** A trimmed Chrome audio + data channel offer: about 1 KiB of CRLF-separated lines. */
  static final String SDP =
      String.join(
          "\r\n",
          "v=0",
          "o=- 4611731400430051336 2 IN IP4 127.0.0.1",
          "s=-",
          "t=0 0",
          "a=group:BUNDLE 0 1",
          "a=extmap-allow-mixed",
          "a=msid-semantic: WMS 5f3c1b2e-9d7a-4c1e-8b6f-0a2d4e6f8a1c",
          "m=audio 9 UDP/TLS/RTP/SAVPF 111 63 9 0 8 13 110 126",
          "c=IN IP4 0.0.0.0",
          "a=rtcp:9 IN IP4 0.0.0.0",
          "a=ice-ufrag:Yw7k",
          "a=ice-pwd:Jc0yOvnuDiYwXQ7Cl4E0z7+U",
          "a=ice-options:trickle",
          "a=fingerprint:sha-256 4A:AD:B9:B1:3F:82:18:3B:54:02:12:DF:3E:5D:49:6B:19:E5:7C:AB:"
              + "6B:5B:8A:9E:1C:79:2A:D1:5C:7B:9E:01",
          "a=setup:actpass",
          "a=mid:0",
          "a=extmap:1 urn:ietf:params:rtp-hdrext:ssrc-audio-level",
          "a=sendrecv",
          "a=msid:5f3c1b2e-9d7a-4c1e-8b6f-0a2d4e6f8a1c 0c4e7a9b-2d1f-4e3a-9c8b-7a6f5e4d3c2b",
          "a=rtcp-mux",
          "a=rtpmap:111 opus/48000/2",
          "a=rtcp-fb:111 transport-cc",
          "a=fmtp:111 minptime=10;useinbandfec=1",
          "a=ssrc:1001211593 cname:Yk2mXn0rT5vQ8wLs",
          "m=application 9 UDP/DTLS/SCTP webrtc-datachannel",
          "c=IN IP4 0.0.0.0",
          "a=ice-ufrag:Yw7k",
          "a=ice-pwd:Jc0yOvnuDiYwXQ7Cl4E0z7+U",
          "a=mid:1",
          "a=sctp-port:5000",
          "a=max-message-size:262144",
          "");

  /** The {@code data} of an offer signal: {@code {"description":{"type","sdp"}}}. */
  static final String OFFER_DATA =
      "{\"description\":{\"type\":\"offer\",\"sdp\":\"" + SDP.replace("\r\n", "\\r\\n") + "\"}}";

  /** The {@code data} of one trickled candidate: {@code {"candidate":RTCIceCandidateInit}}. */
  static final String CANDIDATE_DATA =
      "{\"candidate\":{\"candidate\":\"candidate:842163049 1 udp 1677729535 203.0.113.7 46154"
          + " typ srflx raddr 192.168.1.23 rport 46154 generation 0\",\"sdpMid\":\"0\","
          + "\"sdpMLineIndex\":0}}";

  /** {@code signal} carrying an offer, about 1.1 KiB: the largest frame of a normal call. */
  static final String OFFER = signal(PEER_ID, OFFER_DATA);

  /** {@code signal} carrying one candidate, about 200 bytes: the most frequent frame. */
  static final String CANDIDATE = signal(PEER_ID, CANDIDATE_DATA);

  static final String JOIN =
      "{\"type\":\"join\",\"room\":\"" + ROOM + "\",\"id\":\"join\",\"name\":\"Ada Lovelace\"}";

  private Frames() {}

  /** A signal to {@code to} as the client writes it. */
  static String signal(String to, String data) {
    return "{\"type\":\"signal\",\"to\":\"" + to + "\",\"data\":" + data + "}";
  }
}

package org.signalbox.bench.load;

import java.util.ArrayList;
import java.util.List;

/** How one server under test is spoken to: the handshake, joining, and relaying a payload. */
sealed interface Dialect {

  /** What a server frame meant to the generator. */
  enum Event { READY, RELAY, OTHER, ERROR }

  String name();

  /** The handshake's path and query for {@code peer} ({@code partner}: bare forwarding only). */
  String path(Peer peer, Peer partner);

  /** Classifies a frame from the server, answering what the protocol asks for on the way. */
  Event text(Peer peer, byte[] a, int offset, int length);

  /** The frame that relays {@code data} (a JSON object) to {@code to}. */
  byte[] relay(Peer to, char kind, String data);

  /** What a browser client sends to stay connected, if the server needs it. */
  default void heartbeat(Peer peer) {}

  /** Signalbox's protocol (PROTOCOL.md): welcome, join, signal. */
  record Signalbox() implements Dialect {
    private static final byte[] SIGNAL = Frames.ascii("{\"type\":\"signal\"");
    private static final byte[] WELCOME = Frames.ascii("{\"type\":\"welcome\"");
    private static final byte[] JOINED = Frames.ascii("{\"type\":\"joined\"");
    private static final byte[] ERROR = Frames.ascii("{\"type\":\"error\"");
    private static final byte[] PEER_ID = Frames.ascii("\"peerId\":\"");
    private static final byte[] PEERS = Frames.ascii("\"peers\":[");
    private static final byte[] RESUME_TOKEN = Frames.ascii("\"resumeToken\":\"");
    private static final byte[] RESUMED = Frames.ascii("\"resumed\":true");

    @Override
    public String name() {
      return "Signalbox";
    }

    @Override
    public String path(Peer peer, Peer partner) {
      return "/signal";
    }

    @Override
    public Event text(Peer peer, byte[] a, int offset, int length) {
      if (Frames.startsWith(a, offset, length, SIGNAL)) {
        return Event.RELAY;
      }
      if (Frames.startsWith(a, offset, length, WELCOME)) {
        peer.id = Frames.string(a, offset, length, PEER_ID, offset);
        String resume = peer.resuming && peer.resumeToken != null
            ? ",\"resume\":\"" + peer.resumeToken + "\"" : "";
        peer.line.sendText(Frames.ascii("{\"type\":\"join\",\"room\":\"" + peer.room
            + "\",\"name\":\"bench\"" + resume + "}"));
        return Event.OTHER;
      }
      if (Frames.startsWith(a, offset, length, JOINED)) {
        int list = WsClient.indexOf(a, offset, offset + length, PEERS);
        List<String> others = new ArrayList<>();
        for (int from = list; from >= 0; ) {
          int at = WsClient.indexOf(a, from, offset + length, PEER_ID);
          if (at < 0) {
            break;
          }
          others.add(Frames.string(a, offset, length, PEER_ID, at));
          from = at + PEER_ID.length;
        }
        peer.others = others;
        peer.resumeToken = Frames.string(a, offset, length, RESUME_TOKEN, offset);
        peer.resumed = WsClient.indexOf(a, offset, offset + length, RESUMED) >= 0;
        return Event.READY;
      }
      return Frames.startsWith(a, offset, length, ERROR) ? Event.ERROR : Event.OTHER;
    }

    @Override
    public byte[] relay(Peer to, char kind, String data) {
      return Frames.ascii("{\"type\":\"signal\",\"to\":\"" + to.id + "\",\"data\":" + data + "}");
    }
  }

  /** The PeerJS server's protocol: id and key in the URL, OPEN, OFFER/ANSWER/CANDIDATE. */
  record PeerJs() implements Dialect {
    private static final byte[] OPEN = Frames.ascii("{\"type\":\"OPEN\"");
    private static final byte[] OFFER = Frames.ascii("{\"type\":\"OFFER\"");
    private static final byte[] ANSWER = Frames.ascii("{\"type\":\"ANSWER\"");
    private static final byte[] CANDIDATE = Frames.ascii("{\"type\":\"CANDIDATE\"");
    private static final byte[] HEARTBEAT = Frames.ascii("{\"type\":\"HEARTBEAT\"}");

    @Override
    public String name() {
      return "PeerJS";
    }

    @Override
    public String path(Peer peer, Peer partner) {
      return "/peerjs?key=peerjs&id=" + peer.chosenId + "&token=t" + peer.index;
    }

    @Override
    public Event text(Peer peer, byte[] a, int offset, int length) {
      if (Frames.startsWith(a, offset, length, OFFER)
          || Frames.startsWith(a, offset, length, CANDIDATE)
          || Frames.startsWith(a, offset, length, ANSWER)) {
        return Event.RELAY;
      }
      return Frames.startsWith(a, offset, length, OPEN) ? Event.READY : Event.ERROR;
    }

    @Override
    public byte[] relay(Peer to, char kind, String data) {
      String type = kind == 'o' ? "OFFER" : kind == 'a' ? "ANSWER" : "CANDIDATE";
      return Frames.ascii("{\"type\":\"" + type + "\",\"dst\":\"" + to.id + "\",\"payload\":" + data + "}");
    }

    @Override
    public void heartbeat(Peer peer) {
      peer.line.sendText(HEARTBEAT);
    }
  }

  /** The bare forwarding endpoint: frames go to the partner named in the URL, unread. */
  record Bare(String container) implements Dialect {
    @Override
    public String name() {
      return "bare " + container + " forward";
    }

    @Override
    public String path(Peer peer, Peer partner) {
      // Without a partner (the connections scenario) a client only connects.
      return "/bare/forward?id=" + peer.chosenId + "&to=" + (partner == null ? "" : partner.chosenId);
    }

    @Override
    public Event text(Peer peer, byte[] a, int offset, int length) {
      return length == 2 && a[offset] == '{' && a[offset + 1] == '}' ? Event.READY : Event.RELAY;
    }

    @Override
    public byte[] relay(Peer to, char kind, String data) {
      // The bytes Signalbox's clients send, so both relays move the same frames.
      return Frames.ascii("{\"type\":\"signal\",\"to\":\"" + to.id + "\",\"data\":" + data + "}");
    }
  }
}

package org.signalbox.protocol;

import jakarta.json.JsonValue;
import jakarta.json.spi.JsonProvider;
import jakarta.json.stream.JsonGenerator;
import jakarta.json.stream.JsonGeneratorFactory;
import java.io.StringWriter;
import java.util.List;
import java.util.Map;

/**
 * Writes server messages as JSON text. Thread-safe; the generator factory is created once. A relay
 * is encoded once and the same text is queued for every recipient; its payload is the text the
 * sender sent, checked when decoded, so a relay is written around it rather than generated.
 */
public final class OutboundCodec {

  private static final String SIGNAL_FROM = "{\"type\":\"signal\",\"from\":";
  private static final String MESSAGE_FROM = "{\"type\":\"message\",\"from\":";
  private static final String DATA = ",\"data\":";
  private static final String TO = ",\"to\":";

  private final JsonProvider provider;
  private final JsonGeneratorFactory generators;

  public OutboundCodec(JsonProvider provider) {
    this.provider = provider;
    this.generators = provider.createGeneratorFactory(Map.of());
  }

  public String encode(Outbound message) {
    if (message instanceof Outbound.SignalRelay m) {
      return relay(SIGNAL_FROM, m.from(), m.data(), null);
    } else if (message instanceof Outbound.MessageRelay m) {
      return relay(MESSAGE_FROM, m.from(), m.data(), m.to());
    }
    StringWriter out = new StringWriter(128);
    try (JsonGenerator g = generators.createGenerator(out)) {
      g.writeStartObject();
      write(g, message);
      g.writeEnd();
    }
    return out.toString();
  }

  // One concatenation each: the compiler sizes the result exactly and copies the payload once.
  private String relay(String head, String from, JsonText data, String to) {
    return to == null
        ? head + string(from) + DATA + data.json() + '}'
        : head + string(from) + DATA + data.json() + TO + string(to) + '}';
  }

  /**
   * {@code s} as a JSON string. Peer ids are base64url, which needs no escaping; anything else is
   * escaped by the provider.
   */
  private String string(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (!(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_')) {
        return provider.createValue(s).toString();
      }
    }
    return '"' + s + '"';
  }

  // Java 17 has no pattern switch outside preview; the chain covers every other permitted subtype.
  private static void write(JsonGenerator g, Outbound message) {
    if (message instanceof Outbound.Error m) {
      g.write("type", "error").write("code", m.code().wire()).write("message", m.message());
      ref(g, m.ref());
    } else if (message instanceof Outbound.Pong m) {
      ref(g.write("type", "pong"), m.ref());
    } else if (message instanceof Outbound.PeerJoined m) {
      g.write("type", "peer-joined").write("room", m.room()).writeKey("peer");
      peer(g, m.peer());
    } else if (message instanceof Outbound.PeerLeft m) {
      g.write("type", "peer-left")
          .write("room", m.room())
          .write("peerId", m.peerId())
          .write("reason", m.reason().wire());
    } else if (message instanceof Outbound.Joined m) {
      joined(g, m);
    } else if (message instanceof Outbound.Left m) {
      g.write("type", "left").write("room", m.room());
      if (m.reason() != null) {
        g.write("reason", m.reason().wire());
      }
      ref(g, m.ref());
    } else if (message instanceof Outbound.Welcome m) {
      welcome(g, m);
    } else {
      throw new IllegalArgumentException("no encoding for " + message);
    }
  }

  private static void welcome(JsonGenerator g, Outbound.Welcome m) {
    g.write("type", "welcome").write("peerId", m.peerId());
    iceServers(g, m.iceServers());
    Outbound.Limits limits = m.limits();
    g
        .write("heartbeatMs", m.heartbeatMs())
        .writeStartObject("limits")
        .write("maxMessageBytes", limits.maxMessageBytes())
        .write("maxRoomSize", limits.maxRoomSize())
        .write("messagesPerSecond", limits.messagesPerSecond())
        .write("burst", limits.burst())
        .write("resumeGraceMs", limits.resumeGraceMs())
        .writeEnd()
        .write("protocol", m.protocol());
  }

  private static void joined(JsonGenerator g, Outbound.Joined m) {
    g.write("type", "joined")
        .write("room", m.room())
        .write("peerId", m.peerId())
        .write("name", m.name())
        .writeStartArray("peers");
    for (PeerInfo p : m.peers()) {
      peer(g, p);
    }
    g.writeEnd().write("resumeToken", m.resumeToken()).write("resumed", m.resumed());
    if (m.iceServers() != null) {
      iceServers(g, m.iceServers());
    }
    ref(g, m.ref());
  }

  private static void iceServers(JsonGenerator g, List<Outbound.IceServer> servers) {
    g.writeStartArray("iceServers");
    for (Outbound.IceServer server : servers) {
      g.writeStartObject();
      strings(g.writeStartArray("urls"), server.urls()).writeEnd();
      if (server.username() != null) {
        g.write("username", server.username()).write("credential", server.credential());
      }
      g.writeEnd();
    }
    g.writeEnd();
  }

  private static void peer(JsonGenerator g, PeerInfo p) {
    g.writeStartObject().write("peerId", p.peerId()).write("name", p.name()).writeEnd();
  }

  private static JsonGenerator strings(JsonGenerator g, List<String> values) {
    values.forEach(g::write);
    return g;
  }

  private static void ref(JsonGenerator g, JsonValue ref) {
    if (ref != null) {
      g.write("ref", ref);
    }
  }
}

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
 * is encoded once and the same text is queued for every recipient.
 */
public final class OutboundCodec {

  private final JsonGeneratorFactory generators;

  public OutboundCodec(JsonProvider provider) {
    this.generators = provider.createGeneratorFactory(Map.of());
  }

  public String encode(Outbound message) {
    StringWriter out = new StringWriter(128);
    try (JsonGenerator g = generators.createGenerator(out)) {
      g.writeStartObject();
      write(g, message);
      g.writeEnd();
    }
    return out.toString();
  }

  // Java 17 has no pattern switch outside preview; the chain covers every permitted subtype.
  private static void write(JsonGenerator g, Outbound message) {
    if (message instanceof Outbound.SignalRelay m) {
      g.write("type", "signal").write("from", m.from()).write("data", m.data());
    } else if (message instanceof Outbound.MessageRelay m) {
      g.write("type", "message").write("from", m.from()).write("data", m.data());
      if (m.to() != null) {
        g.write("to", m.to());
      }
    } else if (message instanceof Outbound.Error m) {
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
      ref(g.write("type", "left").write("room", m.room()), m.ref());
    } else if (message instanceof Outbound.Welcome m) {
      welcome(g, m);
    } else {
      throw new IllegalArgumentException("no encoding for " + message);
    }
  }

  private static void welcome(JsonGenerator g, Outbound.Welcome m) {
    g.write("type", "welcome").write("peerId", m.peerId()).writeStartArray("iceServers");
    for (Outbound.IceServer server : m.iceServers()) {
      g.writeStartObject();
      strings(g.writeStartArray("urls"), server.urls()).writeEnd();
      if (server.username() != null) {
        g.write("username", server.username()).write("credential", server.credential());
      }
      g.writeEnd();
    }
    Outbound.Limits limits = m.limits();
    g.writeEnd()
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
    ref(g, m.ref());
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

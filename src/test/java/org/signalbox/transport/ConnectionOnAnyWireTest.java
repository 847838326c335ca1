package org.signalbox.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import java.io.StringReader;
import java.security.Principal;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.signalbox.config.Transport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.signalbox.Signalbox;
import org.signalbox.config.SettingSource;
import org.signalbox.config.SettingsLoader;

/**
 * The connection is the protocol whatever carries it: on a wire that is no WebSocket (frames kept
 * in memory, as an HTTP binding keeps them for its polls) it welcomes, joins, relays, answers
 * pings, refuses what is too big with 1009, and the room hears of the end. The endpoint tests
 * prove the same over real sockets.
 */
class ConnectionOnAnyWireTest {

  private final Signalbox node = Signalbox.start(
      SettingsLoader.load(SettingSource.of(Map.of("maxMessageBytes", "1024"))));

  @AfterEach
  void stop() {
    node.stop();
  }

  /** A wire that keeps its frames and its close in memory. */
  private static final class MemoryWire implements Wire {
    final List<JsonObject> frames = new CopyOnWriteArrayList<>();
    volatile String closed;

    @Override
    public String id() {
      return "memory";
    }

    @Override
    public Principal user() {
      return null;
    }

    @Override
    public String clientAddress() {
      return "192.0.2.7";
    }

    @Override
    public Transport transport() {
      return Transport.HTTP;
    }

    @Override
    public boolean offer(String frame) {
      if (closed != null) {
        return false;
      }
      frames.add(Json.createReader(new StringReader(frame)).readObject());
      return true;
    }

    @Override
    public void close(int code, String reason) {
      closed = code + " " + reason;
    }

    @Override
    public void discard() {
      closed = "discarded";
    }

    @Override
    public int pending() {
      return 0;
    }

    @Override
    public long pendingBytes() {
      return 0;
    }

    @Override
    public long stalledNanos(long nowNanos) {
      return 0;
    }

    @Override
    public void ping() {}

    @Override
    public boolean lost(long nowNanos, long lastTrafficNanos, long heartbeatNanos) {
      return false;
    }

    @Override
    public List<String> takeUnconfirmed() {
      return List.of();
    }

    JsonObject last(String type) {
      return frames.stream().filter(f -> f.getString("type").equals(type))
          .reduce((first, second) -> second)
          .orElseThrow(() -> new AssertionError("no " + type + " in " + frames));
    }
  }

  private Connection open(MemoryWire wire) {
    return node.open(overflow -> wire);
  }

  @Test
  void aConnectionServesTheProtocolOnAWireThatIsNoWebSocket() {
    MemoryWire aliceWire = new MemoryWire();
    MemoryWire bobWire = new MemoryWire();
    Connection alice = open(aliceWire);
    Connection bob = open(bobWire);
    assertEquals("welcome", aliceWire.frames.get(0).getString("type"));
    String aliceId = aliceWire.frames.get(0).getString("peerId");

    alice.onText("{\"type\":\"join\",\"room\":\"wire\",\"name\":\"Alice\"}");
    assertEquals(aliceId, aliceWire.last("joined").getString("peerId"));
    bob.onText("{\"type\":\"join\",\"room\":\"wire\",\"name\":\"Bob\"}");
    String bobId = bobWire.last("joined").getString("peerId");
    assertEquals(bobId, aliceWire.last("peer-joined").getJsonObject("peer").getString("peerId"));

    bob.onText("{\"type\":\"signal\",\"to\":\"" + aliceId + "\",\"data\":{\"sdp\":\"offer\"}}");
    assertEquals(bobId, aliceWire.last("signal").getString("from"));
    alice.onText("{\"type\":\"ping\",\"id\":7}");
    assertEquals(7, aliceWire.last("pong").getInt("ref"));

    assertNull(bobWire.closed);
    bob.onText("{\"type\":\"message\",\"data\":\"" + "x".repeat(1100) + "\"}");
    assertEquals("1009 message over maxMessageBytes", bobWire.closed);
    JsonObject left = aliceWire.last("peer-left");
    assertEquals(bobId, left.getString("peerId"));
    assertEquals("disconnected", left.getString("reason"));
    assertNull(aliceWire.closed, "Alice's wire stays open");
  }
}

package org.signalbox.endpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.json.JsonObject;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.signalbox.testing.Binding;
import org.signalbox.testing.EmbeddedServer;
import org.signalbox.testing.TestClient;

class RelayTest {

  private EmbeddedServer server;

  @BeforeEach
  void start() {
    server = EmbeddedServer.start();
  }

  @AfterEach
  void stop() {
    server.close();
  }

  @ParameterizedTest
  @EnumSource(Binding.class)
  void welcomeCarriesIdentityLimitsAndProtocol(Binding binding) {
    try (TestClient a = TestClient.connect(server.uri(binding))) {
      JsonObject w = a.welcome();
      assertTrue(w.getString("peerId").matches("[A-Za-z0-9_-]{16,128}"), w.toString());
      assertEquals(0, w.getJsonArray("iceServers").size());
      assertEquals(25000, w.getInt("heartbeatMs"));
      assertEquals(1, w.getInt("protocol"));
      JsonObject limits = w.getJsonObject("limits");
      assertEquals(65536, limits.getInt("maxMessageBytes"));
      assertEquals(16, limits.getInt("maxRoomSize"));
      assertEquals(50, limits.getInt("messagesPerSecond"));
      assertEquals(500, limits.getInt("burst"));
      assertEquals(30000, limits.getInt("resumeGraceMs"));
    }
  }

  @ParameterizedTest
  @EnumSource(Binding.class)
  void signalIsRelayedWithTheServerSetSender(Binding binding) {
    try (TestClient a = TestClient.connect(server.uri(binding));
        TestClient b = TestClient.connect(server.uri(binding))) {
      JsonObject ja = a.join("r1", "Alice");
      assertEquals(a.welcomePeerId(), ja.getString("peerId"));
      assertEquals(0, ja.getJsonArray("peers").size());
      assertFalse(ja.getBoolean("resumed"));
      JsonObject jb = b.join("r1", "Bob");
      assertEquals(a.welcomePeerId(), jb.getJsonArray("peers").getJsonObject(0).getString("peerId"));
      assertEquals("Alice", jb.getJsonArray("peers").getJsonObject(0).getString("name"));
      JsonObject joined = a.expect("peer-joined");
      assertEquals(b.welcomePeerId(), joined.getJsonObject("peer").getString("peerId"));

      a.send("{\"type\":\"signal\",\"to\":\"" + b.welcomePeerId()
          + "\",\"from\":\"forged\",\"data\":{\"description\":{\"type\":\"offer\",\"sdp\":\"v=0\"}}}");
      JsonObject relayed = b.expect("signal");
      assertEquals(a.welcomePeerId(), relayed.getString("from"));
      assertEquals("offer", relayed.getJsonObject("data").getJsonObject("description").getString("type"));
      a.expectNothing(Duration.ofMillis(100));
    }
  }
}

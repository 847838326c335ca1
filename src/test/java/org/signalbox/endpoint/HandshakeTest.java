package org.signalbox.endpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.json.JsonArray;
import jakarta.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;
import org.signalbox.testing.EmbeddedServer;
import org.signalbox.testing.HandshakeProbe;
import org.signalbox.testing.TestClient;

/** What a client meets before it joins: the origin check and welcome's ICE servers. */
class HandshakeTest {

  @Test
  void foreignOriginAndMissingOriginGet403() {
    try (EmbeddedServer server =
        EmbeddedServer.start(Map.of("allowedOrigins", "https://portal.example"))) {
      try (TestClient allowed = TestClient.connect(server.uri(), "https://portal.example")) {
        assertEquals(1, allowed.welcome().getInt("protocol"));
      }
      assertEquals(403, HandshakeProbe.status(server.uri(), "https://evil.example"));
      assertEquals(
          403, HandshakeProbe.status(server.uri(), "https://portal.example:8443"));
      assertEquals(403, HandshakeProbe.status(server.uri(), null));
      assertEquals(101, HandshakeProbe.status(server.uri(), "https://portal.example"));
      assertEquals(0, server.node().membership().roomCount());
    }
  }

  /**
   * Bare Tyrus, these tests' server, has no servlet layer to show a handshake's Host or TCP peer:
   * a server that must check serverNames refuses rather than guess, even with allowedOrigins=*.
   * The rules themselves run in servlet containers: RunCommandSettingsIT, HandshakeLimitsIT.
   */
  @Test
  void serverNamesRefuseAHandshakeWhoseHostIsUnknown() {
    try (EmbeddedServer server = EmbeddedServer.start(Map.of("serverNames", "127.0.0.1"))) {
      assertEquals(403, HandshakeProbe.status(server.uri(), "http://127.0.0.1"));
      assertEquals(403, HandshakeProbe.status(server.uri(), (String) null));
    }
  }

  @Test
  void anyOriginAllowsHandshakesWithoutOrigin() {
    try (EmbeddedServer server = EmbeddedServer.start(Map.of("allowedOrigins", "*"));
        TestClient client = TestClient.connect(server.uri())) {
      assertEquals(1, client.welcome().getInt("protocol"));
    }
  }

  @Test
  void welcomeCarriesStunAndFreshTurnCredentialsThatCoturnWouldAccept() throws Exception {
    String secret = "coturn-static-auth-secret";
    try (EmbeddedServer server =
            EmbeddedServer.start(Map.of(
                "stunUrls", "stun:127.0.0.1:3478",
                "turnUrls", "turn:127.0.0.1:3478?transport=udp,turns:127.0.0.1:5349",
                "turnSecret", secret,
                "turnTtlSeconds", "600"));
        TestClient a = TestClient.connect(server.uri());
        TestClient b = TestClient.connect(server.uri())) {
      JsonArray ice = a.welcome().getJsonArray("iceServers");
      assertEquals(2, ice.size());
      assertEquals("stun:127.0.0.1:3478", ice.getJsonObject(0).getJsonArray("urls").getString(0));
      assertTrue(!ice.getJsonObject(0).containsKey("username"));
      JsonObject turn = ice.getJsonObject(1);
      assertEquals(2, turn.getJsonArray("urls").size());
      String username = turn.getString("username");
      String[] parts = username.split(":", 2);
      assertEquals(a.welcomePeerId(), parts[1], "the username names the peer");
      long expiry = Long.parseLong(parts[0]);
      long now = Instant.now().getEpochSecond();
      assertTrue(expiry > now + 590 && expiry <= now + 601, "expires after the TTL: " + expiry);
      // coturn's use-auth-secret check, written out independently of the server's code.
      Mac mac = Mac.getInstance("HmacSHA1");
      mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA1"));
      String expected =
          Base64.getEncoder().encodeToString(mac.doFinal(username.getBytes(StandardCharsets.UTF_8)));
      assertEquals(expected, turn.getString("credential"));
      // Issued afresh per welcome: another peer gets its own username.
      String other = b.welcome().getJsonArray("iceServers").getJsonObject(1).getString("username");
      assertTrue(other.endsWith(":" + b.welcomePeerId()), other);
    }
  }
}

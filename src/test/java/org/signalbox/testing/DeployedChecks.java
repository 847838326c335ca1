package org.signalbox.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;

import jakarta.json.JsonObject;
import java.net.URI;

/**
 * Checks made the same way on every deployed server (the run command's Jetty and the Arquillian
 * suites): what differs between servers is how they are started, not what a client sees.
 */
public final class DeployedChecks {

  private DeployedChecks() {}

  /** The same origin is welcome; other origins, and none, get 403 at the handshake. */
  public static void onlyTheSameOriginIsWelcome(URI socket, String sameOrigin) {
    try (TestClient same = TestClient.connect(socket, sameOrigin)) {
      assertEquals(1, same.welcome().getInt("protocol"));
    }
    assertEquals(403, HandshakeProbe.status(socket, "http://evil.example"));
    assertEquals(403, HandshakeProbe.status(socket, "http://127.0.0.1:1"));
    assertEquals(403, HandshakeProbe.status(socket, null));
  }

  /** A frame over the default maxMessageBytes closes with 1009; the room sees disconnected. */
  public static void frameOverMaxMessageBytesClosesWith1009(URI socket, String origin) {
    try (TestClient big = TestClient.connect(socket, origin);
        TestClient peer = TestClient.connect(socket, origin)) {
      big.join("too-big", "Big");
      peer.join("too-big", "Peer");
      big.expect("peer-joined");
      big.send("{\"type\":\"ping\",\"pad\":\"" + "x".repeat(65536) + "\"}");
      assertEquals(1009, big.awaitClose());
      JsonObject left = peer.expect("peer-left");
      assertEquals(big.welcomePeerId(), left.getString("peerId"));
      assertEquals("disconnected", left.getString("reason"));
    }
  }
}

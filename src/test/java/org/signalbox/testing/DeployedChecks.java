package org.signalbox.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;

import jakarta.json.JsonObject;
import java.net.URI;
import java.nio.charset.StandardCharsets;

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

  /**
   * A message of exactly the default maxMessageBytes (64 KiB of UTF-8, two- and four-byte chars
   * among them) is relayed whole, sent as one frame or in fragments; a byte more in fragments
   * closes with 1009. A container hands such a message over in parts, and the server joins them.
   */
  public static void messagesUpToMaxMessageBytesArriveWhole(URI socket, String origin) {
    try (TestClient from = TestClient.connect(socket, origin);
        TestClient to = TestClient.connect(socket, origin)) {
      from.join("large", "From");
      to.join("large", "To");
      from.expect("peer-joined");
      String data = dataFilling(65_536, to.welcomePeerId());
      String frame = messageFrame(to.welcomePeerId(), data);
      assertEquals(65_536, frame.getBytes(StandardCharsets.UTF_8).length);
      from.send(frame);
      assertEquals(data, to.expect("message").getString("data"));
      from.sendInParts(frame, 5);
      assertEquals(data, to.expect("message").getString("data"));

      from.sendInParts(messageFrame(to.welcomePeerId(), data + "x"), 5);
      assertEquals(1009, from.awaitClose());
      JsonObject left = to.expect("peer-left");
      assertEquals("disconnected", left.getString("reason"));
    }
  }

  /**
   * A binary frame closes with 1003 whatever its size (a large one too, which a container would
   * otherwise refuse as too big for its buffer); the room sees disconnected.
   */
  public static void binaryFramesCloseWith1003(URI socket, String origin) {
    for (int size : new int[] {16, 20_000}) {
      try (TestClient sender = TestClient.connect(socket, origin);
          TestClient peer = TestClient.connect(socket, origin)) {
        sender.join("binary-" + size, "Sender");
        peer.join("binary-" + size, "Peer");
        sender.expect("peer-joined");
        sender.sendBinary(new byte[size]);
        assertEquals(1003, sender.awaitClose(), size + " bytes");
        assertEquals("disconnected", peer.expect("peer-left").getString("reason"));
      }
    }
  }

  private static String messageFrame(String to, String data) {
    return "{\"type\":\"message\",\"to\":\"" + to + "\",\"data\":\"" + data + "\"}";
  }

  /** Data that makes {@link #messageFrame} exactly {@code bytes} long in UTF-8. */
  private static String dataFilling(int bytes, String to) {
    int room = bytes - messageFrame(to, "").getBytes(StandardCharsets.UTF_8).length;
    // "é" is two bytes, the emoji four (a surrogate pair): both must be counted as bytes.
    String unit = "é\uD83D\uDE00abcd";
    int unitBytes = unit.getBytes(StandardCharsets.UTF_8).length;
    return unit.repeat(room / unitBytes) + "x".repeat(room % unitBytes);
  }
}

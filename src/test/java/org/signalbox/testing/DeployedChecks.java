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
    TestClient[] c = TestClient.room(socket, origin, "too-big", 2);
    try {
      c[0].send("{\"type\":\"ping\",\"pad\":\"" + "x".repeat(65536) + "\"}");
      assertClosedAndRoomSeesDisconnected(1009, c[0], c[1], "");
    } finally {
      TestClient.closeAll(c);
    }
  }

  /**
   * A message of exactly the default maxMessageBytes (64 KiB of UTF-8, two- and four-byte chars
   * among them) is relayed whole, sent as one frame or in fragments; a byte more in fragments
   * closes with 1009. A container hands such a message over in parts, and the server joins them.
   */
  public static void messagesUpToMaxMessageBytesArriveWhole(URI socket, String origin) {
    TestClient[] c = TestClient.room(socket, origin, "large", 2);
    try {
      TestClient from = c[0];
      TestClient to = c[1];
      String data = dataFilling(65_536, to.welcomePeerId());
      String frame = messageFrame(to.welcomePeerId(), data);
      assertEquals(65_536, frame.getBytes(StandardCharsets.UTF_8).length);
      from.send(frame);
      assertEquals(data, to.expect("message").getString("data"));
      from.sendInParts(frame, 5);
      assertEquals(data, to.expect("message").getString("data"));

      from.sendInParts(messageFrame(to.welcomePeerId(), data + "x"), 5);
      assertClosedAndRoomSeesDisconnected(1009, from, to, "");
    } finally {
      TestClient.closeAll(c);
    }
  }

  /**
   * A binary frame closes with 1003 whatever its size (a large one too, which a container would
   * otherwise refuse as too big for its buffer); the room sees disconnected.
   */
  public static void binaryFramesCloseWith1003(URI socket, String origin) {
    for (int size : new int[] {16, 20_000}) {
      TestClient[] c = TestClient.room(socket, origin, "binary-" + size, 2);
      try {
        c[0].sendBinary(new byte[size]);
        assertClosedAndRoomSeesDisconnected(1003, c[0], c[1], size + " bytes");
      } finally {
        TestClient.closeAll(c);
      }
    }
  }

  /** {@code closed} was closed with {@code code}, and {@code peer} saw it leave disconnected. */
  private static void assertClosedAndRoomSeesDisconnected(
      int code, TestClient closed, TestClient peer, String what) {
    assertEquals(code, closed.awaitClose(), what);
    JsonObject left = peer.expect("peer-left");
    assertEquals(closed.welcomePeerId(), left.getString("peerId"), what);
    assertEquals("disconnected", left.getString("reason"), what);
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

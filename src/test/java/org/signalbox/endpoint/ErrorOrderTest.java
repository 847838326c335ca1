package org.signalbox.endpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.json.JsonObject;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.signalbox.testing.Binding;
import org.signalbox.testing.EmbeddedServer;
import org.signalbox.testing.TestClient;

/**
 * Every error code from the real server, with its ref, in PROTOCOL.md's check order: rate limit,
 * bad-message, not-joined/already-joined, unauthorized, room-full, unknown-peer. After each
 * error the connection is still open and the refused frame had no effect.
 */
class ErrorOrderTest {

  private static final Duration QUIET = Duration.ofMillis(200);

  private static void stillOpen(TestClient c) {
    c.send("{\"type\":\"ping\",\"id\":\"alive\"}");
    assertEquals("alive", c.expect("pong").getString("ref"));
  }

  private static JsonObject errorFor(TestClient c, String frame, String code) {
    c.send(frame);
    JsonObject error = c.expectError(code);
    assertFalse(error.getString("message").isBlank(), "a readable message");
    stillOpen(c);
    return error;
  }

  @ParameterizedTest
  @EnumSource(Binding.class)
  void badMessagesKeepTheSocketAndEchoTheRefWhenTheIdIsValid(Binding binding) {
    try (EmbeddedServer server = EmbeddedServer.start();
        TestClient c = TestClient.connect(server.uri(binding))) {
      if (binding == Binding.WEBSOCKET) {
        assertFalse(errorFor(c, "{oops", "bad-message").containsKey("ref"));
        assertFalse(errorFor(c, "[1,2]", "bad-message").containsKey("ref"));
      } else {
        // PROTOCOL.md: a body that is not an array of objects is 400, and nothing is handled.
        assertEquals(400, c.http().post("[{oops]"));
        assertEquals(400, c.http().post("[[1,2]]"));
        stillOpen(c);
      }
      assertEquals("u", errorFor(c, "{\"type\":\"teleport\",\"id\":\"u\"}", "bad-message").getString("ref"));
      assertEquals(3, errorFor(c, "{\"id\":3}", "bad-message").getInt("ref"));
      assertFalse(errorFor(c, "{\"type\":\"ping\",\"id\":[1]}", "bad-message").containsKey("ref"));
      assertEquals(5, errorFor(c, "{\"type\":\"join\",\"id\":5,\"room\":\"no spaces\"}", "bad-message").getInt("ref"));
      assertEquals(6, errorFor(c, "{\"type\":\"join\",\"id\":6,\"room\":\"r\",\"name\":\" \"}", "bad-message").getInt("ref"));
      // A bad join joined nothing.
      assertEquals(0, server.node().membership().roomCount());
      c.send("{\"type\":\"ping\",\"id\":99}");
      assertEquals(99, c.expect("pong").getInt("ref"));
    }
  }

  @ParameterizedTest
  @EnumSource(Binding.class)
  void relaysAndLeaveBeforeJoinAreNotJoined(Binding binding) {
    try (EmbeddedServer server = EmbeddedServer.start();
        TestClient c = TestClient.connect(server.uri(binding));
        TestClient other = TestClient.connect(server.uri(binding))) {
      other.join("r", "Other");
      String to = other.welcomePeerId();
      assertEquals("s", errorFor(c, "{\"type\":\"signal\",\"id\":\"s\",\"to\":\"" + to + "\",\"data\":{}}", "not-joined").getString("ref"));
      assertEquals("m", errorFor(c, "{\"type\":\"message\",\"id\":\"m\",\"data\":1}", "not-joined").getString("ref"));
      assertEquals("l", errorFor(c, "{\"type\":\"leave\",\"id\":\"l\"}", "not-joined").getString("ref"));
      other.expectNothing(QUIET);
      // bad-message is checked before not-joined.
      errorFor(c, "{\"type\":\"signal\",\"data\":{}}", "bad-message");
    }
  }

  @ParameterizedTest
  @EnumSource(Binding.class)
  void aSecondJoinIsAlreadyJoinedEvenWhenTheOtherRoomIsFull(Binding binding) {
    try (EmbeddedServer server = EmbeddedServer.start(Map.of("maxRoomSize", "1"));
        TestClient a = TestClient.connect(server.uri(binding));
        TestClient b = TestClient.connect(server.uri(binding))) {
      a.join("mine", "A");
      b.join("full", "B");
      assertEquals(1, errorFor(a, "{\"type\":\"join\",\"id\":1,\"room\":\"full\"}", "already-joined").getInt("ref"));
      assertEquals(2, errorFor(a, "{\"type\":\"join\",\"id\":2,\"room\":\"mine\"}", "already-joined").getInt("ref"));
      b.expectNothing(QUIET);
    }
  }

  @ParameterizedTest
  @EnumSource(Binding.class)
  void aFullRoomRefusesTheJoinAndNothingHappens(Binding binding) {
    try (EmbeddedServer server = EmbeddedServer.start(Map.of("maxRoomSize", "2"));
        TestClient a = TestClient.connect(server.uri(binding));
        TestClient b = TestClient.connect(server.uri(binding));
        TestClient c = TestClient.connect(server.uri(binding))) {
      a.join("r", "A");
      b.join("r", "B");
      a.expect("peer-joined");
      assertEquals("j", errorFor(c, "{\"type\":\"join\",\"id\":\"j\",\"room\":\"r\"}", "room-full").getString("ref"));
      a.expectNothing(QUIET);
      b.expectNothing(Duration.ZERO);
      // Not joined: the connection may join elsewhere.
      assertEquals(0, c.join("elsewhere", "C").getJsonArray("peers").size());
    }
  }

  @ParameterizedTest
  @EnumSource(Binding.class)
  void relaysToAnyoneButAnotherPeerOfTheRoomAreUnknownPeer(Binding binding) {
    try (EmbeddedServer server = EmbeddedServer.start();
        TestClient a = TestClient.connect(server.uri(binding));
        TestClient b = TestClient.connect(server.uri(binding));
        TestClient stranger = TestClient.connect(server.uri(binding))) {
      a.join("r", "A");
      b.join("r", "B");
      a.expect("peer-joined");
      stranger.join("other", "S");
      String self = a.welcomePeerId();
      assertEquals(1, errorFor(a, "{\"type\":\"signal\",\"id\":1,\"to\":\"" + self + "\",\"data\":{}}", "unknown-peer").getInt("ref"));
      assertEquals(2, errorFor(a, "{\"type\":\"message\",\"id\":2,\"to\":\"nobody\",\"data\":1}", "unknown-peer").getInt("ref"));
      // Isolation: a peer of another room is unknown, and receives nothing.
      assertEquals(3, errorFor(a, "{\"type\":\"signal\",\"id\":3,\"to\":\"" + stranger.welcomePeerId() + "\",\"data\":{}}", "unknown-peer").getInt("ref"));
      stranger.expectNothing(QUIET);
      b.expectNothing(Duration.ZERO);
      // A broadcast reaches the room but never its sender, nor another room.
      a.send("{\"type\":\"message\",\"data\":{\"hello\":true}}");
      JsonObject got = b.expect("message");
      assertEquals(self, got.getString("from"));
      assertFalse(got.containsKey("to"), "no 'to' on a broadcast");
      a.expectNothing(QUIET);
      stranger.expectNothing(Duration.ZERO);
      // A direct message carries 'to'.
      a.send("{\"type\":\"message\",\"to\":\"" + b.welcomePeerId() + "\",\"data\":\"hi\"}");
      assertEquals(b.welcomePeerId(), b.expect("message").getString("to"));
    }
  }

  @ParameterizedTest
  @EnumSource(Binding.class)
  void theRateLimitIsCheckedFirst(Binding binding) {
    try (EmbeddedServer server =
            EmbeddedServer.start(Map.of("burst", "3", "messagesPerSecond", "1"));
        TestClient c = TestClient.connect(server.uri(binding))) {
      for (int i = 0; i < 3; i++) {
        c.send("{\"type\":\"ping\",\"id\":" + i + "}");
        c.expect("pong");
      }
      c.send("{\"type\":\"teleport\",\"id\":\"over\"}");
      JsonObject limited = c.expectError("rate-limited");
      assertEquals("over", limited.getString("ref"), "a malformed frame over the rate is rate-limited");
      // Over HTTP a body that is no JSON is refused before any frame is handled (400): the frame
      // over the rate there is an object whose id is no valid ref.
      c.send(binding == Binding.WEBSOCKET ? "not json at all" : "{\"type\":\"ping\",\"id\":[1]}");
      assertFalse(c.expectError("rate-limited").containsKey("ref"));
      assertTrue(!c.isClosed());
    }
  }
}

package org.signalbox.endpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.json.JsonObject;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.signalbox.room.RoomAdmin;
import org.signalbox.testing.Binding;
import org.signalbox.testing.EmbeddedServer;
import org.signalbox.testing.NodeGauges;
import org.signalbox.testing.TestClient;

/** How peers leave, get lost and come back: close frames, drops, the grace and resume. */
class MembershipTest {

  private static final Duration QUIET = Duration.ofMillis(300);

  private static String relay(String type, String to, int seq) {
    return "{\"type\":\"" + type + "\",\"to\":\"" + to + "\",\"data\":{\"seq\":" + seq + "}}";
  }

  private static String resumeJoin(String room, String token) {
    return "{\"type\":\"join\",\"room\":\"" + room + "\",\"resume\":\"" + token + "\",\"id\":\"r\"}";
  }

  @ParameterizedTest
  @EnumSource(Binding.class)
  void closeFrameFromTheClientEndsTheMembershipAtOnce(Binding binding) {
    try (EmbeddedServer server = EmbeddedServer.start();
        TestClient a = TestClient.connect(server.uri(binding));
        TestClient b = TestClient.connect(server.uri(binding));
        TestClient c = TestClient.connect(server.uri(binding))) {
      a.join("room", "A");
      b.join("room", "B");
      c.join("room", "C");
      a.expect("peer-joined");
      a.expect("peer-joined");
      b.expect("peer-joined");
      b.closeWith(1000);
      JsonObject left = a.expect("peer-left");
      assertEquals(b.welcomePeerId(), left.getString("peerId"));
      assertEquals("left", left.getString("reason"));
      assertEquals("room", left.getString("room"));
      assertEquals("left", c.expect("peer-left").getString("reason"));
      // A closing tab sends 1001: still a deliberate leave.
      c.closeWith(1001);
      assertEquals("left", a.expect("peer-left").getString("reason"));
    }
  }

  @ParameterizedTest
  @EnumSource(Binding.class)
  void leaveAnswersLeftAndTheConnectionCanJoinAgain(Binding binding) {
    try (EmbeddedServer server = EmbeddedServer.start();
        TestClient a = TestClient.connect(server.uri(binding));
        TestClient b = TestClient.connect(server.uri(binding))) {
      a.join("one", "A");
      b.join("one", "B");
      a.expect("peer-joined");
      b.send("{\"type\":\"leave\",\"id\":42}");
      JsonObject left = b.expect("left");
      assertEquals("one", left.getString("room"));
      assertEquals(42, left.getInt("ref"));
      assertEquals("left", a.expect("peer-left").getString("reason"));
      a.send(relay("signal", b.welcomePeerId(), 1));
      assertEquals("unknown-peer", a.expectError("unknown-peer").getString("code"));
      JsonObject again = b.join("two", "B");
      assertEquals(b.welcomePeerId(), again.getString("peerId"));
      assertEquals(0, again.getJsonArray("peers").size());
    }
  }

  @ParameterizedTest
  @EnumSource(Binding.class)
  void aDroppedPeerKeepsItsPlaceSilentlyUntilTheGraceEnds(Binding binding) {
    try (EmbeddedServer server = EmbeddedServer.start(Map.of("resumeGraceMs", "800"));
        TestClient a = TestClient.connect(server.uri(binding));
        TestClient b = TestClient.connect(server.uri(binding))) {
      a.join("room", "A");
      b.join("room", "B");
      a.expect("peer-joined");
      long dropped = System.nanoTime();
      b.abort();
      a.expectNothing(Duration.ofMillis(500));
      JsonObject left = a.expect("peer-left");
      long afterMs = (System.nanoTime() - dropped) / 1_000_000;
      assertEquals("timeout", left.getString("reason"));
      assertEquals(b.welcomePeerId(), left.getString("peerId"));
      assertTrue(afterMs >= 700, "announced only after the grace: " + afterMs + " ms");
    }
  }

  @ParameterizedTest
  @EnumSource(Binding.class)
  void resumeGetsTheSamePeerIdAndTheBufferedRelaysInOrder(Binding binding) {
    try (EmbeddedServer server = EmbeddedServer.start(Map.of("resumeGraceMs", "10000"));
        TestClient a = TestClient.connect(server.uri(binding));
        TestClient b = TestClient.connect(server.uri(binding))) {
      String token = joinThenDrop(server, a, b);
      for (int seq = 0; seq < 5; seq++) {
        a.send(relay(seq % 2 == 0 ? "signal" : "message", b.welcomePeerId(), seq));
      }
      try (TestClient b2 = TestClient.connect(server.uri(binding))) {
        b2.send(resumeJoin("room", token));
        JsonObject joined = b2.expect("joined");
        assertTrue(joined.getBoolean("resumed"));
        assertEquals(b.welcomePeerId(), joined.getString("peerId"));
        assertNotEquals(b2.welcomePeerId(), joined.getString("peerId"));
        assertEquals("r", joined.getString("ref"));
        assertEquals("B", joined.getString("name"));
        assertNotEquals(token, joined.getString("resumeToken"), "a new token on every joined");
        assertEquals(1, joined.getJsonArray("peers").size());
        assertEquals(a.welcomePeerId(), joined.getJsonArray("peers").getJsonObject(0).getString("peerId"));
        for (int seq = 0; seq < 5; seq++) {
          JsonObject relayed = b2.next();
          assertEquals(seq % 2 == 0 ? "signal" : "message", relayed.getString("type"));
          assertEquals(a.welcomePeerId(), relayed.getString("from"));
          assertEquals(seq, relayed.getJsonObject("data").getInt("seq"));
        }
        a.send(relay("signal", b.welcomePeerId(), 99));
        assertEquals(99, b2.expect("signal").getJsonObject("data").getInt("seq"));
        a.expectNothing(QUIET);
      }
    }
  }

  @ParameterizedTest
  @EnumSource(Binding.class)
  void olderTokensTokensOfOtherRoomsAndExpiredGracesJoinAfresh(Binding binding) {
    try (EmbeddedServer server = EmbeddedServer.start(Map.of("resumeGraceMs", "10000"));
        TestClient a = TestClient.connect(server.uri(binding));
        TestClient b = TestClient.connect(server.uri(binding))) {
      String first = joinThenDrop(server, a, b);
      String second;
      try (TestClient b2 = TestClient.connect(server.uri(binding))) {
        b2.send(resumeJoin("room", first));
        second = b2.expect("joined").getString("resumeToken");
        b2.abort();
      }
      awaitConnections(server, 1);
      try (TestClient stale = TestClient.connect(server.uri(binding))) {
        stale.send(resumeJoin("room", first));
        JsonObject fresh = stale.expect("joined");
        assertFalse(fresh.getBoolean("resumed"), "an older token stopped working");
        assertEquals(stale.welcomePeerId(), fresh.getString("peerId"));
      }
      try (TestClient elsewhere = TestClient.connect(server.uri(binding))) {
        elsewhere.send(resumeJoin("other-room", second));
        JsonObject fresh = elsewhere.expect("joined");
        assertFalse(fresh.getBoolean("resumed"), "a token for another room counts as unknown");
        assertEquals(elsewhere.welcomePeerId(), fresh.getString("peerId"));
      }
      try (TestClient garbage = TestClient.connect(server.uri(binding))) {
        garbage.send(resumeJoin("room", "not-a-token"));
        assertFalse(garbage.expect("joined").getBoolean("resumed"));
      }
    }
  }

  @ParameterizedTest
  @EnumSource(Binding.class)
  void resumeAfterTheGraceIsAFreshJoin(Binding binding) {
    try (EmbeddedServer server = EmbeddedServer.start(Map.of("resumeGraceMs", "300"));
        TestClient a = TestClient.connect(server.uri(binding));
        TestClient b = TestClient.connect(server.uri(binding))) {
      a.join("room", "A");
      String token = b.join("room", "B").getString("resumeToken");
      a.expect("peer-joined");
      b.abort();
      assertEquals("timeout", a.expect("peer-left").getString("reason"));
      try (TestClient late = TestClient.connect(server.uri(binding))) {
        late.send(resumeJoin("room", token));
        JsonObject joined = late.expect("joined");
        assertFalse(joined.getBoolean("resumed"));
        assertEquals(late.welcomePeerId(), joined.getString("peerId"));
        assertEquals(late.welcomePeerId(), a.expect("peer-joined").getJsonObject("peer").getString("peerId"));
      }
    }
  }

  @ParameterizedTest
  @EnumSource(Binding.class)
  void aFullResumeBufferAnswersUndeliverable(Binding binding) {
    try (EmbeddedServer server =
            EmbeddedServer.start(Map.of("resumeGraceMs", "10000", "resumeBuffer", "3"));
        TestClient a = TestClient.connect(server.uri(binding));
        TestClient b = TestClient.connect(server.uri(binding))) {
      String token = joinThenDrop(server, a, b);
      for (int seq = 0; seq < 3; seq++) {
        a.send(relay("signal", b.welcomePeerId(), seq));
      }
      a.send("{\"type\":\"message\",\"to\":\"" + b.welcomePeerId() + "\",\"id\":\"fourth\",\"data\":3}");
      JsonObject refused = a.expectError("undeliverable");
      assertEquals("fourth", refused.getString("ref"));
      // A broadcast misses only the peer whose buffer is full, and says so.
      a.send("{\"type\":\"message\",\"id\":5,\"data\":\"all\"}");
      assertEquals(5, a.expectError("undeliverable").getInt("ref"));
      try (TestClient b2 = TestClient.connect(server.uri(binding))) {
        b2.send(resumeJoin("room", token));
        b2.expect("joined");
        for (int seq = 0; seq < 3; seq++) {
          assertEquals(seq, b2.expect("signal").getJsonObject("data").getInt("seq"));
        }
        b2.expectNothing(QUIET);
      }
    }
  }

  @ParameterizedTest
  @EnumSource(Binding.class)
  void resumingWhileTheOldConnectionIsOpenClosesItWith1000AndChangesNoMembership(Binding binding) {
    try (EmbeddedServer server = EmbeddedServer.start();
        TestClient a = TestClient.connect(server.uri(binding));
        TestClient b = TestClient.connect(server.uri(binding));
        TestClient b2 = TestClient.connect(server.uri(binding))) {
      a.join("room", "A");
      String token = b.join("room", "B").getString("resumeToken");
      a.expect("peer-joined");
      b2.send(resumeJoin("room", token));
      JsonObject joined = b2.expect("joined");
      assertTrue(joined.getBoolean("resumed"));
      assertEquals(b.welcomePeerId(), joined.getString("peerId"));
      assertEquals(1000, b.awaitClose());
      a.expectNothing(QUIET);
      a.send(relay("signal", b.welcomePeerId(), 7));
      assertEquals(7, b2.expect("signal").getJsonObject("data").getInt("seq"));
    }
  }

  @ParameterizedTest
  @EnumSource(Binding.class)
  void peersInGraceCountTowardTheRoomSizeAndMissNoEventsTheyNeed(Binding binding) {
    try (EmbeddedServer server =
            EmbeddedServer.start(Map.of("resumeGraceMs", "10000", "maxRoomSize", "3"));
        TestClient a = TestClient.connect(server.uri(binding));
        TestClient b = TestClient.connect(server.uri(binding));
        TestClient c = TestClient.connect(server.uri(binding))) {
      a.join("room", "A");
      String token = b.join("room", "B").getString("resumeToken");
      c.join("room", "C");
      b.abort();
      awaitConnections(server, 2);
      try (TestClient d = TestClient.connect(server.uri(binding))) {
        d.send("{\"type\":\"join\",\"room\":\"room\"}");
        d.expectError("room-full");
      }
      // C leaves during B's grace; B's resumed view is the room as it is now.
      c.closeWith(1000);
      try (TestClient b2 = TestClient.connect(server.uri(binding))) {
        b2.send(resumeJoin("room", token));
        JsonObject joined = b2.expect("joined");
        assertEquals(1, joined.getJsonArray("peers").size());
        assertEquals(a.welcomePeerId(), joined.getJsonArray("peers").getJsonObject(0).getString("peerId"));
        b2.expectNothing(QUIET);
      }
    }
  }

  /**
   * PORTAL.md: the portal removes a peer in its grace (what {@code DELETE
   * /admin/rooms/{room}/peers/{peerId}} calls) with its buffer: the others get {@code peer-left}
   * {@code removed}, the buffered bytes are freed, relays to it are {@code unknown-peer}, and its
   * resume token joins afresh, with nothing of what was buffered.
   */
  @Test
  void aPeerRemovedInItsGraceGoesWithItsBuffer() {
    try (EmbeddedServer server = EmbeddedServer.start(Map.of("resumeGraceMs", "10000"));
        TestClient a = TestClient.connect(server.uri());
        TestClient b = TestClient.connect(server.uri())) {
      String token = joinThenDrop(server, a, b);
      String bob = b.welcomePeerId();
      for (int seq = 0; seq < 3; seq++) {
        a.send(relay("message", bob, seq));
      }
      // A's frames are handled in order: once its ping is answered, the relays are buffered.
      a.send("{\"type\":\"ping\",\"id\":\"buffered\"}");
      assertEquals("buffered", a.expect("pong").getString("ref"));
      assertTrue(NodeGauges.read(server.node(), "signalbox_resume_buffer_bytes") > 0);
      RoomAdmin.PeerState inGrace = server.node().membership().room("room").orElseThrow()
          .peers().get(1);
      assertEquals(bob, inGrace.peerId());
      assertTrue(inGrace.grace(), "shown in its grace");

      assertTrue(server.node().membership().remove("room", bob));
      JsonObject left = a.expect("peer-left");
      assertEquals(bob, left.getString("peerId"));
      assertEquals("removed", left.getString("reason"));
      assertEquals(0.0, NodeGauges.read(server.node(), "signalbox_resume_buffer_bytes"), 0.0,
          "its buffer went with it");
      assertFalse(server.node().membership().remove("room", bob), "removed already");
      assertEquals(1, server.node().membership().room("room").orElseThrow().peers().size());
      a.send(relay("signal", bob, 9));
      assertEquals("unknown-peer", a.expectError("unknown-peer").getString("code"));

      try (TestClient b2 = TestClient.connect(server.uri())) {
        b2.send(resumeJoin("room", token));
        JsonObject joined = b2.expect("joined");
        assertFalse(joined.getBoolean("resumed"), "its place is gone: a fresh join");
        assertEquals(b2.welcomePeerId(), joined.getString("peerId"));
        b2.send("{\"type\":\"ping\",\"id\":\"after\"}");
        assertEquals("after", b2.expect("pong").getString("ref"), "nothing buffered came first");
        assertEquals(b2.welcomePeerId(),
            a.expect("peer-joined").getJsonObject("peer").getString("peerId"));
      }
    }
  }

  /**
   * A and B join "room", then B's connection drops without a close frame. Returns B's resume
   * token once the server has noticed the drop, so that relays to B are buffered, not written.
   */
  private static String joinThenDrop(EmbeddedServer server, TestClient a, TestClient b) {
    a.join("room", "A");
    String token = b.join("room", "B").getString("resumeToken");
    a.expect("peer-joined");
    b.abort();
    awaitConnections(server, 1);
    return token;
  }

  /** Polls the node's connection count: a drop is noticed by the server asynchronously. */
  static void awaitConnections(EmbeddedServer server, int expected) {
    long deadline = System.nanoTime() + TestClient.WAIT.toNanos();
    while (server.node().connectionCount() != expected) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("connections: " + server.node().connectionCount() + ", expected " + expected);
      }
      Thread.onSpinWait();
      try {
        Thread.sleep(5); // bounded poll of a counter that has no event to await
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
    }
  }
}

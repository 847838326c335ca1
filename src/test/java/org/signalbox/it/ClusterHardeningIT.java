package org.signalbox.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.signalbox.it.ClusterTesting.awaitConnectionsAtMost;
import static org.signalbox.it.ClusterTesting.ids;
import static org.signalbox.it.ClusterTesting.leave;
import static org.signalbox.it.ClusterTesting.message;
import static org.signalbox.it.ClusterTesting.peerId;
import static org.signalbox.it.ClusterTesting.untilPong;

import jakarta.json.Json;
import jakarta.json.JsonArray;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.JsonValue;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.signalbox.auth.Tokens;
import org.signalbox.testing.RedisServer;
import org.signalbox.testing.TestClient;

/**
 * A cluster of two nodes in {@code token} mode with TURN: a resume is one only under the same
 * identity (PROTOCOL.md, Authentication), {@code joined} hands out TURN credentials, a grace
 * buffer in Redis is bounded by bytes, and every key a room leaves in Redis expires by itself,
 * even when every node dies (the last test kills both).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ClusterHardeningIT {

  private static final long RESUME_GRACE_MS = 20_000;
  private static final int RESUME_BUFFER_BYTES = 4_096;
  /** docs/cluster.md: keys expire a grace plus this margin after the last thing that kept them. */
  private static final long EXPIRY_MARGIN_MS = 60_000;
  private static final String TURN_URL = "turn:127.0.0.1:3478";

  private static RedisServer redis;
  private static ClusterNodes nodes;

  @BeforeAll
  static void startCluster() throws Exception {
    redis = RedisServer.start("hardening", false);
    nodes = ClusterNodes.start("cluster-hardening", 2, ClusterNodes.environment(redis, Map.of(
        "SIGNALBOX_AUTH", "token",
        "SIGNALBOX_TOKEN_SECRET", Tokens.SECRET,
        "SIGNALBOX_STUN_URLS", "stun:127.0.0.1:3478",
        "SIGNALBOX_TURN_URLS", TURN_URL,
        "SIGNALBOX_TURN_SECRET", "coturn-static-auth-secret-for-the-tests",
        "SIGNALBOX_RESUME_GRACE_MS", Long.toString(RESUME_GRACE_MS),
        "SIGNALBOX_RESUME_BUFFER_BYTES", Integer.toString(RESUME_BUFFER_BYTES))));
  }

  @AfterAll
  static void stopCluster() {
    if (nodes != null) {
      nodes.close();
    }
    if (redis != null) {
      redis.close();
    }
  }

  private static TestClient on(int node) {
    return TestClient.connect(nodes.socket(node));
  }

  /** A join (a resume with {@code resume}) with a token for {@code sub}; returns the answer. */
  private static JsonObject join(TestClient client, String room, String sub, String resume) {
    JsonObjectBuilder join = Json.createObjectBuilder().add("type", "join").add("room", room)
        .add("token", Tokens.sign(Tokens.claims(room, sub).build())).add("id", "join");
    if (resume != null) {
      join.add("resume", resume);
    }
    client.send(join.build().toString());
    JsonObject answer = client.next();
    assertEquals("joined", answer.getString("type"), answer::toString);
    assertEquals("join", answer.getString("ref", null), answer::toString);
    return answer;
  }

  /** The TURN entry of {@code iceServers}, or null. */
  private static JsonObject turn(JsonArray iceServers) {
    for (JsonValue v : iceServers) {
      JsonObject server = v.asJsonObject();
      if (server.getJsonArray("urls").getString(0).startsWith("turn:")) {
        return server;
      }
    }
    return null;
  }

  /** joined.iceServers holds TURN credentials for {@code peerId} (username "expiry:peerId"). */
  private static void assertTurnFor(JsonObject joined, String peerId) {
    assertTrue(joined.containsKey("iceServers"), () -> "joined carries iceServers: " + joined);
    JsonObject turn = turn(joined.getJsonArray("iceServers"));
    assertNotNull(turn, () -> "TURN in joined.iceServers: " + joined);
    assertEquals(TURN_URL, turn.getJsonArray("urls").getString(0));
    assertTrue(turn.getString("username").endsWith(":" + peerId), turn::toString);
    assertFalse(turn.getString("credential").isEmpty(), turn::toString);
  }

  private static void lose(TestClient client, int node) throws Exception {
    int with = nodes.health(node).connections();
    client.abort();
    awaitConnectionsAtMost(nodes, node, with - 1, Duration.ofSeconds(5));
  }

  @Test
  @Order(1)
  void aResumeOnAnotherNodeIsOneOnlyUnderTheSameSubAndEveryJoinedCarriesTurn() throws Exception {
    TestClient alice = on(0);
    TestClient bob = on(1);
    TestClient mallory = null;
    TestClient alice2 = null;
    try {
      assertEquals(null, turn(alice.welcome().getJsonArray("iceServers")), "no TURN before admission");
      JsonObject ja = join(alice, "ident", "alice", null);
      assertTurnFor(ja, peerId(ja));
      JsonObject jb = join(bob, "ident", "bob", null);
      assertTurnFor(jb, peerId(jb));
      alice.expect("peer-joined");
      lose(alice, 0);

      // Alice's resume token under another sub, on node 1: a fresh join with its own peerId.
      mallory = on(1);
      JsonObject jm = join(mallory, "ident", "mallory", ja.getString("resumeToken"));
      assertFalse(jm.getBoolean("resumed"), jm::toString);
      assertEquals(mallory.welcomePeerId(), peerId(jm), "the new connection's own peerId");
      assertEquals(List.of(peerId(ja), peerId(jb)), ids(jm.getJsonArray("peers")),
          "alice keeps her place in her grace");
      assertTurnFor(jm, peerId(jm));
      JsonObject joinedM = bob.expect("peer-joined");
      assertEquals(peerId(jm), joinedM.getJsonObject("peer").getString("peerId"));
      assertEquals("mallory", joinedM.getJsonObject("peer").getString("name"));

      // Alice herself, on node 1 too: the same token still resumes her.
      alice2 = on(1);
      JsonObject ra = join(alice2, "ident", "alice", ja.getString("resumeToken"));
      assertTrue(ra.getBoolean("resumed"), ra::toString);
      assertEquals(peerId(ja), peerId(ra), "the same peerId");
      assertEquals(List.of(peerId(jb), peerId(jm)), ids(ra.getJsonArray("peers")));
      assertTurnFor(ra, peerId(ja));
      message(bob, peerId(ja), Json.createValue("to alice"), null);
      assertEquals(Json.createValue("to alice"), alice2.expect("message").get("data"));
      assertEquals(List.of(), untilPong(bob, "bob-end"), "bob saw no one leave");
      assertEquals(List.of(), untilPong(mallory, "mallory-end"), "mallory got nothing of alice's");
    } finally {
      leave(alice, bob, mallory, alice2);
    }
  }

  @Test
  @Order(2)
  void aGraceBufferInRedisHoldsFramesUpToResumeBufferBytesThenUndeliverable() throws Exception {
    TestClient a = on(0);
    TestClient b = on(1);
    TestClient b2 = null;
    try {
      JsonObject ja = join(a, "bytes", "a", null);
      JsonObject jb = join(b, "bytes", "b", null);
      a.expect("peer-joined");
      lose(b, 1);
      // Frames of about 1,300 bytes: three fit in 4,096, a fourth does not (256 frames would).
      String pad = "y".repeat(1_200);
      for (int n = 0; n < 3; n++) {
        message(a, peerId(jb), Json.createObjectBuilder().add("n", n).add("pad", pad).build(), "held-" + n);
      }
      assertEquals(List.of(), untilPong(a, "held"), "held within resumeBufferBytes");
      message(a, peerId(jb), Json.createObjectBuilder().add("n", 3).add("pad", pad).build(), "over");
      JsonObject refused = a.expectError("undeliverable");
      assertEquals("over", refused.getString("ref"));

      b2 = on(0);
      JsonObject rb = join(b2, "bytes", "b", jb.getString("resumeToken"));
      assertTrue(rb.getBoolean("resumed"), rb::toString);
      for (int n = 0; n < 3; n++) {
        JsonObject m = b2.expect("message");
        assertEquals(peerId(ja), m.getString("from"));
        assertEquals(n, m.getJsonObject("data").getInt("n"), "held, in order");
      }
      assertEquals(List.of(), untilPong(b2, "after-held"), "the refused one never arrives");
      // Resumed, its buffer is empty again: a fresh loss holds as much once more.
      lose(b2, 0);
      for (int n = 0; n < 3; n++) {
        message(a, peerId(jb), Json.createObjectBuilder().add("n", n).add("pad", pad).build(), "again-" + n);
      }
      assertEquals(List.of(), untilPong(a, "again"), "held again after the resume");
    } finally {
      leave(a, b, b2);
    }
  }

  @Test
  @Order(3)
  void everyKeyARoomLeavesExpiresByItselfWhenEveryNodeIsKilled() throws Exception {
    TestClient a = on(0);
    TestClient b = on(1);
    TestClient c = on(1);
    try {
      join(a, "abandoned", "a", null);
      JsonObject jb = join(b, "abandoned", "b", null);
      a.expect("peer-joined");
      join(c, "abandoned", "c", null);
      a.expect("peer-joined");
      b.expect("peer-joined");
      lose(b, 1);
      // Node 1 starts b's grace a moment after it sees the socket drop; until then a relay goes to
      // the dead socket. Relay (each answered by a round trip) until one is held in the buffer.
      String buffer = "sb:{0}:r:abandoned:b:" + peerId(jb);
      for (int i = 0; !redis.keys(buffer).contains(buffer); i++) {
        assertTrue(i < 100, "no relay was held for b in its grace");
        message(a, peerId(jb), Json.createValue("held"), "held" + i);
        assertEquals(List.of(), untilPong(a, "held" + i), "held for b in its grace");
      }

      // Every node dies at once, mid-call: nobody will ever end these graces or leave the room.
      nodes.kill(0);
      nodes.kill(1);
      Map<String, Long> ttls = new TreeMap<>();
      for (String key : redis.keys("*")) {
        ttls.put(key, redis.pttl(key));
      }
      System.out.println("keys left in Redis with their PTTL (ms): " + ttls);
      for (String suffix : List.of(":m", ":t", ":s", ":b:" + peerId(jb))) {
        assertTrue(ttls.containsKey("sb:{0}:r:abandoned" + suffix), () -> "the room's keys: " + ttls);
      }
      List<String> forever = new ArrayList<>();
      for (Map.Entry<String, Long> e : ttls.entrySet()) {
        if (e.getValue() == -1 || e.getValue() > RESUME_GRACE_MS + EXPIRY_MARGIN_MS) {
          forever.add(e.getKey() + "=" + e.getValue());
        }
      }
      assertEquals(List.of(), forever,
          "every key expires within a grace plus the margin: " + ttls);
    } finally {
      TestClient.closeAll(a, b, c);
    }
  }
}

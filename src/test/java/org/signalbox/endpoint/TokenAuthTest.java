package org.signalbox.endpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.nimbusds.jose.JWSAlgorithm;
import jakarta.json.Json;
import jakarta.json.JsonArray;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.signalbox.auth.Tokens;
import org.signalbox.testing.EmbeddedServer;
import org.signalbox.testing.TestClient;

/** auth=token end to end: what a join with each kind of token gets, and what the room sees. */
class TokenAuthTest {

  private static final Duration QUIET = Duration.ofMillis(200);

  private EmbeddedServer server;

  @BeforeEach
  void start() {
    server = EmbeddedServer.start(Map.of("auth", "token", "tokenSecret", Tokens.SECRET));
  }

  @AfterEach
  void stop() {
    server.close();
  }

  private static String join(String room, String name, Object token) {
    JsonObjectBuilder join = Json.createObjectBuilder().add("type", "join").add("room", room)
        .add("id", "j");
    if (name != null) {
      join.add("name", name);
    }
    if (token instanceof String s) {
      join.add("token", s);
    } else if (token instanceof Integer n) {
      join.add("token", n);
    }
    return join.build().toString();
  }

  @Test
  void aValidTokenJoinsUnderTheTokensNameWhateverJoinSays() {
    try (TestClient alice = TestClient.connect(server.uri());
        TestClient bob = TestClient.connect(server.uri())) {
      alice.send(join("standup", "Mallory", Tokens.sign(
          Tokens.claims("standup", "alice@corp").claim("name", "Alice Doe").build())));
      JsonObject joined = alice.expect("joined");
      assertEquals("Alice Doe", joined.getString("name"));
      bob.send(join("standup", null, Tokens.sign(Tokens.claims("*", "bob@corp").build())));
      JsonObject bobJoined = bob.expect("joined");
      assertEquals("bob@corp", bobJoined.getString("name"));
      assertEquals("Alice Doe", bobJoined.getJsonArray("peers").getJsonObject(0).getString("name"));
      assertEquals("bob@corp", alice.expect("peer-joined").getJsonObject("peer").getString("name"));
    }
  }

  @Test
  void everyBadTokenIsUnauthorizedAndJoinsNothing() {
    Instant now = Instant.now();
    Map<String, Object> attacks = new LinkedHashMap<>();
    attacks.put("expired", Tokens.sign(Tokens.claims("standup", "a")
        .expirationTime(Date.from(now.minusSeconds(120))).build()));
    attacks.put("not yet valid", Tokens.sign(Tokens.claims("standup", "a")
        .notBeforeTime(Date.from(now.plusSeconds(600))).build()));
    attacks.put("another room", Tokens.sign(Tokens.claims("board-meeting", "a").build()));
    attacks.put("wrong signature", Tokens.sign(Tokens.claims("standup", "a").build(),
        "not-the-portal-secret-but-32-bytes-long", JWSAlgorithm.HS256));
    attacks.put("alg none", Tokens.unsigned(Tokens.claims("standup", "a").build()));
    attacks.put("HS512", Tokens.sign(Tokens.claims("standup", "a").build(),
        Tokens.SECRET + Tokens.SECRET, JWSAlgorithm.HS512));
    attacks.put("missing", null);
    attacks.put("garbage", "eyJhbGciOiJIUzI1NiJ9.garbage.garbage");

    try (TestClient witness = TestClient.connect(server.uri())) {
      witness.send(join("standup", null, Tokens.sign(Tokens.claims("standup", "witness").build())));
      witness.expect("joined");
      attacks.forEach((attack, token) -> {
        try (TestClient attacker = TestClient.connect(server.uri())) {
          attacker.send(join("standup", "Mallory", token));
          JsonObject error = attacker.expectError("unauthorized");
          assertEquals("j", error.getString("ref"), attack);
          // Nothing was joined: the room saw no one, and the attacker is in no room.
          attacker.send("{\"type\":\"leave\",\"id\":\"l\"}");
          assertEquals("l", attacker.expectError("not-joined").getString("ref"), attack);
          assertTrue(!attacker.isClosed(), attack + ": the connection stays open");
        }
        witness.expectNothing(QUIET);
      });
    }
  }

  @Test
  void aTokenThatIsNotAStringIsABadMessage() {
    try (TestClient client = TestClient.connect(server.uri())) {
      client.send(join("standup", null, 42));
      client.expectError("bad-message");
    }
  }

  @Test
  void aResumeNeedsAValidTokenToo() {
    String token = Tokens.sign(Tokens.claims("standup", "alice").build());
    try (TestClient witness = TestClient.connect(server.uri())) {
      witness.send(join("standup", null, Tokens.sign(Tokens.claims("standup", "witness").build())));
      witness.expect("joined");
      String resumeToken;
      String peerId;
      try (TestClient first = TestClient.connect(server.uri())) {
        first.send(join("standup", null, token));
        JsonObject joined = first.expect("joined");
        resumeToken = joined.getString("resumeToken");
        peerId = joined.getString("peerId");
        witness.expect("peer-joined");
        first.abort();
      }
      try (TestClient without = TestClient.connect(server.uri())) {
        without.send("{\"type\":\"join\",\"room\":\"standup\",\"resume\":\"" + resumeToken + "\"}");
        without.expectError("unauthorized");
      }
      try (TestClient again = TestClient.connect(server.uri())) {
        again.send("{\"type\":\"join\",\"room\":\"standup\",\"resume\":\"" + resumeToken
            + "\",\"token\":\"" + token + "\"}");
        JsonObject resumed = again.expect("joined");
        assertTrue(resumed.getBoolean("resumed"));
        assertEquals(peerId, resumed.getString("peerId"));
      }
    }
  }

  /** A token of {@code sub} for {@code room} whose exp passed two minutes ago (beyond the skew). */
  private static String expired(String room, String sub) {
    return Tokens.sign(Tokens.claims(room, sub)
        .expirationTime(Date.from(Instant.now().minusSeconds(120))).build());
  }

  private static String resume(String resumeToken, String token) {
    return "{\"type\":\"join\",\"room\":\"standup\",\"id\":\"r\",\"resume\":\"" + resumeToken
        + "\",\"token\":\"" + token + "\"}";
  }

  /** Joins {@code sub} to standup, drops its socket, and answers its joined frame. */
  private JsonObject joinAndDrop(TestClient witness, String sub) {
    try (TestClient first = TestClient.connect(server.uri())) {
      first.send(join("standup", null, Tokens.sign(Tokens.claims("standup", sub).build())));
      JsonObject joined = first.expect("joined");
      witness.expect("peer-joined");
      first.abort();
      return joined;
    }
  }

  @Test
  void aCallOutlivesItsTokenAResumeWithTheSameSubWhoseTokenExpiredTwoMinutesAgoResumes() {
    try (TestClient witness = TestClient.connect(server.uri())) {
      witness.send(join("standup", null, Tokens.sign(Tokens.claims("standup", "witness").build())));
      witness.expect("joined");
      JsonObject first = joinAndDrop(witness, "alice");
      try (TestClient back = TestClient.connect(server.uri())) {
        back.send(resume(first.getString("resumeToken"), expired("standup", "alice")));
        JsonObject resumed = back.expect("joined");
        assertTrue(resumed.getBoolean("resumed"));
        assertEquals(first.getString("peerId"), resumed.getString("peerId"), "the same peer");
        assertEquals("alice", resumed.getString("name"));
        witness.expectNothing(QUIET);
      }
    }
  }

  @Test
  void anExpiredTokenStillJoinsNothingAfresh() {
    try (TestClient witness = TestClient.connect(server.uri())) {
      witness.send(join("standup", null, Tokens.sign(Tokens.claims("standup", "witness").build())));
      witness.expect("joined");
      JsonObject first = joinAndDrop(witness, "alice");
      // A resume token that is no longer live (used once already) with an expired token.
      String live;
      try (TestClient back = TestClient.connect(server.uri())) {
        back.send(resume(first.getString("resumeToken"), expired("standup", "alice")));
        live = back.expect("joined").getString("resumeToken");
        try (TestClient stale = TestClient.connect(server.uri())) {
          stale.send(resume(first.getString("resumeToken"), expired("standup", "alice")));
          assertEquals("r", stale.expectError("unauthorized").getString("ref"));
        }
      }
      // Nor does an expired token of another sub that holds a live resume token.
      try (TestClient other = TestClient.connect(server.uri())) {
        other.send(resume(live, expired("standup", "mallory")));
        other.expectError("unauthorized");
      }
      witness.expectNothing(QUIET);
    }
  }

  @Test
  void aResumeUnderAnotherSubIsAFreshJoinUnderTheNewIdentity() {
    try (TestClient witness = TestClient.connect(server.uri())) {
      witness.send(join("standup", null, Tokens.sign(Tokens.claims("standup", "witness").build())));
      witness.expect("joined");
      JsonObject alice = joinAndDrop(witness, "alice");
      try (TestClient mallory = TestClient.connect(server.uri())) {
        mallory.send(resume(alice.getString("resumeToken"),
            Tokens.sign(Tokens.claims("standup", "mallory").build())));
        JsonObject joined = mallory.expect("joined");
        assertEquals(false, joined.getBoolean("resumed"));
        assertEquals(mallory.welcomePeerId(), joined.getString("peerId"), "its own new peerId");
        assertEquals("mallory", joined.getString("name"), "not the resumed peer's name");
        JsonObject seen = witness.expect("peer-joined").getJsonObject("peer");
        assertEquals("mallory", seen.getString("name"));
        assertEquals(2, joined.getJsonArray("peers").size(),
            "the witness, and alice keeping her place for her own resume");
      }
    }
  }

  @Test
  void turnCredentialsComeOnlyWithJoinedInTokenMode() {
    server.close();
    server = EmbeddedServer.start(Map.of("auth", "token", "tokenSecret", Tokens.SECRET,
        "stunUrls", "stun:stun.example.org:3478", "turnUrls", "turn:turn.example.org:3478",
        "turnSecret", "coturn-static-auth-secret"));
    try (TestClient stranger = TestClient.connect(server.uri())) {
      JsonArray welcomeIce = stranger.welcome().getJsonArray("iceServers");
      assertEquals(1, welcomeIce.size(), "STUN only before admission: " + welcomeIce);
      assertFalse(welcomeIce.getJsonObject(0).containsKey("credential"));
      stranger.send(join("standup", null, "not-a-token"));
      JsonObject refused = stranger.expectError("unauthorized");
      assertFalse(refused.containsKey("iceServers"));
      stranger.send(join("standup", null, Tokens.sign(Tokens.claims("standup", "alice").build())));
      JsonObject joined = stranger.expect("joined");
      JsonArray ice = joined.getJsonArray("iceServers");
      assertEquals(2, ice.size(), "the whole list: " + ice);
      JsonObject turn = ice.getJsonObject(1);
      assertEquals("turn:turn.example.org:3478", turn.getJsonArray("urls").getString(0));
      assertTrue(turn.getString("username").endsWith(":" + joined.getString("peerId")),
          turn.getString("username"));
      assertFalse(turn.getString("credential").isEmpty());
    }
  }
}

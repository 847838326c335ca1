package org.signalbox.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Calls relayed through a real coturn with the TURN REST credentials Signalbox hands out, and
 * what a client says when coturn refuses them.
 */
class BrowserTurnIT {

  private static final String SECRET = "turn-secret-shared-by-signalbox-and-coturn";
  private static final String RELAY = "&ice-transport-policy=relay";

  /** The type of the local candidate of each connection's selected pair. */
  private static final String SELECTED_LOCAL_TYPE =
      "const [link] = room.links.values(); const stats = await link.pc.getStats(); let transport;"
          + "stats.forEach(r => { if (r.type === 'transport' && r.selectedCandidatePairId) transport = r; });"
          + "if (!transport) return null;"
          + "const pair = stats.get(transport.selectedCandidatePairId);"
          + "return stats.get(pair.localCandidateId).candidateType;";

  /** Records the room's error events in window.errors. */
  private static final String RECORD_ERRORS =
      "window.errors = []; room.addEventListener('error', (e) => window.errors.push(e.detail));"
          + "return true;";

  private static Map<String, String> turn(Coturn coturn, String secret, String ttl) {
    return Map.of("SIGNALBOX_TURN_URLS", coturn.url(), "SIGNALBOX_TURN_SECRET", secret,
        "SIGNALBOX_TURN_TTL_SECONDS", ttl);
  }

  @Test
  void relayOnlyPeersConnectThroughCoturnWithSignalboxCredentials() throws Exception {
    try (Coturn coturn = Coturn.start("relay", SECRET);
        RunCommandServer server = RunCommandServer.start("browser-turn", turn(coturn, SECRET, "600"));
        CallPage a = CallPage.join(server.origin(), "turn", "A", "video", RELAY);
        CallPage b = CallPage.join(server.origin(), "turn", "B", "video", RELAY)) {
      CallPage.awaitPair(a, b);
      for (CallPage page : List.of(a, b)) {
        assertEquals("relay", page.js(SELECTED_LOCAL_TYPE), "the selected pair is relayed");
        page.awaitLiveVideoFromEveryPeer();
      }
      a.chatThroughTheUi("through the relay");
      b.awaitChat(a.peerId(), "through the relay");
    }
  }

  /**
   * In token mode welcome carries STUN only and the TURN credentials come with joined: a
   * relay-only call must take them from there.
   */
  @Test
  void inTokenModeRelayOnlyPeersConnectWithTheCredentialsOfJoined() throws Exception {
    Map<String, String> environment = new java.util.HashMap<>();
    try (Coturn coturn = Coturn.start("relay-token", SECRET)) {
      environment.putAll(turn(coturn, SECRET, "600"));
      environment.put("SIGNALBOX_AUTH", "token");
      environment.put("SIGNALBOX_TOKEN_SECRET", org.signalbox.auth.Tokens.SECRET);
      try (RunCommandServer server = RunCommandServer.start("browser-turn-token", environment);
          CallPage a = CallPage.join(server.origin(), "turn-token", "A", "none", RELAY + token("turn-token", "a"));
          CallPage b = CallPage.join(server.origin(), "turn-token", "B", "none", RELAY + token("turn-token", "b"))) {
        CallPage.awaitPair(a, b);
        for (CallPage page : List.of(a, b)) {
          assertEquals("relay", page.js(SELECTED_LOCAL_TYPE), "the selected pair is relayed");
          assertEquals(true, page.js("return room.iceServers.some(s => s.username && s.credential);"),
              "the TURN entry of joined is in use");
        }
        a.chatThroughTheUi("through the relay, in token mode");
        b.awaitChat(a.peerId(), "through the relay, in token mode");
      }
    }
  }

  private static String token(String room, String sub) {
    return "&token=" + org.signalbox.auth.Tokens.sign(org.signalbox.auth.Tokens.claims(room, sub).build());
  }

  @Test
  void aWrongTurnSecretIsReportedAsAnErrorInsteadOfHanging() throws Exception {
    try (Coturn coturn = Coturn.start("wrong-secret", SECRET);
        RunCommandServer server = RunCommandServer.start(
            "browser-turn-wrong", turn(coturn, "not-the-secret-coturn-knows-at-all", "600"));
        CallPage a = CallPage.join(server.origin(), "turn-wrong", "A", "none", RELAY)) {
      a.js(RECORD_ERRORS);
      try (CallPage b = CallPage.join(server.origin(), "turn-wrong", "B", "none", RELAY)) {
        assertRefusedWith401(a);
      }
    }
  }

  @Test
  void expiredTurnCredentialsAreReportedAsAnErrorInsteadOfHanging() throws Exception {
    try (Coturn coturn = Coturn.start("expired", SECRET);
        RunCommandServer server = RunCommandServer.start("browser-turn-expired", turn(coturn, SECRET, "1"));
        CallPage a = CallPage.join(server.origin(), "turn-expired", "A", "none", RELAY)) {
      a.js(RECORD_ERRORS);
      // A's credentials say when they expire ("<unix seconds>:<peerId>"); wait until they have.
      a.awaitTrue("A's TURN credentials expired",
          "const turn = room.iceServers.find(s => s.username);"
              + "return Date.now() / 1000 > Number(turn.username.split(':')[0]) + 1;",
          Duration.ofSeconds(10));
      try (CallPage b = CallPage.join(server.origin(), "turn-expired", "B", "none", RELAY)) {
        assertRefusedWith401(a);
      }
    }
  }

  private static void assertRefusedWith401(CallPage page) {
    page.awaitTrue("a 401 from coturn reported as an error event",
        "return window.errors.some(e => e.code === 'ice-server-refused' && e.errorCode === 401);");
    page.awaitTrue("the demo says so",
        "return byId('status').dataset.kind === 'error' && byId('status').textContent.includes('401');");
    assertNotEquals("connected", page.js("return [...room.peers.values()][0].connectionState;"));
  }
}

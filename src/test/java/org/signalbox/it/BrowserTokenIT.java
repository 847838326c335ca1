package org.signalbox.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.signalbox.auth.Tokens;

/**
 * Token mode with a portal that hands out tokens through a function: a call outlives its token
 * across a signaling cut, and a token the server refuses stops the client instead of leaving it
 * reconnecting for ever.
 */
class BrowserTokenIT {

  @RegisterExtension
  static final RunningServer server = new RunningServer("browser-token",
      Map.of("SIGNALBOX_AUTH", "token", "SIGNALBOX_TOKEN_SECRET", Tokens.SECRET));

  private static String valid(String room, String sub) {
    return Tokens.sign(Tokens.claims(room, sub).build());
  }

  /** Signed and for the right room and subject, but expired two minutes ago. */
  private static String expired(String room, String sub) {
    Instant now = Instant.now();
    return Tokens.sign(Tokens.claims(room, sub)
        .issueTime(Date.from(now.minusSeconds(420))).expirationTime(Date.from(now.minusSeconds(120))).build());
  }

  /**
   * A portal's token function, asynchronous as a fetch would be: {@code tokens[i]} for the i-th
   * join, the last one for every later join; calls counted in window.tokenCalls.
   */
  private static String tokenFunction(String... tokens) {
    return "(() => { window.tokenCalls = 0; const tokens = " + jsonArray(tokens) + ";"
        + "return async () => tokens[Math.min(window.tokenCalls++, tokens.length - 1)]; })()";
  }

  private static String jsonArray(String... values) {
    return jakarta.json.Json.createArrayBuilder(List.of(values)).build().toString();
  }

  @Test
  void aCallWhoseTokenExpiredSurvivesASignalingCutWithTheSamePeerId() throws Exception {
    String room = "token-cut";
    try (CutProxy proxy = CutProxy.start(server.port())) {
      String base = "http://127.0.0.1:" + proxy.port();
      // The first join gets a valid token; every later one only an expired token of the same sub.
      try (CallPage a = CallPage.embed(base, room, tokenFunction(valid(room, "alice"), expired(room, "alice")));
          CallPage b = CallPage.embed(base, room, tokenFunction(valid(room, "bob"), expired(room, "bob")))) {
        CallPage.awaitPair(a, b);
        String idA = a.peerId();
        String idB = b.peerId();
        assertEquals("alice", a.js("return room.name;"), "the name comes from the token");
        for (CallPage page : List.of(a, b)) {
          page.recordReconnects();
          page.js("window.connectionBefore = [...room.links.values()][0].pc;"
              + "window.errors = []; room.addEventListener('error', (e) => window.errors.push(e.detail));"
              + "return true;");
        }

        proxy.cut();
        for (CallPage page : List.of(a, b)) {
          page.awaitTrue("the client noticed the cut", "return window.reconnecting > 0;");
        }
        proxy.restore();
        Duration wait = Duration.ofSeconds(45);
        for (CallPage page : List.of(a, b)) {
          page.awaitTrue("resumed", "return window.reconnected !== null && window.reconnected.resumed === true;", wait);
          assertTrue(((Number) page.js("return window.tokenCalls;")).longValue() >= 2,
              "the token function was asked again for the resume");
          assertEquals(List.of(), page.js("return window.errors;"));
        }
        assertEquals(idA, a.peerId(), "same peerId after the resume");
        assertEquals(idB, b.peerId(), "same peerId after the resume");
        a.awaitConnectedTo(List.of(idB));
        b.awaitConnectedTo(List.of(idA));
        for (CallPage page : List.of(a, b)) {
          assertEquals(true, page.js("return [...room.links.values()][0].pc === window.connectionBefore;"),
              "the established peer connection was kept");
        }
        // The server relay works for the resumed membership too.
        a.js("room.signaling.send({type: 'message', to: " + CallPage.quote(idB) + ","
            + " data: {type: 'chat', text: 'relayed after the resume', at: Date.now()}}); return true;");
        b.awaitChat(idA, "relayed after the resume");
      }
    }
  }

  @Test
  void aRefusedTokenStopsTheClientAndTheElementOffersToRetry() {
    String room = "token-refused";
    String forged = Tokens.sign(Tokens.claims(room, "carol").build(),
        "not-the-secret-the-server-knows-32+-bytes", com.nimbusds.jose.JWSAlgorithm.HS256);
    // First join valid, the resume forged, the retry valid again.
    try (CallPage page = CallPage.embed(server.origin(), room,
        tokenFunction(valid(room, "carol"), forged, valid(room, "carol")))) {
      String firstId = page.peerId();
      page.recordReconnects();
      page.js("window.firstRoom = room;"
          + "window.errors = []; room.addEventListener('error', (e) => window.errors.push(e.detail));"
          + "room.signaling.drop(); return true;");

      page.awaitTrue("an unauthorized error event",
          "return window.errors.some(e => e.code === 'unauthorized' && typeof e.message === 'string');");
      page.awaitTrue("the element says so and offers to retry",
          "return byId('status').dataset.kind === 'error'"
              + " && byId('status').textContent.includes('no longer accepts your sign-in')"
              + " && !byId('retry').hidden;");
      assertEquals(Map.of("stopped", true, "socket", false, "reconnecting", 1L), page.js(
          "return {stopped: room.signaling.stopped, socket: room.signaling.socket !== null,"
              + " reconnecting: window.reconnecting};"),
          "the client stopped: no socket, no further attempt");
      assertEquals(2L, page.js("return window.tokenCalls;"));

      page.js("byId('retry').click(); return true;");
      page.awaitTrue("joined again after the retry",
          "return !!room && room !== window.firstRoom && !!room.peerId && byId('status').dataset.kind === 'info';");
      assertEquals(3L, page.js("return window.tokenCalls;"));
      assertEquals(true, page.js("return byId('retry').hidden;"));
      assertEquals(true, page.js("return window.firstRoom.signaling.stopped;"));
      assertTrue(!firstId.equals(page.peerId()), "a fresh membership");
    }
  }
}

package org.signalbox.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * One browser sits behind a proxy that refuses WebSocket upgrades, the other reaches the server
 * directly: with the default transport ({@code auto}) the first falls back to the HTTP binding by
 * itself and says so, the two hold a video call with chat both ways, and when the proxy cuts the
 * blocked browser's connections it resumes over HTTP with the same peerId and the same peer
 * connection. Closing its tab ends its membership at once, as closing a WebSocket does.
 */
class BrowserHttpFallbackIT {

  private static final String FELL_BACK = "connected over HTTP (WebSocket blocked)";

  // Polls held 3 s instead of 25: within the test, the pages' polls are answered empty many
  // times, and a session cut for more than two of them is lost on the server, as a longer cut
  // would be with the default.
  @RegisterExtension
  static final RunningServer server =
      new RunningServer("browser-http-fallback", Map.of("SIGNALBOX_POLL_MS", "3000"));

  @Test
  void aBrowserBehindAWebSocketBlockingProxyCallsOverHttpAndResumesAfterACut() throws Exception {
    try (UpgradeRefusingProxy proxy = UpgradeRefusingProxy.start(server.port())) {
      String blocked = "http://127.0.0.1:" + proxy.port();
      try (CallPage a = CallPage.join(blocked, "fallback", "A", "video");
          CallPage b = CallPage.join(server.origin(), "fallback", "B", "video")) {
        assertEquals("http", a.js("return room.transport;"), "A fell back to the HTTP binding");
        assertEquals("websocket", b.js("return room.transport;"), "B, not blocked, kept WebSocket");
        assertTrue(proxy.refusedUpgrades() >= 1, "A tried WebSocket first and the proxy refused it");
        assertEquals(Map.of("text", FELL_BACK, "shown", true), a.js(
            "const line = byId('transport'); return {text: line.textContent, shown: !line.hidden};"));
        assertEquals("connected over WebSocket", b.js("return byId('transport').textContent;"));

        CallPage.awaitPair(a, b);
        String idA = a.peerId();
        String idB = b.peerId();
        a.awaitLiveVideoFromEveryPeer();
        b.awaitLiveVideoFromEveryPeer();
        chatBothWays(a, b, "before the cut");

        a.recordReconnects();
        b.js("window.peerLeft = []; room.addEventListener('peer-left', (e) => window.peerLeft.push(e.detail));"
            + "return true;");
        for (CallPage page : List.of(a, b)) {
          page.js("window.connectionBefore = [...room.links.values()][0].pc; return true;");
        }
        int refusedBefore = proxy.refusedUpgrades();

        proxy.cut();
        a.awaitTrue("A noticed the cut", "return window.reconnecting > 0;");
        a.chatThroughTheUi("over the data channel during the cut");
        b.awaitChat(idA, "over the data channel during the cut");
        // Queued by A while it has no session; buffered by the server for A while A has none.
        relay(a, idB, "from A through the server during the cut");
        relay(b, idA, "to A through the server during the cut");

        proxy.restore();
        a.awaitTrue("A resumed",
            "return window.reconnected !== null && window.reconnected.resumed === true;",
            Duration.ofSeconds(45));
        assertEquals(idA, a.peerId(), "same peerId after the resume");
        assertEquals("http", a.js("return room.transport;"), "still over HTTP after the resume");
        assertEquals(refusedBefore, proxy.refusedUpgrades(),
            "the fallback is remembered: the reconnect did not try WebSocket again");
        b.awaitChat(idA, "from A through the server during the cut");
        a.awaitChat(idB, "to A through the server during the cut");
        a.awaitConnectedTo(List.of(idB));
        b.awaitConnectedTo(List.of(idA));
        for (CallPage page : List.of(a, b)) {
          assertEquals(true, page.js("return [...room.links.values()][0].pc === window.connectionBefore;"),
              "the established peer connection was kept, not rebuilt");
        }
        assertEquals(List.of(), b.js("return window.peerLeft;"), "B never saw A leave");
        a.awaitTrue("A still says it is over HTTP",
            "return byId('transport').textContent === " + CallPage.quote(FELL_BACK) + ";");

        chatBothWays(a, b, "after the cut");

        // A's tab goes away (pagehide deletes the session), as a WebSocket's close does: the
        // room hears at once, not after the session lapses and the resume grace runs out.
        a.browser().open("about:blank");
        b.awaitTrue("B sees A leave at once, with reason left",
            "return window.peerLeft.some(p => p.peerId === " + CallPage.quote(idA) + " && p.reason === 'left');",
            Duration.ofSeconds(10));
      }
    }
  }

  /**
   * A proxy that holds the WebSocket handshake back without any answer: with no {@code welcome}
   * within 5 s the page goes over HTTP by itself. The other page asks for HTTP ({@code
   * ?transport=http}) and says so without blaming WebSocket. The two chat over their channel and
   * through the server, both sides over HTTP.
   */
  @Test
  void anUnansweredUpgradeFallsBackAfterItsWaitAndHttpCanBeAskedFor() throws Exception {
    try (UpgradeRefusingProxy proxy = UpgradeRefusingProxy.startHanging(server.port())) {
      try (CallPage a = CallPage.join("http://127.0.0.1:" + proxy.port(), "held-back", "A", "none");
          CallPage b = CallPage.join(server.origin(), "held-back", "B", "none", "&transport=http")) {
        assertEquals("http", a.js("return room.transport;"), "A fell back to the HTTP binding");
        assertEquals(1, proxy.refusedUpgrades(), "A tried WebSocket once, and the proxy held it");
        assertEquals(FELL_BACK, a.js("return byId('transport').textContent;"));
        assertEquals("http", b.js("return room.transport;"), "B asked for HTTP");
        assertEquals("connected over HTTP", b.js("return byId('transport').textContent;"));

        CallPage.awaitPair(a, b);
        chatBothWays(a, b, "both over HTTP");
      }
    }
  }

  /**
   * Chat from each page to the other, typed in the element (over the DataChannel), and through
   * the server on purpose: over HTTP, frames go out as POSTs and come in as poll answers.
   */
  private static void chatBothWays(CallPage a, CallPage b, String when) {
    String idA = a.peerId();
    String idB = b.peerId();
    a.chatThroughTheUi("typed by A " + when);
    b.awaitChat(idA, "typed by A " + when);
    b.chatThroughTheUi("typed by B " + when);
    a.awaitChat(idB, "typed by B " + when);
    relay(a, idB, "relayed from A " + when);
    b.awaitChat(idA, "relayed from A " + when);
    relay(b, idA, "relayed from B " + when);
    a.awaitChat(idB, "relayed from B " + when);
  }

  /** Sends a chat from {@code page} to {@code to} through the server's relay, not the channel. */
  private static void relay(CallPage page, String to, String text) {
    page.js("room.signaling.send({type: 'message', to: " + CallPage.quote(to) + ","
        + " data: {type: 'chat', text: " + CallPage.quote(text) + ", at: Date.now()}});"
        + "return true;");
  }
}

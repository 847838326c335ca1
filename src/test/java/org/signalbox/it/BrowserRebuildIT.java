package org.signalbox.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * CLIENT.md's 10-second rule between two browsers: a connection that is not connected 10 s after
 * its first offer gets an ICE restart, and 10 s later a new RTCPeerConnection. The first
 * connection of the later browser is made unable to connect (relay only, with no relay server:
 * it has no candidate at all, and neither an ICE restart nor the other side can change that);
 * only a new RTCPeerConnection, built with the page's own configuration, can.
 */
class BrowserRebuildIT {

  /** The first RTCPeerConnection of the page is relay-only; later ones are as the client asks. */
  private static final String FIRST_CONNECTION_CANNOT_CONNECT =
      "window.connectionsBuilt = 0;"
          + "const Native = window.RTCPeerConnection;"
          + "window.RTCPeerConnection = class extends Native {"
          + "  constructor(config) {"
          + "    window.connectionsBuilt++;"
          + "    super(window.connectionsBuilt === 1 ? {...config, iceTransportPolicy: 'relay'} : config);"
          + "  }"
          + "};";

  /** Records every peer-state in window.states and chat texts in window.chats. */
  private static final String RECORD =
      "window.states = []; window.chats = [];"
          + "room.addEventListener('peer-state', (e) => window.states.push(e.detail.connectionState));"
          + "room.addEventListener('chat', (e) => window.chats.push(e.detail.text));"
          + "return true;";

  @RegisterExtension
  static final RunningServer server = new RunningServer("browser-rebuild", Map.of());

  @Test
  void aConnectionStuckPastTheDeadlineIsRestartedThenRebuiltAndEndsConnected() {
    try (ModulePage a = ModulePage.open(server.origin(), List.of(), "");
        ModulePage b = ModulePage.open(server.origin(), List.of(), FIRST_CONNECTION_CANNOT_CONNECT)) {
      a.join("rebuild", "A", "null");
      a.js(RECORD);
      // B joins later: it offers first, from the connection that cannot connect.
      long started = System.nanoTime();
      b.join("rebuild", "B", "null");
      b.js(RECORD);
      // 10 s to the ICE restart, 10 s more to the new connection, then its own setup.
      a.awaitConnectedTo(b.peerId(), Duration.ofSeconds(60));
      b.awaitConnectedTo(a.peerId(), Duration.ofSeconds(60));
      double seconds = (System.nanoTime() - started) / 1e9;
      assertTrue(seconds >= 19, "not before the ICE restart and the rebuild had their turns: " + seconds);

      @SuppressWarnings("unchecked")
      Map<String, Object> link = (Map<String, Object>) b.js(
          "const [link] = room.links.values();"
              + "return {rebuilds: link.rebuilds, iceRestarts: link.iceRestarts,"
              + "  built: window.connectionsBuilt, policy: link.pc.getConfiguration().iceTransportPolicy};");
      assertTrue(((Number) link.get("iceRestarts")).longValue() >= 1, "an ICE restart first: " + link);
      assertTrue(((Number) link.get("rebuilds")).longValue() >= 1, "then a new connection: " + link);
      assertEquals("all", link.get("policy"), "the connection in use is a rebuilt one: " + link);
      long aRebuilds = (long) a.js("return [...room.links.values()][0].rebuilds;");
      assertTrue(aRebuilds >= 1, "A followed with a new connection of its own: " + aRebuilds);
      // Each room told its page: the connection went back to new, then reached connected.
      for (ModulePage page : List.of(a, b)) {
        @SuppressWarnings("unchecked")
        List<String> states = (List<String>) page.js("return window.states;");
        assertTrue(states.contains("new") && "connected".equals(states.get(states.size() - 1)),
            "peer-state events through the rebuild: " + states);
      }

      // A data-only call: peer-stats still has the round-trip time (of the ICE candidate pair),
      // and no bitrate nor loss, as no RTP flows.
      a.js("window.rtt = new Promise((resolve) => room.addEventListener('peer-stats',"
          + " (e) => { if (e.detail.rttMs !== null) resolve(e.detail); }));"
          + "return true;");
      @SuppressWarnings("unchecked")
      Map<String, Object> stats = (Map<String, Object>) a.js("return await Promise.race([window.rtt,"
          + " new Promise((_, reject) => setTimeout(() => reject(new Error('no rttMs within 15 s')), 15000))]);");
      double rtt = ((Number) stats.get("rttMs")).doubleValue();
      assertTrue(Double.isFinite(rtt) && rtt >= 0, "rttMs: " + stats);
      assertEquals(null, stats.get("bitrateKbps"), "no media, no bitrate: " + stats);
      assertEquals(null, stats.get("packetLoss"), "no media, no loss: " + stats);

      a.js("room.sendChat('over the rebuilt connection'); return true;");
      b.awaitTrue("A's chat", "return window.chats.includes('over the rebuilt connection');");
      b.js("room.sendChat('and back'); return true;");
      a.awaitTrue("B's chat", "return window.chats.includes('and back');");
    }
  }
}

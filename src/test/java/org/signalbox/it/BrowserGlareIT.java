package org.signalbox.it;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Both peers renegotiate at the same moment: perfect negotiation must settle it. */
class BrowserGlareIT {

  @RegisterExtension
  static final RunningServer server = new RunningServer("browser-glare", Map.of());

  @Test
  void bothAddATrackAtOnceAndBothEndConnectedWithTheNewTracks() {
    try (CallPage a = CallPage.join(server.origin(), "glare", "A", "video");
        CallPage b = CallPage.join(server.origin(), "glare", "B", "video")) {
      CallPage.awaitPair(a, b);
      a.awaitLiveVideoFromEveryPeer();
      b.awaitLiveVideoFromEveryPeer();

      // Each side holds the other's signals until its own offer is out, as a slow network would:
      // the offers cross every time, however the two browsers are scheduled. Both hold before
      // either adds its track, or the first offer could reach the other side unheld and be
      // answered in turn.
      for (CallPage page : List.of(a, b)) {
        page.js("const [link] = room.links.values(); const deliver = link.handleSignal.bind(link);"
            + "window.heldSignals = [];"
            + "window.releaseSignals = () => { const held = window.heldSignals; window.heldSignals = null;"
            + "  held.forEach(deliver); };"
            + "link.handleSignal = (data) => window.heldSignals ? (window.heldSignals.push(data), Promise.resolve())"
            + "  : deliver(data);"
            + "return true;");
      }
      for (CallPage page : List.of(a, b)) {
        page.js("const canvas = document.createElement('canvas'); canvas.width = 320; canvas.height = 240;"
            + "const g = canvas.getContext('2d');"
            + "setInterval(() => { g.fillStyle = `hsl(${(Date.now() / 5) % 360}, 80%, 50%)`;"
            + "  g.fillRect(0, 0, 320, 240); }, 40);"
            + "room.addTrack(canvas.captureStream(15).getVideoTracks()[0]);"
            + "return true;");
      }
      for (CallPage page : List.of(a, b)) {
        page.awaitTrue("its own offer sent",
            "return [...room.links.values()][0].pc.signalingState === 'have-local-offer';");
      }
      for (CallPage page : List.of(a, b)) {
        page.js("window.releaseSignals(); return true;");
      }
      for (CallPage page : List.of(a, b)) {
        page.awaitTrue("connected, stable, and receiving both video tracks",
            "const [link] = room.links.values();"
                + "if (link.pc.connectionState !== 'connected' || link.pc.signalingState !== 'stable') return false;"
                + "const stats = await link.pc.getStats(); let decoding = 0;"
                + "stats.forEach(r => { if (r.type === 'inbound-rtp' && r.kind === 'video' && r.framesDecoded > 0) decoding++; });"
                + "return decoding === 2;");
      }
      long collisions = (long) a.js("return [...room.links.values()][0].collisions;")
          + (long) b.js("return [...room.links.values()][0].collisions;");
      assertTrue(collisions > 0, "the two offers crossed (glare), so the test exercised it");
    }
  }
}

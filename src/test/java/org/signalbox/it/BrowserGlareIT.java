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

      // One shared instant, a second ahead, so both offers leave before either arrives.
      long at = System.currentTimeMillis() + 1_000;
      for (CallPage page : List.of(a, b)) {
        page.js("const canvas = document.createElement('canvas'); canvas.width = 320; canvas.height = 240;"
            + "const g = canvas.getContext('2d');"
            + "setInterval(() => { g.fillStyle = `hsl(${(Date.now() / 5) % 360}, 80%, 50%)`;"
            + "  g.fillRect(0, 0, 320, 240); }, 40);"
            + "const track = canvas.captureStream(15).getVideoTracks()[0];"
            + "setTimeout(() => room.addTrack(track), " + at + " - Date.now());"
            + "return true;");
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

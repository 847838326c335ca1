package org.signalbox.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A peer connection that breaks is repaired by an ICE restart, on the same RTCPeerConnection.
 * The break is real: one browser is frozen (SIGSTOP), so the other's ICE consent checks go
 * unanswered and its connection turns disconnected.
 */
class BrowserIceRestartIT {

  @RegisterExtension
  static final RunningServer server = new RunningServer("browser-ice-restart", Map.of());

  @Test
  void aFailedConnectionIsRestartedAndComesBack() {
    try (CallPage a = CallPage.join(server.origin(), "ice-restart", "A", "none");
        CallPage b = CallPage.join(server.origin(), "ice-restart", "B", "none")) {
      CallPage.awaitPair(a, b);
      a.js("window.connectionBefore = [...room.links.values()][0].pc;"
          + "window.ufrags = (pc) => [pc.localDescription.sdp, pc.remoteDescription.sdp]"
          + "  .map(sdp => sdp.match(/a=ice-ufrag:(\\S+)/)[1]);"
          + "window.ufragsBefore = window.ufrags(window.connectionBefore); return true;");

      b.browser().pause();
      try {
        // Unanswered consent checks make it disconnected within seconds; the client restarts ICE
        // after 5 s of that, or at once when it fails.
        a.awaitTrue("A's connection broke and A restarted ICE",
            "return [...room.links.values()][0].iceRestarts > 0;", Duration.ofSeconds(60));
      } finally {
        b.browser().resume();
      }
      CallPage.awaitPair(a, b);
      assertEquals(true, a.js("return [...room.links.values()][0].pc === window.connectionBefore;"),
          "repaired in place, not rebuilt");
      // New ICE credentials on both sides: the restart was negotiated end to end, not a
      // connection that merely came back when the frozen browser woke up.
      assertEquals(true, a.js("const now = window.ufrags(window.connectionBefore);"
          + "return now[0] !== window.ufragsBefore[0] && now[1] !== window.ufragsBefore[1];"));
      a.chatThroughTheUi("after the ICE restart");
      b.awaitChat(a.peerId(), "after the ICE restart");
      long restarts = (long) a.js("return [...room.links.values()][0].iceRestarts;");
      assertTrue(restarts >= 1, "restarts: " + restarts);
    }
  }
}

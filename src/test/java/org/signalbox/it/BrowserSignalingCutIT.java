package org.signalbox.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The signaling path breaks without a close frame (a TCP proxy between the browsers and the
 * server resets every socket): peer-to-peer chat goes on, the clients resume with the same
 * peerId, and what was sent through the server during the cut arrives after the resume.
 */
class BrowserSignalingCutIT {

  @RegisterExtension
  static final RunningServer server = new RunningServer("browser-cut", Map.of());

  @Test
  void dataChannelChatSurvivesTheCutAndTheClientsResumeWithTheSamePeerId() throws Exception {
    try (CutProxy proxy = CutProxy.start(server.port())) {
      String base = "http://127.0.0.1:" + proxy.port();
      try (CallPage a = CallPage.join(base, "cut", "A", "none");
          CallPage b = CallPage.join(base, "cut", "B", "none")) {
        CallPage.awaitPair(a, b);
        String idA = a.peerId();
        String idB = b.peerId();
        for (CallPage page : List.of(a, b)) {
          page.recordReconnects();
          page.js("window.connectionBefore = [...room.links.values()][0].pc; return true;");
        }

        proxy.cut();
        for (CallPage page : List.of(a, b)) {
          page.awaitTrue("the client noticed the cut", "return window.reconnecting > 0;");
        }
        a.chatThroughTheUi("over the data channel during the cut");
        b.awaitChat(idA, "over the data channel during the cut");
        // Through the server relay on purpose: it is queued while the socket is down.
        a.js("room.signaling.send({type: 'message', to: " + CallPage.quote(idB) + ","
            + " data: {type: 'chat', text: 'through the server during the cut', at: Date.now()}});"
            + "return true;");

        proxy.restore();
        Duration wait = Duration.ofSeconds(45);
        for (CallPage page : List.of(a, b)) {
          page.awaitTrue("resumed", "return window.reconnected !== null && window.reconnected.resumed === true;", wait);
        }
        assertEquals(idA, a.peerId(), "same peerId after the resume");
        assertEquals(idB, b.peerId(), "same peerId after the resume");
        b.awaitChat(idA, "through the server during the cut");
        a.awaitConnectedTo(List.of(idB));
        b.awaitConnectedTo(List.of(idA));
        assertEquals(List.of(idB), a.js("return [...room.peers.keys()];"));
        for (CallPage page : List.of(a, b)) {
          assertEquals(true, page.js("return [...room.links.values()][0].pc === window.connectionBefore;"),
              "the established peer connection was kept, not rebuilt");
        }
      }
    }
  }
}

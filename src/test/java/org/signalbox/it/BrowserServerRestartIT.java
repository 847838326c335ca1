package org.signalbox.it;

import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The server restarts under a call: the clients come back by themselves with a fresh join. */
class BrowserServerRestartIT {

  @Test
  void clientsRejoinAfterARestartAndTheCallIsBack() throws Exception {
    RunCommandServer first = RunCommandServer.start("browser-restart-1", Map.of());
    int port = first.port();
    RunCommandServer second = null;
    try (CallPage a = CallPage.join(first.origin(), "restart", "A", "video");
        CallPage b = CallPage.join(first.origin(), "restart", "B", "video")) {
      CallPage.awaitPair(a, b);
      String oldA = a.peerId();
      String oldB = b.peerId();
      a.recordReconnects();
      b.recordReconnects();

      first.close(); // SIGTERM: the server closes every socket with 1001 and forgets the room
      second = RunCommandServer.start("browser-restart-2", Map.of(), port);

      // Backoff tops out at 10 s; a minute covers the restart and a few attempts.
      Duration wait = Duration.ofSeconds(60);
      for (CallPage page : List.of(a, b)) {
        page.awaitTrue("rejoined with a fresh join",
            "return window.reconnected !== null && window.reconnected.resumed === false;", wait);
      }
      assertNotEquals(oldA, a.peerId(), "a fresh join gets a new peerId");
      assertNotEquals(oldB, b.peerId(), "a fresh join gets a new peerId");
      CallPage.awaitPair(a, b);
      a.awaitLiveVideoFromEveryPeer();
      b.awaitLiveVideoFromEveryPeer();
      a.chatThroughTheUi("after the restart");
      b.awaitChat(a.peerId(), "after the restart");
    } finally {
      first.close();
      if (second != null) {
        second.close();
      }
    }
  }
}

package org.signalbox.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.signalbox.testing.Chromium;

/**
 * A full mesh of real Chromium peers with fake camera and microphone, the camera at 320x180 so
 * that five browsers' encoders and decoders leave the two cores some time for the call itself.
 */
class BrowserMeshIT {

  @RegisterExtension
  static final RunningServer server = new RunningServer("browser-mesh", Map.of());

  @Test
  void fourPeersSeeThreeLiveVideosAndSixChannelsThenAFifthJoinsAndOneLeaves() {
    List<CallPage> pages = new ArrayList<>();
    try {
      for (int i = 1; i <= 4; i++) {
        pages.add(CallPage.joinWithSmallVideo(server.origin(), "mesh", "Peer " + i));
      }
      awaitFullMesh(pages);
      int openChannelEnds = 0;
      for (CallPage page : pages) {
        page.awaitLiveVideoFromEveryPeer();
        openChannelEnds += (int) page.peers().stream().filter(p -> Boolean.TRUE.equals(p.get("channelOpen"))).count();
      }
      assertEquals(12, openChannelEnds, "6 DataChannels, open at both ends");
      // What a four-person call looks like (the README's screenshot comes from here).
      pages.get(0).browser().screenshot(Path.of("target", "four-person-call.png"));

      // Five browsers each encoding a live camera for four connections (20 encoders, 20
      // decoders) left two cores too little for the fifth's four connections within 90 s (CI,
      // twice on 2026-12-02, pages too busy to run a script for 90 s): the four turn their
      // cameras off (black frames) and the fifth joins without camera or microphone. The mesh
      // grows to five all the same: four more connections, each with its DataChannel.
      pages.forEach(CallPage::toggleCamera);
      pages.add(CallPage.join(server.origin(), "mesh", "Peer 5", "none"));
      awaitFullMesh(pages);

      CallPage leaving = pages.get(1);
      leaving.js("byId('leave').click(); return true;");
      pages.remove(leaving);
      try {
        awaitFullMesh(pages);
      } finally {
        leaving.close();
      }
      // Four again: the cameras back on, and the newcomer receives every one of them live.
      pages.subList(0, pages.size() - 1).forEach(CallPage::toggleCamera);
      pages.get(pages.size() - 1).awaitLiveVideoFromEveryPeer();
    } finally {
      pages.forEach(CallPage::close);
    }
  }

  /**
   * Every page is connected, with its chat channel open, to every other page and no one else.
   * Given as long as a join: with four browsers in a video call on two cores, a fifth took 17 s
   * to start and 59 s to join, and its four connections another 24 s (2026-12-02).
   */
  private static void awaitFullMesh(List<CallPage> pages) {
    List<String> ids = pages.stream().map(CallPage::peerId).toList();
    for (CallPage page : pages) {
      String self = page.peerId();
      page.awaitConnectedTo(ids.stream().filter(id -> !id.equals(self)).toList(),
          CallPage.JOIN_WAIT);
    }
  }
}

package org.signalbox.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Mute and screen share, checked where they matter: in what the remote page receives (its
 * decoded picture and sound, its stats), not in the sender's buttons.
 */
class BrowserMediaControlsIT {

  /** The remote video's mean brightness (0-255), drawn from the remote page's video element. */
  private static final String BRIGHTNESS =
      "const video = shadow.querySelector('[data-testid=\"remote-video\"]');"
          + "const canvas = document.createElement('canvas');"
          + "canvas.width = 64; canvas.height = 48;"
          + "const g = canvas.getContext('2d'); g.drawImage(video, 0, 0, 64, 48);"
          + "const px = g.getImageData(0, 0, 64, 48).data; let sum = 0;"
          + "for (let i = 0; i < px.length; i += 4) sum += (px[i] + px[i + 1] + px[i + 2]) / 3;"
          + "const brightness = sum / (px.length / 4);";

  /** The remote audio's level (0-1) from the remote page's stats. */
  private static final String AUDIO_LEVEL =
      "const [link] = room.links.values(); const stats = await link.pc.getStats(); let level = -1;"
          + "stats.forEach(r => { if (r.type === 'inbound-rtp' && r.kind === 'audio') level = r.audioLevel ?? -1; });";

  /** The remote video's decoded frame size from the remote page's stats. */
  private static final String FRAME_SIZE =
      "const [link] = room.links.values(); const stats = await link.pc.getStats(); let size = '';"
          + "stats.forEach(r => { if (r.type === 'inbound-rtp' && r.kind === 'video' && r.frameWidth)"
          + "  size = r.frameWidth + 'x' + r.frameHeight; });";

  @RegisterExtension
  static final RunningServer server = new RunningServer("browser-media", Map.of());

  @Test
  void muteAndScreenShareChangeWhatTheRemoteReceives() {
    try (CallPage sender = CallPage.join(server.origin(), "controls", "Sender", "video");
        CallPage remote = CallPage.join(server.origin(), "controls", "Remote", "video")) {
      CallPage.awaitPair(sender, remote);
      remote.awaitLiveVideoFromEveryPeer();

      // The fake camera is a bright moving pattern and the fake microphone a steady tone.
      remote.awaitTrue("the remote sees a picture", BRIGHTNESS + "return brightness > 30;");
      remote.awaitTrue("the remote hears the tone", AUDIO_LEVEL + "return level > 0.01;");

      String offerBefore = (String) sender.js("return [...room.links.values()][0].pc.localDescription.sdp;");
      sender.js("byId('mute-video').click(); byId('mute-audio').click(); return true;");
      remote.awaitTrue("the remote sees black", BRIGHTNESS + "return brightness < 5;");
      remote.awaitTrue("the remote hears silence", AUDIO_LEVEL + "return level >= 0 && level < 0.001;");

      sender.js("byId('mute-video').click(); byId('mute-audio').click(); return true;");
      remote.awaitTrue("the picture is back", BRIGHTNESS + "return brightness > 30;");
      remote.awaitTrue("the tone is back", AUDIO_LEVEL + "return level > 0.01;");

      String cameraSize = (String) remote.js(FRAME_SIZE + "return size;");
      String cameraTrack = (String) sender.js(
          "return [...room.links.values()][0].pc.getSenders().find(s => s.track?.kind === 'video').track.label;");
      sender.js("byId('share-screen').click(); return true;");
      sender.awaitTrue("the sender shares its screen", "return !!room.screenTrack;");
      String screenTrack = (String) sender.js(
          "return [...room.links.values()][0].pc.getSenders().find(s => s.track?.kind === 'video').track.label;");
      assertNotEquals(cameraTrack, screenTrack, "the outgoing video track was replaced");
      remote.awaitTrue("the remote receives the screen's frames, not the camera's",
          FRAME_SIZE + "return size !== '' && size !== " + CallPage.quote(cameraSize) + ";");
      remote.awaitTrue("no renegotiation: still connected", "return [...room.peers.values()][0].connectionState === 'connected';");

      sender.js("byId('share-screen').click(); return true;");
      remote.awaitTrue("the camera is back", FRAME_SIZE + "return size === " + CallPage.quote(cameraSize) + ";");
      assertEquals(offerBefore, sender.js("return [...room.links.values()][0].pc.localDescription.sdp;"),
          "mute and screen share never renegotiated");
    }
  }
}

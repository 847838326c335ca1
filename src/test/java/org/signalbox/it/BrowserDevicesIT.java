package org.signalbox.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Switching camera and microphone in a call (CLIENT.md 1.1: setCamera, setMicrophone): the remote
 * keeps receiving, now the new device's track, and nothing is renegotiated. One call, A and B, for
 * every test: A joins with a chosen camera (getUserMedia constraints in {@code media}), B with a
 * MediaStream of its own, as a pre-join preview passes it.
 *
 * <p>Chromium's fake devices: {@code device-count=2} does list two cameras, but the second, {@code
 * fake_device_1}, delivers 16-bit depth frames (Y16) that a WebRTC sender never encodes (0 frames,
 * measured); {@code fake_device_2}, the third with {@code device-count=3}, delivers MJPEG frames
 * that are sent like the first camera's. So the tests switch between {@code fake_device_0} and
 * {@code fake_device_2}.
 */
class BrowserDevicesIT {

  private static final List<String> THREE_CAMERAS = List.of("--use-fake-device-for-media-stream=device-count=3");

  /**
   * In each page: what its one connection sends and has negotiated. {@code window.sent(kind)} is
   * the outgoing track of that kind; {@code window.negotiated()} both descriptions' SDP.
   */
  private static final String INSPECT =
      "window.link = () => [...room.links.values()][0];"
          + "window.sent = (kind) => window.link().pc.getSenders().find(s => s.track && s.track.kind === kind).track;"
          + "window.negotiated = () => { const pc = window.link().pc;"
          + "  return {local: pc.localDescription.sdp, remote: pc.remoteDescription.sdp, state: pc.signalingState}; };"
          // Another device of the kind; for cameras the other one a sender can encode.
          + "window.other = async (kind, current) => (await room.listDevices())"
          + "  .filter(d => d.kind === kind && d.deviceId !== current && d.deviceId !== 'default'"
          + "    && d.label !== 'fake_device_1')[0].deviceId;"
          + "return true;";

  /** In each page: totals of what arrives from its one peer, by kind. */
  private static final String RECEIVED =
      "window.received = async (kind) => { const [link] = room.links.values();"
          + "  const stats = await link.pc.getStats(); let frames = 0, packets = 0;"
          + "  stats.forEach(r => { if (r.type === 'inbound-rtp' && r.kind === kind) {"
          + "    frames += r.framesDecoded || 0; packets += r.packetsReceived || 0; } });"
          + "  return kind === 'video' ? frames : packets; };"
          + "return true;";

  @RegisterExtension
  static final RunningServer server = new RunningServer("browser-devices", Map.of());

  private static ModulePage a;
  private static ModulePage b;

  @BeforeAll
  static void call() {
    a = ModulePage.open(server.origin(), THREE_CAMERAS, "");
    b = ModulePage.open(server.origin(), THREE_CAMERAS, "");
    a.join("devices", "A", "{audio: true, video: {deviceId: {exact: (await navigator.mediaDevices.enumerateDevices())"
        + ".find(d => d.label === 'fake_device_2').deviceId}}}");
    b.js("window.preview = await navigator.mediaDevices.getUserMedia({audio: true, video: true}); return true;");
    b.join("devices", "B", "window.preview");
    ModulePage.awaitPair(a, b);
    for (ModulePage page : new ModulePage[] {a, b}) {
      page.js(INSPECT);
      page.js(RECEIVED);
    }
    b.awaitTrue("B decodes A's video", "return await window.received('video') > 0;");
    a.awaitTrue("A decodes B's video", "return await window.received('video') > 0;");
    a.js("window.firstCamera = window.sent('video').label; return true;");
  }

  @AfterAll
  static void hangUp() {
    for (ModulePage page : new ModulePage[] {a, b}) {
      if (page != null) {
        page.close();
      }
    }
  }

  @Test
  void threeFakeCamerasAndTwoMicrophonesAreListed() {
    @SuppressWarnings("unchecked")
    Map<String, Object> kinds = (Map<String, Object>) a.js(
        "const devices = await room.listDevices();"
            + "const count = (kind) => devices.filter(d => d.kind === kind && d.deviceId !== 'default').length;"
            + "return {cameras: count('videoinput'), microphones: count('audioinput'),"
            + "  labelled: devices.every(d => d.label !== '')};");
    assertEquals(Map.of("cameras", 3L, "microphones", 2L, "labelled", true), kinds);
  }

  @Test
  void theChosenCameraAndThePreviewStreamAreWhatIsSent() {
    assertEquals("fake_device_2", a.js("return window.firstCamera;"), "A's chosen camera");
    assertEquals(true, b.js("return room.localStream === window.preview"
        + " && window.sent('video') === window.preview.getVideoTracks()[0];"), "B sends its own stream as it is");
  }

  @Test
  void switchingTheCameraSendsTheNewTrackWithoutRenegotiation() {
    switchCamera(a, b);
  }

  @Test
  void switchingTheCameraOfAPreviewStreamWorksAlike() {
    switchCamera(b, a);
    assertEquals(true, b.js("return room.localStream === window.preview"
        + " && window.preview.getVideoTracks()[0] === window.sent('video');"), "the preview stream holds the new camera");
  }

  /** {@code from} switches its camera; {@code to} keeps decoding, from the new one. */
  private static void switchCamera(ModulePage from, ModulePage to) {
    @SuppressWarnings("unchecked")
    Map<String, Object> before = (Map<String, Object>) from.js(
        "const old = window.sent('video');"
            + "window.before = {sdp: window.negotiated(), track: old};"
            + "return {id: old.id, label: old.label, device: old.getSettings().deviceId};");
    long framesBefore = (long) to.js("return await window.received('video');");

    @SuppressWarnings("unchecked")
    Map<String, Object> after = (Map<String, Object>) from.js(
        "const target = await window.other('videoinput', " + CallPage.quote((String) before.get("device")) + ");"
            + "const track = await room.setCamera(target);"
            + "const sent = window.sent('video');"
            + "return {target, id: track.id, label: track.label, device: track.getSettings().deviceId, sentId: sent.id,"
            + "  inStream: room.localStream.getVideoTracks().map(t => t.id), oldState: window.before.track.readyState};");
    assertEquals(after.get("target"), after.get("device"), "the chosen camera opened: " + after);
    assertEquals(after.get("id"), after.get("sentId"), "every sender carries the new track: " + after);
    assertNotEquals(before.get("label"), after.get("label"), "another device: " + before + " " + after);
    assertEquals(List.of(after.get("id")), after.get("inStream"), "swapped into localStream: " + after);
    assertEquals("ended", after.get("oldState"), "the old camera stopped: " + after);
    assertNothingRenegotiated(from);

    // The old camera has stopped: whatever arrives from now on is the new camera's.
    to.awaitTrue("the remote keeps decoding video, from the new camera",
        "return await window.received('video') > " + (framesBefore + 30) + ";");
    long framesNow = (long) to.js("return await window.received('video');");
    to.awaitTrue("and goes on", "return await window.received('video') > " + (framesNow + 15) + ";");
    assertNothingRenegotiated(from);
  }

  @Test
  void aMutedMicrophoneStaysMutedAcrossASwitchAndTheNewOneIsSent() {
    a.js("window.before = {sdp: window.negotiated(), track: window.sent('audio')};"
        + "room.setMicrophoneEnabled(false); return true;");
    long packetsBefore = (long) b.js("return await window.received('audio');");
    @SuppressWarnings("unchecked")
    Map<String, Object> after = (Map<String, Object>) a.js(
        "const old = window.before.track;"
            + "const target = await window.other('audioinput', old.getSettings().deviceId);"
            + "const track = await room.setMicrophone(target);"
            + "return {target, device: track.getSettings().deviceId, enabled: track.enabled,"
            + "  sent: window.sent('audio') === track, changed: track !== old, oldState: old.readyState,"
            + "  inStream: room.localStream.getAudioTracks().length === 1 && room.localStream.getAudioTracks()[0] === track,"
            + "  media: room.localMedia};");
    assertEquals(after.get("target"), after.get("device"), "the chosen microphone opened: " + after);
    assertEquals(false, after.get("enabled"), "still muted: " + after);
    assertEquals(Map.of("audio", false, "video", true, "screen", false), after.get("media"));
    assertEquals(true, after.get("sent"), "every sender carries the new track: " + after);
    assertEquals(true, after.get("changed"), after.toString());
    assertEquals(true, after.get("inStream"), "swapped into localStream: " + after);
    assertEquals("ended", after.get("oldState"), "the old microphone stopped: " + after);
    // Muted audio still flows (as silence), now from the new track.
    b.awaitTrue("B keeps receiving A's audio packets",
        "return await window.received('audio') > " + (packetsBefore + 50) + ";");
    a.js("room.setMicrophoneEnabled(true); return true;");
    assertEquals(true, a.js("return window.sent('audio').enabled && room.localMedia.audio;"), "unmuted");
    assertNothingRenegotiated(a);
  }

  @Test
  void duringAScreenShareTheNewCameraWaitsUntilTheShareStops() {
    a.js("window.before = {sdp: window.negotiated()}; await room.shareScreen(); return true;");
    @SuppressWarnings("unchecked")
    Map<String, Object> sharing = (Map<String, Object>) a.js(
        "const camera = room.localStream.getVideoTracks()[0];"
            + "const target = await window.other('videoinput', camera.getSettings().deviceId);"
            + "const track = await room.setCamera(target);"
            + "window.newCamera = track;"
            + "return {screenSent: window.sent('video') === room.screenTrack, cameraInStream:"
            + "  room.localStream.getVideoTracks()[0] === track, device: track.getSettings().deviceId, target};");
    assertEquals(true, sharing.get("screenSent"), "the screen is still sent: " + sharing);
    assertEquals(true, sharing.get("cameraInStream"), "the new camera waits in localStream: " + sharing);
    assertEquals(sharing.get("target"), sharing.get("device"));
    a.js("await room.stopScreenShare(); return true;");
    assertEquals(true, a.js("return window.sent('video') === window.newCamera;"),
        "after the share, the new camera is sent");
    assertNothingRenegotiated(a);
  }

  /** The page's descriptions are the very ones of before the switch, and it is stable. */
  private static void assertNothingRenegotiated(ModulePage page) {
    assertEquals(true, page.js("const now = window.negotiated(), was = window.before.sdp;"
        + "return now.local === was.local && now.remote === was.remote && now.state === 'stable';"),
        "local and remote SDP unchanged: no renegotiation");
  }
}

package org.signalbox.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * What the client tells a page about the other peers (CLIENT.md 1.1): {@code peer-media} (mute,
 * camera, screen), {@code speaking}, {@code peer-stats}, and {@code file-progress} both ways. One
 * call of A and B for every test; the last test ends it.
 *
 * <p>Both join with echo cancellation off: the two fake microphones play the same beep, which
 * echo cancellation would take for an echo of the other side once a page plays it out. Each page
 * plays its peer's stream in an {@code <audio>} element, as every call page does: Chromium
 * measures incoming audio levels where it plays them out.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class BrowserPeerSignalsIT {

  private static final List<String> AUTOPLAY = List.of("--autoplay-policy=no-user-gesture-required");

  private static final String MEDIA = "{audio: {echoCancellation: false}, video: true}";

  /** Records the room's events in window.seen, and plays each peer's stream. */
  private static final String RECORD =
      "window.seen = {media: [], local: [], speaking: [], stats: [], progress: [], files: [], chats: []};"
          + "room.addEventListener('chat', (e) => window.seen.chats.push({text: e.detail.text, media: window.seen.media.length}));"
          + "room.addEventListener('peer-media', (e) => window.seen.media.push(e.detail));"
          + "room.addEventListener('local-media', (e) => window.seen.local.push(e.detail));"
          + "room.addEventListener('speaking', (e) => window.seen.speaking.push({...e.detail, t: performance.now()}));"
          + "room.addEventListener('peer-stats', (e) => window.seen.stats.push({...e.detail, t: performance.now()}));"
          + "room.addEventListener('file-progress', (e) => window.seen.progress.push(e.detail));"
          + "room.addEventListener('file', (e) => window.seen.files.push({name: e.detail.name, size: e.detail.size,"
          + "  progressBefore: window.seen.progress.length}));"
          + "room.addEventListener('file-offer', (e) => e.detail.accept());"
          + "const play = (stream) => { let audio = document.querySelector('audio');"
          + "  if (!audio) { audio = document.createElement('audio'); document.body.append(audio); }"
          + "  if (audio.srcObject !== stream) { audio.srcObject = stream; audio.play(); } };"
          + "room.addEventListener('track', (e) => play(e.detail.stream));"
          + "for (const p of room.peers.values()) if (p.stream) play(p.stream);"
          + "return true;";

  @RegisterExtension
  static final RunningServer server = RunningServer.shared();

  private static ModulePage a;
  private static ModulePage b;
  private static String aId;
  private static String bId;

  @BeforeAll
  static void call() {
    a = ModulePage.open(server.origin(), AUTOPLAY, "");
    b = ModulePage.open(server.origin(), AUTOPLAY, "");
    a.join("signals", "A", MEDIA);
    a.js(RECORD);
    b.join("signals", "B", MEDIA);
    b.js(RECORD);
    ModulePage.awaitPair(a, b);
    aId = a.peerId();
    bId = b.peerId();
  }

  @AfterAll
  static void hangUp() {
    for (ModulePage page : new ModulePage[] {a, b}) {
      if (page != null) {
        page.close();
      }
    }
  }

  /** The last peer-media detail B got about A has these values. */
  private static void awaitPeerMediaAtB(boolean audio, boolean video, boolean screen) {
    String want = "{audio: " + audio + ", video: " + video + ", screen: " + screen + "}";
    b.awaitTrue("B's last peer-media about A is " + want,
        "const want = " + want + "; const last = window.seen.media.filter(m => m.peerId === " + CallPage.quote(aId) + ").at(-1);"
            + "const kept = room.peers.get(" + CallPage.quote(aId) + ").media;"
            + "return !!last && !!kept && ['audio', 'video', 'screen'].every(k => last[k] === want[k] && kept[k] === want[k]);");
  }

  @Test
  @Order(1)
  void peerMediaTellsTheOtherSideAboutMuteCameraAndScreen() {
    // Sent when the channel opened, before anything changed.
    awaitPeerMediaAtB(true, true, false);
    a.js("room.setMicrophoneEnabled(false); return true;");
    awaitPeerMediaAtB(false, true, false);
    assertEquals(Map.of("audio", false, "video", true, "screen", false),
        a.js("return window.seen.local.at(-1);"), "A's own state, as local-media said");
    a.js("room.setMicrophoneEnabled(true); return true;");
    awaitPeerMediaAtB(true, true, false);
    a.js("room.setCameraEnabled(false); return true;");
    awaitPeerMediaAtB(true, false, false);
    a.js("room.setCameraEnabled(true); return true;");
    awaitPeerMediaAtB(true, true, false);
    a.js("await room.shareScreen(); return true;");
    awaitPeerMediaAtB(true, true, true);
    a.js("await room.stopScreenShare(); return true;");
    awaitPeerMediaAtB(true, true, false);
    assertEquals(Map.of("audio", true, "video", true, "screen", false), a.js("return room.localMedia;"));
    // Setting what is already set is no change: nothing is sent. A chat sent after it on the same
    // ordered channel arrives after anything the repeats would have sent.
    long count = (long) b.js("return window.seen.media.length;");
    a.js("room.setMicrophoneEnabled(true); room.setCameraEnabled(true); room.sendChat('after the repeats'); return true;");
    b.awaitTrue("the chat after the repeats", "return window.seen.chats.some(c => c.text === 'after the repeats');");
    assertEquals(count, (long) b.js("return window.seen.chats.find(c => c.text === 'after the repeats').media;"),
        "unchanged states are not sent again");
  }

  @Test
  @Order(2)
  void speakingFollowsTheToneOnBothSidesAndMutingStopsIt() {
    String who = CallPage.quote(aId);
    String speakingAbout = "const last = window.seen.speaking.filter(s => s.peerId === " + who + ").at(-1);";
    b.awaitTrue("B hears A speak (the fake microphone's beeps)",
        speakingAbout + "return !!last && last.speaking && last.level >= 0.05;");
    a.awaitTrue("A marks itself speaking (peerId = its own)",
        speakingAbout + "return !!last && last.speaking;");
    assertEquals(true, b.js("return room.peers.get(" + who + ").speaking;"));
    // Beeps with pauses between them: one start, no flapping while the tone goes on.
    long starts = (long) b.js("await new Promise(r => setTimeout(r, 3000));"
        + "return window.seen.speaking.filter(s => s.peerId === " + who + ").length;");
    assertEquals(1L, starts, "one speaking event over 3 s of beeps");

    a.js("room.setMicrophoneEnabled(false); return true;");
    b.awaitTrue("B: A stopped speaking", speakingAbout + "return !!last && !last.speaking && last.level < 0.02;");
    a.awaitTrue("A: itself stopped speaking", speakingAbout + "return !!last && !last.speaking;");
    assertEquals(false, b.js("return room.peers.get(" + who + ").speaking;"));
    a.js("room.setMicrophoneEnabled(true); return true;");
    b.awaitTrue("B: A speaks again", speakingAbout + "return !!last && last.speaking;");
  }

  @Test
  @Order(3)
  void peerStatsReportNumbersEveryTwoSeconds() {
    String about = "window.seen.stats.filter(s => s.peerId === " + CallPage.quote(aId) + ")";
    // A sample may lack the loss or the bitrate when no packet arrived since the one before (a
    // moment after the mute of the test before): wait for three in a row that have all three.
    b.awaitTrue("three samples about A with every number", "const last = " + about + ".slice(-3);"
        + "return last.length === 3 && last.every(s => [s.rttMs, s.packetLoss, s.bitrateKbps]"
        + ".every(n => typeof n === 'number'));");
    @SuppressWarnings("unchecked")
    List<Map<String, Object>> samples = (List<Map<String, Object>>) b.js("return " + about + ".slice(-3);");
    for (Map<String, Object> sample : samples) {
      double rtt = ((Number) sample.get("rttMs")).doubleValue();
      assertTrue(Double.isFinite(rtt) && rtt >= 0 && rtt < 2000, "rttMs: " + sample);
      double loss = ((Number) sample.get("packetLoss")).doubleValue();
      assertTrue(loss >= 0 && loss <= 1, "packetLoss a fraction: " + sample);
      double kbps = ((Number) sample.get("bitrateKbps")).doubleValue();
      assertTrue(kbps > 10, "video and audio arrive: " + sample);
    }
    double gap = ((Number) samples.get(2).get("t")).doubleValue() - ((Number) samples.get(1).get("t")).doubleValue();
    assertTrue(gap > 1500 && gap < 4000, "about 2 s apart: " + gap);
    assertEquals(true, b.js("const kept = room.peers.get(" + CallPage.quote(aId) + ").stats;"
        + "return !!kept && typeof kept.rttMs === 'number';"), "the last sample is kept on the peer");
  }

  @Test
  @Order(4)
  void fileProgressRisesAndEndsAtTheSizeBeforeTheTransferSettles() {
    int size = 3 * 1024 * 1024 + 123;
    @SuppressWarnings("unchecked")
    Map<String, Object> sent = (Map<String, Object>) a.js(
        "window.seen.progress = [];"
            + "await room.sendFile(new File([new Uint8Array(" + size + ")], 'zeros.bin'));"
            + "return {count: window.seen.progress.length, last: window.seen.progress.at(-1)};");
    assertEquals((long) size, ((Map<?, ?>) sent.get("last")).get("sent"), "the last send progress, before sendFile resolved: " + sent);
    assertRising(a, "sent", size);
    b.awaitTrue("the file arrived", "return window.seen.files.length === 1;");
    @SuppressWarnings("unchecked")
    Map<String, Object> file = (Map<String, Object>) b.js("return window.seen.files[0];");
    assertEquals((long) size, file.get("size"));
    assertEquals(b.js("return window.seen.progress.length;"), file.get("progressBefore"),
        "no progress after the file event");
    assertEquals((long) size, b.js("return window.seen.progress.at(-1).received;"));
    assertRising(b, "received", size);
  }

  /** Every progress event of the page counts up, never down, and ends at {@code size}. */
  private static void assertRising(ModulePage page, String field, int size) {
    @SuppressWarnings("unchecked")
    Map<String, Object> summary = (Map<String, Object>) page.js(
        "const counts = window.seen.progress.map(p => p." + field + ");"
            + "return {count: counts.length, rising: counts.every((c, i) => i === 0 || c >= counts[i - 1]),"
            + "  last: counts.at(-1), sizes: [...new Set(window.seen.progress.map(p => p.size))]};");
    assertTrue(((Number) summary.get("count")).longValue() >= 2, "several progress events: " + summary);
    assertEquals(true, summary.get("rising"), "never down: " + summary);
    assertEquals((long) size, summary.get("last"), summary.toString());
    assertEquals(List.of((long) size), summary.get("sizes"), summary.toString());
  }

  @Test
  @Order(5)
  void timersStopWhenThePeerLeavesAndOnLeave() {
    b.js("room.leave(); return true;");
    assertEquals(true, b.js("return room.statsTimer === undefined && room.speakingTimer === undefined;"),
        "the one who left measures nothing");
    a.awaitTrue("A saw B leave", "return room.peers.size === 0;");
    assertEquals(true, a.js("return room.statsTimer === undefined && room.speakingTimer === undefined;"),
        "no peer, nothing to measure");
    assertNull(a.js("return room.peers.get(" + CallPage.quote(bId) + ") ?? null;"));
  }
}

package org.signalbox.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
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
 * The widget's side of issue 19, in one call of two browsers that every test shares: Alice comes
 * through the pre-join step (preview, pickers, level meter, a typed name; two fake cameras), Bob
 * joins at once. Then: tiles that show muting, speaking and connection quality on the other
 * side, the camera picker in the call, texts that follow {@code lang} and {@code strings}, the
 * invite link, file progress and cancel both ways, and an error put in words.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class BrowserWidgetIT {

  @RegisterExtension
  static final RunningServer server = RunningServer.shared();

  private static final String ROOM = "widget-room";

  /** Alice's Chromium has two fake cameras, for the picker. */
  private static final List<String> TWO_CAMERAS =
      List.of("--use-fake-device-for-media-stream=device-count=2");

  private static CallPage alice;
  private static CallPage bob;
  private static String aliceId;
  private static String bobId;

  @BeforeAll
  static void startBrowsers() {
    alice = CallPage.openPrejoin(server.origin(), ROOM, "Alice", "video", "", TWO_CAMERAS);
  }

  @AfterAll
  static void closeBrowsers() {
    if (bob != null) {
      bob.close();
    }
    alice.close();
  }

  /**
   * The preview starts on its button alone, lists both cameras and moves the level meter; Join
   * sends that very stream (no second getUserMedia) under the name typed in the step.
   */
  @Test
  @Order(1)
  void thePreJoinStepPreviewsAndJoinsWithThePreviewedStream() {
    assertEquals("Alice", alice.js("return byId('name-input').value;"), "the name attribute fills the field");
    assertEquals(Map.of("cameras", 1L, "microphones", 1L), alice.js(
        "return {cameras: byId('camera-select').options.length, microphones: byId('microphone-select').options.length};"),
        "before the permission the pickers offer the default only");
    alice.checkDevices();
    assertEquals(1L, alice.js("return window.getUserMediaCalls;"));
    assertEquals(3L, alice.js("return byId('camera-select').options.length;"), "Default and two cameras");
    assertEquals(true, alice.js("const s = byId('camera-select'); return s.value !== ''"
        + " && s.value === widget.preview.stream.getVideoTracks()[0].getSettings().deviceId;"),
        "the picker shows the camera in use");
    alice.awaitTrue("the level meter moves with the fake microphone's tone",
        "return byId('mic-level').value > 0.05;");
    String previewTrack = (String) alice.js("return widget.preview.stream.getVideoTracks()[0].id;");

    alice.js("byId('name-input').value = 'Alice in the step'; return true;");
    alice.joinFromPrejoin();
    aliceId = alice.peerId();
    assertEquals(Map.of("calls", 1L, "track", previewTrack, "name", "Alice in the step", "meter", 0L,
        "prejoin", true), alice.js("return {calls: window.getUserMediaCalls,"
            + " track: room.localStream.getVideoTracks()[0].id, name: room.name,"
            + " meter: Math.round(byId('mic-level').value), prejoin: byId('prejoin').hidden};"),
        "joined with the previewed stream and the typed name; the meter stopped");
    assertEquals(List.of("You joined room “" + ROOM + "”."), alice.announcements());

    bob = CallPage.join(server.origin(), ROOM, "Bob", "video");
    bobId = bob.peerId();
    CallPage.awaitPair(alice, bob);
    alice.awaitTrue("Bob's join announced", "return byId('live').textContent.includes('Bob joined.');");
    assertEquals("Alice in the step", bob.js("return shadow.querySelector("
        + "'[data-testid=\"remote-video\"]').getAttribute('aria-label');"), "the video is labelled with the name");
  }

  /**
   * What Alice does shows on Bob's tile of her (through peer-media, speaking, peer-stats), and on
   * her own at once.
   */
  @Test
  @Order(2)
  void tilesShowMutingSpeakingAndQualityOnTheOtherSide() {
    bob.awaitTile(aliceId, "audio", "on");
    bob.awaitTile(aliceId, "video", "on");
    // The fake microphone beeps: its level crosses the speaking threshold again and again.
    bob.awaitTile(aliceId, "speaking", "true");
    alice.awaitTile(null, "speaking", "true");

    alice.js("byId('mute-audio').click(); byId('mute-video').click(); return true;");
    assertEquals(Map.of("audio", "off", "video", "off"), alice.js(
        "const t = shadow.querySelector('[data-testid=\"tile\"][data-local]');"
            + "return {audio: t.dataset.audio, video: t.dataset.video};"), "the local tile at once");
    bob.awaitTile(aliceId, "audio", "off");
    bob.awaitTile(aliceId, "video", "off");
    assertEquals(true, bob.js("const t = shadow.querySelector('[data-testid=\"tile\"][data-peer-id=\"' + "
        + CallPage.quote(aliceId) + " + '\"]');"
        + "const shown = (c) => getComputedStyle(t.querySelector('.' + c)).display !== 'none';"
        + "return shown('chip-muted') && shown('chip-video-off') && t.querySelector('.chip-muted').textContent === 'Muted';"),
        "muted and camera off are said in words, not colour alone");
    alice.js("byId('mute-audio').click(); byId('mute-video').click(); return true;");
    bob.awaitTile(aliceId, "audio", "on");
    bob.awaitTile(aliceId, "video", "on");

    bob.awaitTrue("a quality verdict from peer-stats", "const b = shadow.querySelector("
        + "'[data-testid=\"tile\"][data-peer-id=\"' + " + CallPage.quote(aliceId) + " + '\"] [data-testid=\"quality\"]');"
        + "return b.dataset.quality !== 'unknown';");
    Map<String, Object> tile = bob.tile(aliceId);
    // On loopback the round trip is a few milliseconds and nothing is lost.
    assertEquals("good", tile.get("quality"), "loopback is a good connection: " + tile);
    assertTrue(((String) tile.get("title")).matches("Connection good: round trip [\\d.,–]+ ms, [\\d.,–]+ % of packets lost, [\\d.,–]+ kbit/s"),
        "the tooltip gives the numbers: " + tile);
  }

  /** The camera picker in the call sends the other camera, without renegotiation. */
  @Test
  @Order(3)
  void theCameraPickerSwitchesTheCameraInTheCall() {
    String sdp = (String) alice.js("return room.links.get(" + CallPage.quote(bobId) + ").pc.localDescription.sdp;");
    String other = (String) alice.js("const s = byId('camera-select');"
        + "const other = [...s.options].find(o => o.value && o.value !== s.value).value;"
        + "s.value = other; s.dispatchEvent(new Event('change')); return other;");
    alice.awaitTrue("the other camera is sent", "const sender = room.links.get(" + CallPage.quote(bobId)
        + ").pc.getSenders().find(s => s.track && s.track.kind === 'video');"
        + "return sender.track.getSettings().deviceId === " + CallPage.quote(other)
        + " && room.localStream.getVideoTracks()[0] === sender.track;");
    assertEquals(sdp, alice.js("return room.links.get(" + CallPage.quote(bobId) + ").pc.localDescription.sdp;"),
        "no renegotiation");
    assertEquals(other, alice.js("return byId('camera-select').value;"));
  }

  /** {@code lang} and {@code strings} render every text again, the log's included. */
  @Test
  @Order(4)
  void textsFollowLangAndStringOverrides() {
    String texts = "return {leave: byId('leave').textContent, mute: byId('mute-audio').textContent,"
        + " joined: [...byId('chat-log').querySelectorAll('.system')].map(e => e.textContent).join(' '),"
        + " lang: shadow.querySelector('[part~=\"widget\"]').getAttribute('lang')};";
    widgetLang("de");
    assertEquals(Map.of("leave", "Verlassen", "mute", "Stummschalten", "joined", "Bob ist beigetreten.",
        "lang", "de"), alice.js(texts));
    alice.js("widget.strings = {leave: 'Auflegen'}; return true;");
    assertEquals(Map.of("leave", "Auflegen", "mute", "Stummschalten", "joined", "Bob ist beigetreten.",
        "lang", "de"), alice.js(texts), "a partial override keeps the other texts");
    widgetLang("en");
    assertEquals(Map.of("leave", "Auflegen", "mute", "Mute", "joined", "Bob joined.", "lang", "en"),
        alice.js(texts), "the override holds in every language");
    alice.js("widget.strings = {}; return true;");
    assertEquals("Leave", alice.js("return byId('leave').textContent;"));
  }

  /** The invite copies the page's address with only the room; where copying fails, it shows. */
  @Test
  @Order(5)
  void theInviteCopiesTheRoomAddress() {
    String expected = server.origin() + "/?room=" + ROOM;
    alice.js("window.copied = null;"
        + "Object.defineProperty(navigator, 'clipboard', {configurable: true,"
        + "  value: {writeText: async (text) => { window.copied = text; }}});"
        + "byId('invite').click(); return true;");
    alice.awaitTrue("copied", "return window.copied !== null;");
    assertEquals(expected, alice.js("return window.copied;"), "no name, token or other parameter");
    alice.awaitTrue("said so", "return byId('status').textContent === 'Invite link copied.'"
        + " && byId('live').lastElementChild.textContent === 'Invite link copied.';");

    alice.js("navigator.clipboard.writeText = async () => { throw new DOMException('no', 'NotAllowedError'); };"
        + "document.execCommand = () => false; byId('invite').click(); return true;");
    alice.awaitTrue("the link to copy by hand", "return byId('status').textContent === "
        + CallPage.quote("Copy this invite link: " + expected) + ";");
  }

  /**
   * Progress bars both ways reach the size, counting up; the sender's Cancel stops a transfer
   * under way, and both sides say so; so does the receiver's, after it accepted.
   */
  @Test
  @Order(6)
  void fileProgressBothWaysAndCancel() {
    int size = 3 * 1024 * 1024;
    bob.js("window.bars = [];"
        + "new MutationObserver((records) => { for (const r of records) {"
        + "  if (r.target.matches && r.target.matches('[data-testid=\"file-progress\"]')) window.bars.push(Number(r.target.value)); }"
        + "}).observe(byId('chat-log'), {subtree: true, attributes: true, attributeFilter: ['value']});"
        + "return true;");
    sendThroughTheInput(alice, "whole.bin", size);
    bob.awaitTrue("the offer", "return !!shadow.querySelector('[data-testid=\"file-offer\"][data-file-name=\"whole.bin\"] [data-testid=\"file-accept\"]');");
    bob.js("shadow.querySelector('[data-testid=\"file-offer\"][data-file-name=\"whole.bin\"] [data-testid=\"file-accept\"]').click(); return true;");
    bob.awaitTrue("the download link", "return [...shadow.querySelectorAll('[data-testid=\"file-link\"]')].some(a => a.textContent === 'whole.bin');");
    alice.awaitTrue("the sender's bar full and the entry says so",
        "const e = shadow.querySelector('[data-testid=\"file-sending\"][data-file-name=\"whole.bin\"]');"
            + "const bar = e.querySelector('[data-testid=\"file-progress\"]');"
            + "return !!bar && Number(bar.value) === " + size + " && e.textContent.includes('received in full')"
            + " && !e.querySelector('[data-testid=\"file-cancel\"]');");
    @SuppressWarnings("unchecked")
    List<Number> bars = (List<Number>) bob.js("return window.bars;");
    assertTrue(!bars.isEmpty() && bars.get(bars.size() - 1).longValue() == size, "the receiver's bar ends at the size: " + bars);
    for (int i = 1; i < bars.size(); i++) {
      assertTrue(bars.get(i).longValue() >= bars.get(i - 1).longValue(), "the receiver's bar went back: " + bars);
    }

    int big = 160 * 1024 * 1024;
    sendThroughTheInput(alice, "big.bin", big);
    bob.awaitTrue("the offer", "return !!shadow.querySelector('[data-testid=\"file-offer\"][data-file-name=\"big.bin\"] [data-testid=\"file-accept\"]');");
    bob.js("shadow.querySelector('[data-testid=\"file-offer\"][data-file-name=\"big.bin\"] [data-testid=\"file-accept\"]').click(); return true;");
    alice.awaitTrue("bytes under way", "const e = shadow.querySelector('[data-testid=\"file-sending\"][data-file-name=\"big.bin\"]');"
        + "return Number(e.querySelector('[data-testid=\"file-progress\"]').value) > 0;");
    alice.js("shadow.querySelector('[data-testid=\"file-sending\"][data-file-name=\"big.bin\"] [data-testid=\"file-cancel\"]').click();"
        + "return true;");
    alice.awaitTrue("the sender says it was cancelled", "const e = shadow.querySelector("
        + "'[data-testid=\"file-sending\"][data-file-name=\"big.bin\"]');"
        + "return e.textContent === 'Could not send big.bin: you cancelled it.';");
    bob.awaitTrue("the receiver says it stopped", "const e = shadow.querySelector("
        + "'[data-testid=\"file-offer\"][data-file-name=\"big.bin\"]');"
        + "return e.textContent.startsWith('big.bin: the transfer stopped before the end');");
    assertEquals(false, bob.js("return [...shadow.querySelectorAll('[data-testid=\"file-link\"]')]"
        + ".some(a => a.textContent === 'big.bin');"));

    // The receiver's Cancel, after it accepted, stops the sender too (file-reject mid-transfer).
    sendThroughTheInput(alice, "later.bin", big);
    String offer = "shadow.querySelector('[data-testid=\"file-offer\"][data-file-name=\"later.bin\"]"
        + " [data-testid=\"%s\"]')";
    bob.awaitTrue("the offer", "return !!" + offer.formatted("file-accept") + ";");
    bob.js(offer.formatted("file-accept") + ".click(); return true;");
    bob.awaitTrue("bytes under way", "const bar = " + offer.formatted("file-progress") + ";"
        + "return !!bar && Number(bar.value) > 0;");
    bob.js(offer.formatted("file-cancel") + ".click(); return true;");
    alice.awaitTrue("the sender stops and says it was not received", "const e = shadow.querySelector("
        + "'[data-testid=\"file-sending\"][data-file-name=\"later.bin\"]');"
        + "return !e.querySelector('[data-testid=\"file-cancel\"]')"
        + " && e.textContent.startsWith('Could not send later.bin');");
    assertEquals(false, bob.js("return [...shadow.querySelectorAll('[data-testid=\"file-link\"]')]"
        + ".some(a => a.textContent === 'later.bin');"));
  }

  /** A server error in a sentence, in the element's language, and a portal's own words for it. */
  @Test
  @Order(7)
  void anErrorIsPutInWords() {
    alice.js("room.sendChat('anyone?', {to: 'nobody-here'}); return true;");
    alice.awaitTrue("the unknown-peer error in words", "return byId('status').dataset.kind === 'warn'"
        + " && byId('status').textContent === 'That person is no longer in the room.'"
        + " && byId('live').lastElementChild.textContent === 'That person is no longer in the room.';");
    widgetLang("de");
    assertEquals("Diese Person ist nicht mehr im Raum.", alice.js("return byId('status').textContent;"),
        "the status line follows the language");
    alice.js("widget.strings = {'error.unknown-peer': 'Nobody of that name here.'}; return true;");
    assertEquals("Nobody of that name here.", alice.js("return byId('status').textContent;"));
    alice.js("widget.strings = {}; return true;");
    widgetLang("en");
    assertNotEquals("unknown-peer", alice.js("return byId('status').textContent;"));
  }

  private static void widgetLang(String lang) {
    alice.js("widget.setAttribute('lang', " + CallPage.quote(lang) + "); return true;");
  }

  /** Puts a file of {@code size} zero bytes into the element's file input, as the picker does. */
  private static void sendThroughTheInput(CallPage page, String name, int size) {
    page.js("const input = byId('send-file'); const files = new DataTransfer();"
        + "files.items.add(new File([new Uint8Array(" + size + ")], " + CallPage.quote(name) + "));"
        + "input.files = files.files; input.dispatchEvent(new Event('change')); return true;");
  }
}
